/**
 * The kernels' a-priori bounds (theory/kernel-error.md) at hand points, against the formulas as
 * written there (relative 1e-12 for a different evaluation order): γ_n, the logit bound
 * γ_{d+2}|s|Σ|q_c k_c|, the softmax-average factor κ and the dropped-mass factor.
 */
import { describe, expect, it } from 'vitest';
import type { BackendPrecision } from '../../src/backends/kernelBackend.js';
import {
  calibratedTolerance,
  droppedMassFactor,
  gamma,
  logitErrorBound,
  probabilityUnderflowAbsolute,
  softmaxAverageFactor,
  underflowAbsolute,
} from '../../src/verify/errorBounds.js';
import { expectFormula } from './expectFormula.js';

const u = 2 ** -24;
const sequential: BackendPrecision = {
  unitRoundoff: u,
  expError: 2 * u,
  probabilityRoundoff: 0,
  outputRoundoff: 0,
  sumDepth: (n) => n - 1,
};
const rounded: BackendPrecision = {
  unitRoundoff: 2 ** -53,
  expError: 2 ** -52,
  probabilityRoundoff: 2 ** -11,
  outputRoundoff: u,
  sumDepth: (n) => Math.ceil(Math.log2(n)),
};
const g = (n: number, unit: number) => (n * unit) / (1 - n * unit);

describe('gamma', () => {
  it('is nu/(1 − nu) below 1 and ∞ from nu = 1 on', () => {
    expect(gamma(0, u)).toBe(0);
    expectFormula(gamma(3, 0.25), 3);
    expect(gamma(4, 0.25)).toBe(Infinity);
    expect(gamma(5, 0.25)).toBe(Infinity);
  });
});

describe('logitErrorBound', () => {
  it('is γ_{d+2}·|s|·Σ|q_c k_c|', () => {
    expectFormula(logitErrorBound(sequential, 64, 0.125, 10), g(66, u) * 0.125 * 10);
    expectFormula(logitErrorBound(sequential, 64, -0.125, 10), g(66, u) * 0.125 * 10);
    expect(logitErrorBound(sequential, 8, 1, 0)).toBe(0);
  });
});

describe('softmaxAverageFactor', () => {
  it('κ = (1+u)²·e^{2λ}·(1+γ)/(1−γ) − 1 with λ = β + u·X + e_exp + u_P and γ = γ_{D+1}', () => {
    // n = 100 terms, depth 99, β = 1e-6, range 10: X = 10 + 2e-6.
    const lambda = 1e-6 + u * (10 + 2e-6) + 2 * u;
    const gg = g(100, u);
    expectFormula(
      softmaxAverageFactor(sequential, 100, 1e-6, 10),
      (1 + u) ** 2 * Math.exp(2 * lambda) * ((1 + gg) / (1 - gg)) - 1,
    );
  });
  it('caps X at 87.34 and adds the output rounding (1 + κ)·u_out', () => {
    const unit = 2 ** -53;
    const lambda = 1e-3 + unit * 87.34 + 2 ** -52 + 2 ** -11;
    const gg = g(Math.ceil(Math.log2(1000)) + 1, unit);
    const inner = (1 + unit) ** 2 * Math.exp(2 * lambda) * ((1 + gg) / (1 - gg)) - 1;
    expectFormula(softmaxAverageFactor(rounded, 1000, 1e-3, 500), inner + u * (1 + inner));
  });
  it('treats zero terms as one', () => {
    expect(softmaxAverageFactor(sequential, 0, 0, 0)).toBe(softmaxAverageFactor(sequential, 1, 0, 0));
    // One term: depth 0, γ_1 for the product; λ = e_exp = 2u.
    expectFormula(
      softmaxAverageFactor(sequential, 1, 0, 0),
      (1 + u) ** 2 * Math.exp(4 * u) * ((1 + g(1, u)) / (1 - g(1, u))) - 1,
    );
  });
});

describe('droppedMassFactor', () => {
  it('(1+u)·e^{2λ}·(1+γ_D)/(1−γ_D) − 1 with λ = β + u·X + e_exp, no probability rounding', () => {
    const lambda = 1e-6 + u * (10 + 2e-6) + 2 * u;
    const gg = g(99, u);
    expectFormula(
      droppedMassFactor(sequential, 100, 1e-6, 10),
      (1 + u) * Math.exp(2 * lambda) * ((1 + gg) / (1 - gg)) - 1,
    );
  });
  it('caps X at 87.34 and adds the output rounding', () => {
    const unit = 2 ** -53;
    const lambda = 1e-3 + unit * 87.34 + 2 ** -52;
    const gg = g(Math.ceil(Math.log2(1000)), unit);
    const inner = (1 + unit) * Math.exp(2 * lambda) * ((1 + gg) / (1 - gg)) - 1;
    expectFormula(droppedMassFactor(rounded, 1000, 1e-3, 500), inner + u * (1 + inner));
    expect(droppedMassFactor(sequential, 0, 0, 0)).toBe(droppedMassFactor(sequential, 1, 0, 0));
  });
});

describe('underflowAbsolute and the calibrated tolerances', () => {
  it('2·n·2⁻¹²⁶·max|v|', () => {
    expect(underflowAbsolute(3, 4)).toBe(2 * 3 * 2 ** -126 * 4);
    expect(underflowAbsolute(0, 4)).toBe(0);
  });
  it('fp16 P: 2·n·2⁻¹⁴·max|v|; nothing without a P dtype of its own or with no such weight', () => {
    const fp16P: BackendPrecision = { ...sequential, probabilitySmallestNormal: 2 ** -14 };
    expect(probabilityUnderflowAbsolute(fp16P, 3, 4)).toBe(2 * 3 * 2 ** -14 * 4);
    expect(probabilityUnderflowAbsolute(fp16P, 1, 0.5)).toBe(2 ** -14);
    expect(probabilityUnderflowAbsolute(sequential, 3, 4)).toBe(0);
    // No weight below the normal range perturbs nothing, whatever the values.
    expect(probabilityUnderflowAbsolute(fp16P, 0, Infinity)).toBe(0);
  });
  it('xformers’ forward tolerances', () => {
    expect(calibratedTolerance).toEqual({
      fp32: { atol: 3e-4, rtol: 2e-5 },
      fp16: { atol: 4e-3, rtol: 4e-4 },
      bf16: { atol: 2e-2, rtol: 5e-3 },
    });
  });
});

describe('no bound is +∞, never NaN', () => {
  // n·u ≥ 1 makes γ infinite, so (1 + γ)/(1 − γ) is ∞/−∞ = NaN; a huge β overflows e^{2λ}. A NaN
  // bound would fail `error <= bound` for every kernel and poison rule (c)'s floor.
  const bf16: BackendPrecision = { ...sequential, unitRoundoff: 2 ** -8, expError: 2 ** -7 };
  it('the softmax-average factor κ', () => {
    expect(softmaxAverageFactor(bf16, 300, 0.01, 3)).toBe(Infinity);
    expect(softmaxAverageFactor({ ...bf16, outputRoundoff: 2 ** -8 }, 300, 0.01, 3)).toBe(Infinity);
    expect(softmaxAverageFactor(sequential, 10, 1e6, 3)).toBe(Infinity);
    expect(Number.isFinite(softmaxAverageFactor(bf16, 200, 0.01, 3))).toBe(true);
  });
  it('the dropped-mass factor', () => {
    expect(droppedMassFactor(bf16, 300, 0.01, 3)).toBe(Infinity);
    expect(droppedMassFactor(sequential, 10, 1e6, 3)).toBe(Infinity);
    expect(Number.isFinite(droppedMassFactor(bf16, 200, 0.01, 3))).toBe(true);
  });
});
