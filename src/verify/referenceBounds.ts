/**
 * The a-priori bounds of theory/kernel-error.md evaluated on one head: from float64 reference
 * quantities (exact logits, Σ_c |q_c k_c|, reference weights, |v|) and a precision model, never
 * from a kernel's output. The kernel cross-checks and `prhs check-output` both call these.
 */
import type { BackendPrecision } from '../backends/kernelBackend.js';
import type { DecodedInputs } from '../backends/reference/float64Kernels.js';
import {
  droppedMassFactor,
  logitErrorBound,
  probabilityUnderflowAbsolute,
  softmaxAverageFactor,
  underflowAbsolute,
} from './errorBounds.js';

/** Per-token exact logits and Σ_c |q_c k_c| of one query head over a list of tokens. */
export interface HeadLogits {
  readonly logits: Float64Array;
  readonly absoluteDots: Float64Array;
}

export function logitsWithMagnitudes(
  x: DecodedInputs,
  row: number,
  cache: number,
  tokens: ArrayLike<number>,
): HeadLogits {
  const s = x.shape;
  const d = s.headDim;
  const logits = new Float64Array(tokens.length);
  const absoluteDots = new Float64Array(tokens.length);
  for (let j = 0; j < tokens.length; j++) {
    const base = (cache * s.tokens + tokens[j]!) * d;
    let dot = 0;
    let abs = 0;
    for (let c = 0; c < d; c++) {
      const p = x.query[row * d + c]! * x.keys[base + c]!;
      dot += p;
      abs += Math.abs(p);
    }
    logits[j] = x.scale * dot;
    absoluteDots[j] = abs;
  }
  return { logits, absoluteDots };
}

/**
 * The magnitude a logit's rounding error scales with, |scale|·Σ_c |q_c·k_c| (absoluteDot of
 * logitsWithMagnitudes): the calibrated tolerance's m for logits (elementComparison.ts,
 * theory/kernel-error.md §6).
 */
export function logitMagnitude(scale: number, absoluteDot: number): number {
  return Math.abs(scale) * absoluteDot;
}

export function logitRange(values: Float64Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

/** Bound on one computed logit (section 1), with a final rounding of the result to the output's precision. */
export function scoreBound(
  precision: BackendPrecision,
  headDim: number,
  scale: number,
  absoluteDot: number,
  exactLogit: number,
): number {
  const beta = logitErrorBound(precision, headDim, scale, absoluteDot);
  return (beta + precision.outputRoundoff * (Math.abs(exactLogit) + beta)) * (1 + 1e-12) + Number.MIN_VALUE;
}

/** Largest logit bound β over a head's tokens. */
function largestLogitBound(
  precision: BackendPrecision,
  headDim: number,
  scale: number,
  absoluteDots: Float64Array,
): number {
  let beta = 0;
  for (const a of absoluteDots) beta = Math.max(beta, logitErrorBound(precision, headDim, scale, a));
  return beta;
}

/** Slack on the log scale for the exp error and the subtraction's rounding (both ≪ 10^-3). */
const logSlack = 1e-3;

/**
 * Tokens whose rounded weight may fall below the P dtype's smallest normal (0 when P has fp32's
 * range). A weight is formed against a chunk maximum m_s ≤ the head's maximum, from logits each
 * within β: it can be below the normal range only if z_j − max_i z_i < ln(smallest normal) + 2β.
 */
function weightsBelowNormal(precision: BackendPrecision, logits: Float64Array, max: number, beta: number): number {
  if (precision.probabilitySmallestNormal === undefined) return 0;
  const threshold = Math.log(precision.probabilitySmallestNormal) + 2 * beta + logSlack;
  let count = 0;
  for (const z of logits) if (!(z - max >= threshold)) count++;
  return count;
}

/**
 * The factor κ of one head's average bounds, its weights a_j = e^{z_j − max z} / Σ e^{z − max z}
 * over the listed tokens, and how many of them may fall below the P dtype's normal range.
 */
export interface AverageBoundWeights {
  readonly kappa: number;
  readonly weights: Float64Array;
  readonly subnormalWeights: number;
}

/** κ and the weights of section 2 from one head's exact logits and Σ_c |q_c k_c| over its list (in list order). */
export function averageBoundWeights(
  precision: BackendPrecision,
  headDim: number,
  scale: number,
  head: HeadLogits,
  listLength: number,
): AverageBoundWeights {
  const { logits, absoluteDots } = head;
  const beta = largestLogitBound(precision, headDim, scale, absoluteDots);
  const kappa = softmaxAverageFactor(precision, listLength, beta, logitRange(logits));
  let max = -Infinity;
  for (const z of logits) max = Math.max(max, z);
  const subnormalWeights = weightsBelowNormal(precision, logits, max, beta);
  let total = 0;
  const weights = new Float64Array(logits.length);
  for (let j = 0; j < logits.length; j++) total += weights[j] = Math.exp(logits[j]! - max);
  for (let j = 0; j < logits.length; j++) weights[j] = weights[j]! / total;
  return { kappa, weights, subnormalWeights };
}

/** Writes one head's bounds κ·Σ a_j|v_jc| + absolute, given the weighted magnitudes and the largest |v| over the list. */
export function writeAverageBounds(
  precision: BackendPrecision,
  head: Pick<AverageBoundWeights, 'kappa' | 'subnormalWeights'>,
  weighted: ArrayLike<number>,
  listLength: number,
  maxAbsValue: number,
  bounds: Float64Array,
  offset: number,
): void {
  const absolute =
    underflowAbsolute(listLength, maxAbsValue) +
    probabilityUnderflowAbsolute(precision, head.subnormalWeights, maxAbsValue);
  // κ = ∞ is no bound, also for a column of zero values (∞·0 would be NaN).
  for (let c = 0; c < weighted.length; c++)
    bounds[offset + c] = head.kappa === Infinity ? Infinity : head.kappa * weighted[c]! * (1 + 1e-12) + absolute;
}

/** Per-element bounds of a softmax-weighted average over `tokens` for one head (section 2), written into bounds. */
export function averageBounds(
  precision: BackendPrecision,
  x: DecodedInputs,
  row: number,
  cache: number,
  tokens: ArrayLike<number>,
  listLength: number,
  bounds: Float64Array,
): void {
  const s = x.shape;
  const head = averageBoundWeights(
    precision,
    s.headDim,
    x.scale,
    logitsWithMagnitudes(x, row, cache, tokens),
    listLength,
  );
  const { weights } = head;
  // Token-major (each column still sums in token order): V rows are read contiguously.
  const weighted = new Float64Array(s.valueDim);
  let maxAbsValue = 0;
  for (let j = 0; j < tokens.length; j++) {
    const a = weights[j]!;
    const base = (cache * s.tokens + tokens[j]!) * s.valueDim;
    for (let c = 0; c < s.valueDim; c++) {
      const v = Math.abs(x.values[base + c]!);
      weighted[c] += a * v;
      maxAbsValue = Math.max(maxAbsValue, v);
    }
  }
  writeAverageBounds(precision, head, weighted, listLength, maxAbsValue, bounds, row * s.valueDim);
}

/** Bound on a computed dropped mass over every token of the head (section 3), given the exact δ. */
export function droppedMassBound(
  precision: BackendPrecision,
  x: DecodedInputs,
  row: number,
  cache: number,
  exactDelta: number,
): number {
  const tokens = Int32Array.from({ length: x.shape.tokens }, (_, i) => i);
  const { logits, absoluteDots } = logitsWithMagnitudes(x, row, cache, tokens);
  const factor = droppedMassFactor(
    precision,
    x.shape.tokens,
    largestLogitBound(precision, x.shape.headDim, x.scale, absoluteDots),
    logitRange(logits),
  );
  if (factor === Infinity) return Infinity; // no bound, also at δ = 0 (∞·0 would be NaN)
  return factor * exactDelta * (1 + 1e-12) + underflowAbsolute(x.shape.tokens, 1);
}
