/**
 * A-priori floating-point error bounds of the kernels (derived in theory/kernel-error.md). Each
 * bound is evaluated from float64 reference quantities (|q|·|k| sums, attention weights, |v|) and
 * the backend's precision; the kernel output is never used. Inputs are already rounded to the
 * storage dtype, and the reference runs on exactly those values, so input rounding is not error.
 */
import type { BackendPrecision } from '../backends/kernelBackend.js';

/** Higham's γ_n = n·u / (1 − n·u); Infinity when n·u ≥ 1 (no bound). */
export function gamma(n: number, u: number): number {
  const nu = n * u;
  return nu >= 1 ? Infinity : nu / (1 - nu);
}

/**
 * Per-logit bound: |z̃ − z| ≤ γ_L·|s|·Σ_c |q_c k_c| with L = d + 2 (d products and adds, the scale's
 * rounding, the multiply), or the precision's own logitDepth (tensor-core accumulation).
 */
export function logitErrorBound(
  precision: BackendPrecision,
  headDim: number,
  scale: number,
  absoluteDot: number,
): number {
  const depth = precision.logitDepth ? precision.logitDepth(headDim) : headDim + 2;
  return gamma(depth, precision.unitRoundoff) * Math.abs(scale) * absoluteDot;
}

/** exp results below this are subnormal in fp32 (and lose relative accuracy): treated as absolute errors. */
const fp32SmallestNormal = 2 ** -126;
/** Largest |x| with exp(−x) normal in fp32 (exp(−87.33) ≈ 2^-126). */
const normalExpRange = 87.34;

/**
 * The common relative factor κ of a softmax-weighted average computed as
 * fl(Σ p̃_i v_i) / fl(Σ p̃_i) with p̃_i = fl(exp(fl(z̃_i − m))) (optionally rounded again):
 *   |result − exact| ≤ κ·Σ a_i |v_i| + absolute, with
 *   κ = (1+u)² · e^{2λ} · (1+γ_D)/(1−γ_D) − 1,  λ = β + u·X + e_exp + u_P,
 * where β bounds every logit error, X = min(87.34, logit range + 2β), D the sum depth of n terms.
 */
export function softmaxAverageFactor(
  precision: BackendPrecision,
  terms: number,
  logitBound: number,
  logitRange: number,
): number {
  const u = precision.unitRoundoff;
  const X = Math.min(normalExpRange, logitRange + 2 * logitBound);
  const lambda = logitBound + u * X + precision.expError + precision.probabilityRoundoff;
  const depth = precision.sumDepth(Math.max(1, terms));
  const g = gamma(depth + 1, u); // +1: the product p̃_i·v_i before it enters the sum
  const inner = (1 + u) ** 2 * Math.exp(2 * lambda) * ((1 + g) / (1 - g)) - 1;
  // No bound: γ_D = ∞ makes the quotient ∞/-∞ = NaN, e^{2λ} may overflow; either way κ = +∞, never NaN.
  if (!(inner < Infinity)) return Infinity;
  // A final rounding of the result to fp32 (reference backend) adds outputRoundoff·(1 + κ).
  return inner + precision.outputRoundoff * (1 + inner);
}

/** Absolute error from exp results that underflow (each ≤ 2^-126 off) over a denominator ≥ 1. */
export function underflowAbsolute(terms: number, maxAbsValue: number): number {
  return 2 * terms * fp32SmallestNormal * maxAbsValue;
}

/**
 * Absolute error from weights rounded to a P dtype whose normal range ends above fp32's (fp16 P
 * below 2^-14): such a weight is off by less than that smallest normal, whether it is rounded to a
 * subnormal or flushed to zero. Perturbing `terms` weights by that much moves a weighted average over
 * a denominator ≥ 1 by at most 2·terms·smallestNormal·max|v| (theory/kernel-error.md, "Tensor-core
 * dense decode").
 */
export function probabilityUnderflowAbsolute(precision: BackendPrecision, terms: number, maxAbsValue: number): number {
  if (precision.probabilitySmallestNormal === undefined || terms === 0) return 0;
  return 2 * terms * precision.probabilitySmallestNormal * maxAbsValue;
}

/** Relative bound for a ratio of two sums of the same p̃ (dropped mass): (1+u)·e^{2λ}(1+γ_D)/(1−γ_D) − 1. */
export function droppedMassFactor(
  precision: BackendPrecision,
  terms: number,
  logitBound: number,
  logitRange: number,
): number {
  const u = precision.unitRoundoff;
  const X = Math.min(normalExpRange, logitRange + 2 * logitBound);
  const lambda = logitBound + u * X + precision.expError;
  const g = gamma(precision.sumDepth(Math.max(1, terms)), u);
  const inner = (1 + u) * Math.exp(2 * lambda) * ((1 + g) / (1 - g)) - 1;
  if (!(inner < Infinity)) return Infinity;
  return inner + precision.outputRoundoff * (1 + inner);
}

/** Calibrated per-dtype tolerances (xformers' forward tolerances): a sanity check beside the derived bound. */
export const calibratedTolerance: Readonly<Record<'fp32' | 'fp16' | 'bf16', { atol: number; rtol: number }>> = {
  fp32: { atol: 3e-4, rtol: 2e-5 },
  fp16: { atol: 4e-3, rtol: 4e-4 },
  bf16: { atol: 2e-2, rtol: 5e-3 },
};
