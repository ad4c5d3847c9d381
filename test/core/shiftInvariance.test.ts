/**
 * Shift invariance on hand-made logits (deterministic): adding a constant c to every logit leaves
 * softmax, dropped mass, oracle δ* and sparse weights unchanged, bit for bit where z − max is exact,
 * including shifts far beyond the exp range (a reference without max-subtraction overflows there),
 * and log-sum-exp moves by exactly c.
 */
import { describe, expect, it } from 'vitest';
import {
  droppedMassFromLogits,
  logSumExp,
  oracleDroppedMass,
  softmax,
  sparseAttentionWeights,
} from '../../src/core/index.js';

// Integers and halves: z − max is exact for every shift below, so the outputs must be identical.
const base = [3, -1.5, 0, 2.5, 3, -7, 1];
const shifts = [0, -1000, 800, 1e6, -1e6];
const keep = [0, 3, 6];

describe('shift invariance', () => {
  it.each(shifts)('softmax, δ(S), δ*(k) and the sparse weights are unchanged by a shift of %d', (c) => {
    const shifted = base.map((z) => z + c);
    expect(Array.from(softmax(shifted))).toEqual(Array.from(softmax(base)));
    expect(droppedMassFromLogits(shifted, keep)).toBe(droppedMassFromLogits(base, keep));
    for (let k = 0; k <= base.length; k++) expect(oracleDroppedMass(shifted, k)).toBe(oracleDroppedMass(base, k));
    expect(Array.from(sparseAttentionWeights(shifted, keep))).toEqual(Array.from(sparseAttentionWeights(base, keep)));
  });

  it('log-sum-exp moves by the shift', () => {
    for (const c of shifts)
      expect(logSumExp(base.map((z) => z + c))).toBeCloseTo(logSumExp(base) + c, c === 0 ? 15 : 9);
  });

  it('the shifted values are the hand values', () => {
    const e = base.map((z) => Math.exp(z - 3));
    const total = e.reduce((a, b) => a + b, 0);
    const p = softmax(base.map((z) => z + 1e6));
    base.forEach((_, i) => expect(p[i]).toBeCloseTo(e[i]! / total, 15));
    expect(
      droppedMassFromLogits(
        base.map((z) => z - 1e6),
        keep,
      ),
    ).toBeCloseTo((e[1]! + e[2]! + e[4]! + e[5]!) / total, 15);
  });
});

describe('the maximum, not any logit, is subtracted', () => {
  it('logits spread far beyond the exp range stay finite and exact', () => {
    expect(Array.from(softmax([900, 0, -900]))).toEqual([1, 0, 0]);
    expect(Array.from(softmax([0, 900]))).toEqual([0, 1]);
    expect(droppedMassFromLogits([900, 0, -900], [1, 2])).toBe(1);
    expect(droppedMassFromLogits([-900, 0, 900], [2])).toBe(0);
    expect(Array.from(sparseAttentionWeights([0, 900, -900], [0, 2]))).toEqual([1, 0, 0]);
    expect(oracleDroppedMass([-900, 900], 1)).toBe(0);
    expect(logSumExp([900, 0, -900])).toBe(900);
    expect(logSumExp([-900, 0, 900])).toBe(900);
  });
});
