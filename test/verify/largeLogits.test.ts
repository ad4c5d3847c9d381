/**
 * The cross-check's large-logit inputs reach the range where exponentiating without subtracting the
 * maximum overflows fp32, and a backend that does so fails the harness (deterministic: fixed seed).
 */
import { describe, expect, it } from 'vitest';
import type { KernelBackend } from '../../src/backends/kernelBackend.js';
import { referenceBackend } from '../../src/backends/reference/referenceBackend.js';
import { decodeInputs, headOffsets, referenceScores } from '../../src/backends/reference/float64Kernels.js';
import { cpuPrecision } from '../../src/backends/cpuBackend.js';
import { compareElements } from '../../src/verify/elementComparison.js';
import { largeLogitQueryScale, largeLogitShape, runKernelChecks } from '../../src/verify/harness.js';
import { naiveScores } from '../../src/verify/naiveKernels.js';
import { logitMagnitude, logitsWithMagnitudes, scoreBound } from '../../src/verify/referenceBounds.js';
import { randomAttentionInputs } from '../../src/verify/randomInputs.js';

/** Decode attention with p_i = fl32(e^{z_i}) taken without the maximum subtracted (the planted bug). */
const noMaxSubtraction: KernelBackend = {
  ...referenceBackend,
  decodeAttention: (inputs) => {
    const x = decodeInputs(inputs);
    const s = x.shape;
    const out = new Float32Array(s.batch * s.queryHeads * s.valueDim);
    for (let b = 0; b < s.batch; b++) {
      for (let h = 0; h < s.queryHeads; h++) {
        const { row, cache } = headOffsets(s, b, h);
        let total = 0;
        const sums = new Float64Array(s.valueDim);
        for (let i = 0; i < s.tokens; i++) {
          let dot = 0;
          for (let c = 0; c < s.headDim; c++)
            dot += x.query[row * s.headDim + c]! * x.keys[(cache * s.tokens + i) * s.headDim + c]!;
          const p = Math.fround(Math.exp(x.scale * dot));
          total += p;
          for (let c = 0; c < s.valueDim; c++) sums[c]! += p * x.values[(cache * s.tokens + i) * s.valueDim + c]!;
        }
        for (let c = 0; c < s.valueDim; c++) out[row * s.valueDim + c] = sums[c]! / total;
      }
    }
    return out;
  },
};

describe('large-logit kernel inputs', () => {
  it('reach logits beyond fp32 exp range (|z| > 88.7)', () => {
    const x = decodeInputs(
      randomAttentionInputs('fp32', largeLogitShape, 1 + 977, { queryScale: largeLogitQueryScale }),
    );
    let largest = 0;
    for (let row = 0; row < largeLogitShape.queryHeads; row++) {
      const cache = Math.floor(row / (largeLogitShape.queryHeads / largeLogitShape.kvHeads));
      for (let i = 0; i < largeLogitShape.tokens; i++) {
        let dot = 0;
        for (let c = 0; c < largeLogitShape.headDim; c++)
          dot +=
            x.query[row * largeLogitShape.headDim + c]! *
            x.keys[(cache * largeLogitShape.tokens + i) * largeLogitShape.headDim + c]!;
        largest = Math.max(largest, x.scale * dot);
      }
    }
    expect(largest).toBeGreaterThan(2 * 88.7);
  });

  it('a correct backend passes them; one without max-subtraction fails them', () => {
    const large = (backend: KernelBackend) =>
      runKernelChecks(backend, 'fp32', { maxTokens: 64, seed: 1 }).filter((r) => r.shape.endsWith('large logits'));
    expect(large(referenceBackend).length).toBe(6);
    expect(large(referenceBackend).filter((r) => !r.pass)).toEqual([]);
    expect(
      large(noMaxSubtraction)
        .filter((r) => !r.pass)
        .map((r) => r.kernel),
    ).toContain('decodeAttention');
  });
});

describe('tolerance (b) on logits (theory/kernel-error.md §6)', () => {
  // Input seed 157 of the large-logit shape: the textbook fp32 dot product (naiveKernels.ts) is a
  // correct fp32 kernel, within the derived bound of a sequential fp32 sum, yet some logits' sums
  // cancel to far below their terms, so its error exceeds xformers' atol + rtol·|z|. Measured against
  // the terms' magnitude |scale|·Σ|q_c·k_c| the same errors are within the tolerance.
  const s = largeLogitShape;
  const x = decodeInputs(randomAttentionInputs('fp32', s, 157, { queryScale: largeLogitQueryScale }));
  const reference = referenceScores(x);
  const naive = naiveScores(x);
  const all = Int32Array.from({ length: s.tokens }, (_, i) => i);
  const magnitudes = new Float64Array(reference.length);
  const bounds = new Float64Array(reference.length);
  const precision = cpuPrecision(1);
  for (let h = 0; h < s.queryHeads; h++) {
    const { row, cache } = headOffsets(s, 0, h);
    const { absoluteDots } = logitsWithMagnitudes(x, row, cache, all);
    for (let i = 0; i < s.tokens; i++) {
      const at = row * s.tokens + i;
      magnitudes[at] = logitMagnitude(x.scale, absoluteDots[i]!);
      bounds[at] = scoreBound(precision, s.headDim, x.scale, absoluteDots[i]!, reference[at]!);
    }
  }

  it('a correct fp32 logit can exceed atol + rtol·|z|: the rule as first stated', () => {
    const c = compareElements(naive, reference, bounds, 'fp32');
    expect(c.verdicts.withinBound).toBe(true);
    expect(c.verdicts.withinTolerance).toBe(false);
  });

  it('holds against |scale|·Σ|q_c·k_c|, the magnitude the checks of scores use', () => {
    expect(compareElements(naive, reference, bounds, 'fp32', { magnitudes }).verdicts.withinTolerance).toBe(true);
  });
});
