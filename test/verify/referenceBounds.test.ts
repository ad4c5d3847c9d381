/**
 * The per-head bounds of theory/kernel-error.md (src/verify/referenceBounds.ts) on hand-made heads,
 * against the formulas written out here: exact logits and Σ|q_c k_c| per listed token, the score
 * bound (section 1), the softmax weights, κ and the count of weights that may leave fp16's normal
 * range (section 2), the average bounds κ·Σ a_j|v_jc| + absolute, and the dropped-mass bound
 * (section 3). Relative 1e-12 where the evaluation order may differ.
 */
import { describe, expect, it } from 'vitest';
import type { BackendPrecision } from '../../src/backends/kernelBackend.js';
import type { DecodedInputs } from '../../src/backends/reference/float64Kernels.js';
import {
  droppedMassFactor,
  logitErrorBound,
  softmaxAverageFactor,
  underflowAbsolute,
} from '../../src/verify/errorBounds.js';
import {
  averageBounds,
  averageBoundWeights,
  droppedMassBound,
  logitRange,
  logitsWithMagnitudes,
  scoreBound,
  writeAverageBounds,
} from '../../src/verify/referenceBounds.js';
import { expectFormula } from './expectFormula.js';

const u = 2 ** -24;
const fp32: BackendPrecision = {
  unitRoundoff: u,
  expError: 2 * u,
  probabilityRoundoff: 0,
  outputRoundoff: u,
  sumDepth: (n) => n - 1,
};
const fp16P: BackendPrecision = { ...fp32, probabilityRoundoff: 2 ** -11, probabilitySmallestNormal: 2 ** -14 };

/**
 * Two query heads sharing one KV head of three tokens, d = 2, two value columns:
 * q0 = (1, −2), q1 = (0.5, 3); k = (1, 1), (2, −1), (−3, 0.5); v = (1, −2), (4, 0.5), (−3, 3); scale ½.
 */
const x: DecodedInputs = {
  shape: { batch: 1, queryHeads: 2, kvHeads: 1, tokens: 3, headDim: 2, valueDim: 2 },
  query: Float64Array.of(1, -2, 0.5, 3),
  keys: Float64Array.of(1, 1, 2, -1, -3, 0.5),
  values: Float64Array.of(1, -2, 4, 0.5, -3, 3),
  scale: 0.5,
};

describe('logitsWithMagnitudes and logitRange', () => {
  it('scale·q·k and Σ|q_c k_c| for the listed tokens of one head, in list order', () => {
    // Head 1 over tokens (2, 0): q1·k2 = −1.5 + 1.5 = 0 (|·| sum 3), q1·k0 = 3.5.
    const h = logitsWithMagnitudes(x, 1, 0, [2, 0]);
    expect(Array.from(h.logits)).toEqual([0, 1.75]);
    expect(Array.from(h.absoluteDots)).toEqual([3, 3.5]);
    // Head 0 over every token: q0·k = −1, 4, −4; Σ|·| = 3, 4, 4.
    const h0 = logitsWithMagnitudes(x, 0, 0, [0, 1, 2]);
    expect(Array.from(h0.logits)).toEqual([-0.5, 2, -2]);
    expect(Array.from(h0.absoluteDots)).toEqual([3, 4, 4]);
  });
  it('the second KV head of a batch reads its own keys', () => {
    const two: DecodedInputs = {
      ...x,
      shape: { ...x.shape, queryHeads: 1, kvHeads: 2, tokens: 1 },
      query: Float64Array.of(1, 1),
      keys: Float64Array.of(1, 2, 10, 20),
    };
    expect(Array.from(logitsWithMagnitudes(two, 0, 1, [0]).logits)).toEqual([15]);
    expect(Array.from(logitsWithMagnitudes(two, 0, 0, [0]).logits)).toEqual([1.5]);
  });
  it('the range is the largest minus the smallest value', () => {
    expect(logitRange(Float64Array.of(3, -1, 2))).toBe(4);
    expect(logitRange(Float64Array.of(-1, 3, 2))).toBe(4);
    expect(logitRange(Float64Array.of(7))).toBe(0);
  });
});

describe('scoreBound', () => {
  it('(β + u_out·(|z| + β))·(1 + 10⁻¹²) + the smallest subnormal', () => {
    const beta = logitErrorBound(fp32, 64, 0.125, 10);
    expect(scoreBound(fp32, 64, 0.125, 10, -3)).toBe((beta + u * (3 + beta)) * (1 + 1e-12) + Number.MIN_VALUE);
    expect(scoreBound({ ...fp32, outputRoundoff: 0 }, 64, 0.125, 10, -3)).toBe(beta * (1 + 1e-12) + Number.MIN_VALUE);
    // An exact zero logit still gets room for a zero error.
    expect(scoreBound(fp32, 64, 0.125, 0, 0)).toBe(Number.MIN_VALUE);
  });
});

describe('averageBoundWeights', () => {
  it('softmax weights, κ from the largest β and the range, no subnormal count without a P dtype', () => {
    const head = logitsWithMagnitudes(x, 0, 0, [0, 1, 2]);
    const w = averageBoundWeights(fp32, 2, 0.5, head, 3);
    const e = [Math.exp(-2.5), 1, Math.exp(-4)];
    const total = e[0]! + e[1]! + e[2]!;
    e.forEach((v, j) => expectFormula(w.weights[j]!, v / total));
    const beta = logitErrorBound(fp32, 2, 0.5, 4);
    expectFormula(w.kappa, softmaxAverageFactor(fp32, 3, beta, 4));
    expect(w.subnormalWeights).toBe(0);
    // κ counts the list length passed, not the tokens scored.
    expectFormula(averageBoundWeights(fp32, 2, 0.5, head, 300).kappa, softmaxAverageFactor(fp32, 300, beta, 4));
  });
  it('counts the weights that may fall below 2^-14: z − max z < ln 2^-14 + 2β + 10⁻³', () => {
    const logits = Float64Array.of(0, 0, -20, -30, Math.log(2 ** -14) + 0.0005, Math.log(2 ** -14) + 0.002);
    const head = { logits, absoluteDots: new Float64Array(logits.length) };
    // β = 0 (no products): −9.7029 + 0.0005 is within the 10⁻³ slack (counted), + 0.002 is not.
    expect(averageBoundWeights(fp16P, 1, 1, head, logits.length).subnormalWeights).toBe(3);
    expect(averageBoundWeights(fp32, 1, 1, head, logits.length).subnormalWeights).toBe(0);
    // Measured from the largest logit, wherever it is.
    const shifted = { logits: logits.map((z) => z + 50), absoluteDots: head.absoluteDots };
    expect(averageBoundWeights(fp16P, 1, 1, shifted, logits.length).subnormalWeights).toBe(3);
    // A large β widens the band: 2β = 8 moves the threshold to −1.7, past the −9.7 logits too.
    const wide = { logits, absoluteDots: new Float64Array(logits.length).fill(4 / logitErrorBound(fp16P, 1, 1, 1)) };
    expect(averageBoundWeights(fp16P, 1, 1, wide, logits.length).subnormalWeights).toBe(4);
  });
});

describe('averageBoundWeights at the edges', () => {
  it('a logit exactly at the threshold is not counted (only z − max z below it may leave the range)', () => {
    const threshold = Math.log(2 ** -14) + 1e-3;
    const head = { logits: Float64Array.of(0, threshold, threshold - 1e-9), absoluteDots: new Float64Array(3) };
    expect(averageBoundWeights(fp16P, 1, 1, head, 3).subnormalWeights).toBe(1);
  });
  it('weights of logits in the hundreds stay finite: each is taken relative to the largest', () => {
    const head = { logits: Float64Array.of(400, 399, 401), absoluteDots: new Float64Array(3) };
    const { weights } = averageBoundWeights(fp32, 1, 1, head, 3);
    const e = [Math.exp(-1), Math.exp(-2), 1];
    const total = e[0]! + e[1]! + e[2]!;
    e.forEach((v, j) => expectFormula(weights[j]!, v / total));
  });
});

describe('writeAverageBounds and averageBounds', () => {
  it('κ·Σ a_j|v_jc|·(1 + 10⁻¹²) + 2·n·2⁻¹²⁶·max|v| + the fp16-P term, at the head’s offset', () => {
    const bounds = new Float64Array(5).fill(-1);
    writeAverageBounds(fp16P, { kappa: 0.01, subnormalWeights: 2 }, [3, 0.5], 7, 4, bounds, 2);
    const absolute = underflowAbsolute(7, 4) + 2 * 2 * 2 ** -14 * 4;
    expect(Array.from(bounds)).toEqual([
      -1,
      -1,
      0.01 * 3 * (1 + 1e-12) + absolute,
      0.01 * 0.5 * (1 + 1e-12) + absolute,
      -1,
    ]);
  });
  it('on a hand head: weights from the listed tokens, |v| per column, written at row·valueDim', () => {
    const bounds = new Float64Array(4);
    averageBounds(fp32, x, 1, 0, [2, 0], 2, bounds);
    // Head 1 over tokens (2, 0): logits (0, 1.75); weights a = (1, e^1.75)/(1 + e^1.75).
    const a2 = 1 / (1 + Math.exp(1.75));
    const a0 = 1 - a2;
    const beta = logitErrorBound(fp32, 2, 0.5, 3.5);
    const kappa = softmaxAverageFactor(fp32, 2, beta, 1.75);
    const absolute = underflowAbsolute(2, 3);
    expect(bounds[0]).toBe(0);
    expect(bounds[1]).toBe(0);
    expectFormula(bounds[2]!, kappa * (a2 * 3 + a0 * 1) * (1 + 1e-12) + absolute);
    expectFormula(bounds[3]!, kappa * (a2 * 3 + a0 * 2) * (1 + 1e-12) + absolute);
  });
});

describe('droppedMassBound', () => {
  it('factor(N, β over every token, range over every token)·δ·(1 + 10⁻¹²) + 2·N·2⁻¹²⁶', () => {
    // Head 0: logits (−0.5, 2, −2) over all three tokens, largest Σ|q_c k_c| = 4.
    const beta = logitErrorBound(fp32, 2, 0.5, 4);
    const factor = droppedMassFactor(fp32, 3, beta, 4);
    expectFormula(droppedMassBound(fp32, x, 0, 0, 0.25), factor * 0.25 * (1 + 1e-12) + underflowAbsolute(3, 1));
    expect(droppedMassBound(fp32, x, 0, 0, 0)).toBe(underflowAbsolute(3, 1));
  });
});

describe('no bound is +∞, never NaN (κ or the factor infinite)', () => {
  const bf16: BackendPrecision = { ...fp32, unitRoundoff: 2 ** -8, outputRoundoff: 0, sumDepth: (n) => n };
  it('writeAverageBounds: every column, a column of zero values included', () => {
    const bounds = new Float64Array(3);
    writeAverageBounds(fp32, { kappa: Infinity, subnormalWeights: 0 }, [0, 2, 0], 3, 2, bounds, 0);
    expect(Array.from(bounds)).toEqual([Infinity, Infinity, Infinity]);
  });
  it('averageBounds over more terms than the precision can bound (n·u ≥ 1)', () => {
    const bounds = new Float64Array(4);
    averageBounds(bf16, x, 0, 0, [0, 1, 2], 256, bounds);
    expect(Array.from(bounds)).toEqual([Infinity, Infinity, 0, 0]);
  });
  it('droppedMassBound, also at δ = 0', () => {
    const long = { ...bf16, sumDepth: () => 256 };
    expect(droppedMassBound(long, x, 0, 0, 0.25)).toBe(Infinity);
    expect(droppedMassBound(long, x, 0, 0, 0)).toBe(Infinity);
  });
});
