/**
 * Sparse attention on hand values: the renormalised weights, the dense and sparse outputs and δ of
 * one head, the default scale 1/√d, and each rejection message by message.
 */
import { describe, expect, it } from 'vitest';
import { sparseAttentionWeights, sparseHeadAttention } from '../../src/core/sparseAttention.js';
import { rejectionMessage as message } from './rejectionMessage.js';

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 15): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((x, i) => expect(actual[i], `entry ${i}`).toBeCloseTo(x, digits));
}

describe('sparseAttentionWeights', () => {
  it('is the softmax over the kept logits, zero elsewhere, whatever the order of the kept set', () => {
    // Kept logits 0 and ln 4 (e^z = 1, 4): weights 1/5 and 4/5.
    expectClose(sparseAttentionWeights([0, 5, Math.log(4), -3], [2, 0]), [0.2, 0, 0.8, 0]);
    // The largest kept logit is the last kept index and exceeds the others: all of its mass.
    expect(Array.from(sparseAttentionWeights([0, 1, 800], [0, 2]))).toEqual([0, 0, 1]);
    expect(Array.from(sparseAttentionWeights([3, 7], [1]))).toEqual([0, 1]);
  });

  it('rejects bad logits and kept sets, naming the argument', () => {
    expect(message(() => sparseAttentionWeights([0, Number.NaN], [0]))).toBe(
      'logits[1]: expected a finite number, received NaN',
    );
    expect(message(() => sparseAttentionWeights([], [0]))).toBe(
      'logits: expected a non-empty array, received an empty array',
    );
    expect(message(() => sparseAttentionWeights([0, 1], [2]))).toBe('keep[0]: expected an index in [0, 2), received 2');
    expect(message(() => sparseAttentionWeights([0, 1], []))).toBe(
      'keep: expected at least one kept index (Â is undefined for S = ∅), received an empty set',
    );
  });
});

describe('sparseHeadAttention', () => {
  // Logits 0, ln 2, 2 ln 2 (scale ln 2, q = 1, keys 0, 1, 2): dense weights 1/7, 2/7, 4/7.
  const K = { data: new Float64Array([0, 1, 2]), rows: 3, columns: 1 };
  const V = { data: new Float64Array([7, 0, 0, 14, 35, -7]), rows: 3, columns: 2 };

  it('refuses a non-finite value at a token whose dense weight underflows to exactly 0', () => {
    // Logits 1000 and −1000: the dense weight of token 1 is e^−2000 = 0, and token 1 is dropped.
    const keys = { data: Float64Array.of(1, -1), rows: 2, columns: 1 };
    const values = { data: Float64Array.of(1, Number.NaN), rows: 2, columns: 1 };
    expect(() => sparseHeadAttention([1000], keys, values, [0], 1)).toThrow(
      'V.data[1]: expected a finite number, received NaN',
    );
  });
  it('returns the dense and the renormalised sparse quantities and δ on hand values', () => {
    const step = sparseHeadAttention([1], K, V, [0, 2], Math.LN2);
    expectClose(step.logits, [0, Math.LN2, 2 * Math.LN2]);
    expectClose(step.attention, [1 / 7, 2 / 7, 4 / 7]);
    expectClose(step.sparseAttention, [1 / 5, 0, 4 / 5]);
    // dense: (1 + 20, 4 − 4); sparse: (7/5 + 28, −28/5).
    expectClose(step.dense, [21, 0], 13);
    expectClose(step.sparse, [29.4, -5.6], 13);
    expect(step.delta).toBeCloseTo(2 / 7, 15);
  });

  it('uses the scale 1/√d when none is given and the given scale otherwise', () => {
    // d = 4, q·k = 2 for key 1 and 0 for key 0: logits 0 and 2/√4 = 1 by default.
    const keys = { data: new Float64Array([0, 0, 0, 0, 1, 1, 0, 0]), rows: 2, columns: 4 };
    const values = { data: new Float64Array([0, 1]), rows: 2, columns: 1 };
    const q = [1, 1, 1, 1];
    const byDefault = sparseHeadAttention(q, keys, values, [0]);
    expectClose(byDefault.logits, [0, 1]);
    expect(byDefault.delta).toBeCloseTo(Math.E / (1 + Math.E), 15);
    expectClose(sparseHeadAttention(q, keys, values, [0], -3).logits, [0, -6]);
  });

  it('rejects bad arguments, naming each one', () => {
    expect(message(() => sparseHeadAttention([1], null as never, V, [0]))).toBe(
      'K: expected a matrix {data: Float64Array, rows, columns}, received null',
    );
    expect(message(() => sparseHeadAttention([1], K, { data: new Float64Array(2), rows: 2, columns: 1 }, [0]))).toBe(
      'V: expected 3 rows, received 2 rows',
    );
    expect(message(() => sparseHeadAttention([1, 2], K, V, [0]))).toBe('q: expected length 1, received length 2');
    expect(message(() => sparseHeadAttention([1], K, V, [3]))).toBe('keep[0]: expected an index in [0, 3), received 3');
    expect(message(() => sparseHeadAttention([1], K, V, []))).toBe(
      'keep: expected at least one kept index (Â is undefined for S = ∅), received an empty set',
    );
    expect(message(() => sparseHeadAttention([1], K, V, [0], Number.NaN))).toBe(
      'scale: expected a number in [-1.7976931348623157e+308, 1.7976931348623157e+308], received NaN',
    );
    expect(message(() => sparseHeadAttention([1], K, V, [0], Infinity))).toBe(
      'scale: expected a finite number in [-1.7976931348623157e+308, 1.7976931348623157e+308], received Infinity',
    );
  });

  it('names a non-finite key or value entry, and says when finite inputs overflow', () => {
    const badK = { data: new Float64Array([0, Number.NaN, 2]), rows: 3, columns: 1 };
    expect(message(() => sparseHeadAttention([1], badK, V, [0]))).toBe(
      'K.data[1]: expected a finite number, received NaN',
    );
    const badV = { data: new Float64Array([7, 0, 0, Infinity, 35, -7]), rows: 3, columns: 2 };
    expect(message(() => sparseHeadAttention([1], K, badV, [0]))).toBe(
      'V.data[3]: expected a finite number, received Infinity',
    );
    const huge = { data: new Float64Array([1e300]), rows: 1, columns: 1 };
    expect(
      message(() => sparseHeadAttention([1e300], huge, { data: new Float64Array([1]), rows: 1, columns: 1 }, [0], 1)),
    ).toBe('K: expected inputs whose logits stay finite in float64, received logits[0] = Infinity (overflow)');
    // Weights 1/(1 + 2e^½), e^½/(1 + 2e^½) twice sum to one rounded up: Σ w·MAX overflows.
    const keys = { data: new Float64Array([0, 0.5, 0.5]), rows: 3, columns: 1 };
    const values = { data: new Float64Array(3).fill(Number.MAX_VALUE), rows: 3, columns: 1 };
    expect(message(() => sparseHeadAttention([1], keys, values, [0], 1))).toBe(
      'V: expected inputs whose output stay finite in float64, received output[0] = Infinity (overflow)',
    );
  });

  it('refuses a sparse output that overflows although the dense one does not (it was returned as Infinity)', () => {
    // Dense Σ w·MAX rounds to 1.7976931348623155e308; the weights renormalised on {0, 1, 2} sum to one rounded up.
    const keys = { data: new Float64Array([1.25, 1.375, 0.25, 1.875, 0.75, 1.25]), rows: 6, columns: 1 };
    const values = { data: new Float64Array(6).fill(Number.MAX_VALUE), rows: 6, columns: 1 };
    expect(message(() => sparseHeadAttention([1], keys, values, [0, 1, 2], 1))).toBe(
      'V: expected inputs whose sparse output stay finite in float64, received sparse output[0] = Infinity (overflow)',
    );
    expect(sparseHeadAttention([1], keys, values, [3, 4, 5], 1).sparse[0]).toBeLessThanOrEqual(Number.MAX_VALUE);
  });
});
