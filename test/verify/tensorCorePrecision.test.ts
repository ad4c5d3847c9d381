/**
 * The tensor-core decode's precision model (theory/kernel-error.md, "Tensor-core dense decode"):
 * its depths cover the ordered kernels' (it also bounds the shapes they run while it is selected),
 * P's rounding follows the storage dtype, and fp16 weights below 2^-14 add an absolute term.
 */
import { describe, expect, it } from 'vitest';
import { blockedSumDepth } from '../../src/backends/cpuBackend.js';
import { cudaPrecision } from '../../src/backends/cudaBackend.js';
import type { DecodedInputs } from '../../src/backends/reference/float64Kernels.js';
import { logitErrorBound } from '../../src/verify/errorBounds.js';
import { averageBounds } from '../../src/verify/referenceBounds.js';
import {
  numeratorDepthInChunk,
  tensorCoreDecodePrecision,
  tensorCoreLogitDepth,
  tensorCoreSumDepth,
  tensorCoreUnit,
} from '../../src/verify/tensorCorePrecision.js';

const ordered = cudaPrecision(128);

describe('tensor-core decode precision', () => {
  it('counts 20 roundings of 2^-23 per k16 step, plus the scale: 162 at d = 128', () => {
    expect(tensorCoreLogitDepth(128)).toBe(162);
    expect(tensorCoreLogitDepth(64)).toBe(82);
    expect(tensorCoreLogitDepth(96)).toBe(122);
    expect(tensorCoreUnit).toBe(2 ** -23);
  });

  it('covers the ordered kernels: logit depth ≥ d + 2 and sum depth ≥ min(n, 128) + ⌈n/128⌉', () => {
    const blocked = blockedSumDepth(128);
    for (let d = 1; d <= 256; d++) expect(tensorCoreLogitDepth(d)).toBeGreaterThanOrEqual(d + 2);
    for (const n of [1, 2, 42, 43, 44, 82, 83, 84, 127, 128, 129, 1000, 5000, 1 << 20]) {
      for (const split of [false, true]) {
        expect(tensorCoreSumDepth(n, split)).toBeGreaterThanOrEqual(blocked(n));
        expect(tensorCoreSumDepth(n, split)).toBeGreaterThanOrEqual(numeratorDepthInChunk(split) + Math.ceil(n / 128));
      }
    }
    expect(tensorCoreSumDepth(1 << 20)).toBe(128 + 8192);
    expect(tensorCoreSumDepth(1 << 20, true)).toBe(128 + 8192);
  });

  it('counts 2 k16 steps per warp in a chunk, 4 with the hi + lo split (20 roundings each, then 3)', () => {
    expect(numeratorDepthInChunk(false)).toBe(43);
    expect(numeratorDepthInChunk(true)).toBe(83);
    expect(tensorCoreSumDepth(1)).toBe(44);
    expect(tensorCoreSumDepth(1, true)).toBe(84);
    expect(tensorCoreDecodePrecision(ordered, 'bf16').sumDepth(10)).toBe(84);
    expect(tensorCoreDecodePrecision(ordered, 'fp16').sumDepth(10)).toBe(44);
  });

  it('rounds P once for fp16, to hi + lo (16 bits) for bf16, not at all for fp32 (never taken)', () => {
    expect(tensorCoreDecodePrecision(ordered, 'fp16').probabilityRoundoff).toBe(2 ** -11);
    expect(tensorCoreDecodePrecision(ordered, 'bf16').probabilityRoundoff).toBe(2 ** -16);
    expect(tensorCoreDecodePrecision(ordered, 'fp32').probabilityRoundoff).toBe(0);
    expect(tensorCoreDecodePrecision(ordered, 'fp16').probabilitySmallestNormal).toBe(2 ** -14);
    expect(tensorCoreDecodePrecision(ordered, 'bf16').probabilitySmallestNormal).toBe(2 ** -102);
    expect(tensorCoreDecodePrecision(ordered, 'fp32').probabilitySmallestNormal).toBeUndefined();
    expect(tensorCoreDecodePrecision(ordered, 'fp16').expError).toBe(ordered.expError);
  });

  it('gives a logit bound at least the ordered one', () => {
    const tc = tensorCoreDecodePrecision(ordered, 'fp16');
    for (const d of [64, 96, 128])
      expect(logitErrorBound(tc, d, 0.1, 3)).toBeGreaterThan(logitErrorBound(ordered, d, 0.1, 3));
  });

  it('adds 2·2^-14·max|v| per fp16 weight that may fall below the normal range', () => {
    // One head, 4 tokens, d = 1: logits 0, 0, −20, −30 (two weights far below 2^-14 ≈ e^-9.7).
    const x: DecodedInputs = {
      shape: { batch: 1, queryHeads: 1, kvHeads: 1, tokens: 4, headDim: 1, valueDim: 1 },
      query: Float64Array.of(1),
      keys: Float64Array.of(0, 0, -20, -30),
      values: Float64Array.of(1, -1, 0.5, 0.25),
      scale: 1,
    };
    const tokens = Int32Array.of(0, 1, 2, 3);
    const fp16 = new Float64Array(1);
    const bf16 = new Float64Array(1);
    averageBounds(tensorCoreDecodePrecision(ordered, 'fp16'), x, 0, 0, tokens, 4, fp16);
    averageBounds(tensorCoreDecodePrecision(ordered, 'bf16'), x, 0, 0, tokens, 4, bf16);
    // bf16 splits P (u_P = 2^-16) and charges an absolute 2^-102 per weight only below e^-70.7: none
    // here; the fp16 bound carries 2·2·2^-14·1 on top of its relative term.
    const fp16Relative = new Float64Array(1);
    averageBounds(
      { ...tensorCoreDecodePrecision(ordered, 'fp16'), probabilitySmallestNormal: undefined },
      x,
      0,
      0,
      tokens,
      4,
      fp16Relative,
    );
    expect(fp16[0]! - fp16Relative[0]!).toBeCloseTo(4 * 2 ** -14, 12);
    expect(bf16[0]).toBeGreaterThan(0);
    const bf16Relative = new Float64Array(1);
    averageBounds(
      { ...tensorCoreDecodePrecision(ordered, 'bf16'), probabilitySmallestNormal: undefined },
      x,
      0,
      0,
      tokens,
      4,
      bf16Relative,
    );
    expect(bf16[0]).toBe(bf16Relative[0]);
  });
});
