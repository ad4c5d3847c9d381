import { describe, expect, it } from 'vitest';
import {
  droppedMass,
  droppedMassFromLogits,
  oracleDroppedMass,
  oracleDroppedMassCurve,
  sparseAttentionWeights,
  sparseHeadAttention,
  InvalidArgumentError,
} from '../../src/core/index.js';
import { requireNonEmptyKeep } from '../../src/core/droppedMass.js';

describe('dropped mass', () => {
  it('is the weight left out', () => {
    expect(droppedMass([0.5, 0.25, 0.25], [0])).toBeCloseTo(0.5, 15);
    expect(droppedMass([0.5, 0.25, 0.25], [0, 1, 2])).toBe(0);
    expect(droppedMassFromLogits([0, 0, 0, 0], [1])).toBeCloseTo(0.75, 15);
  });

  it('keeps relative accuracy when δ is tiny', () => {
    const delta = droppedMassFromLogits([0, -700], [0]);
    expect(delta / Math.exp(-700)).toBeCloseTo(1, 12);
  });

  it('oracle δ* and its curve', () => {
    expect(oracleDroppedMass([0, Math.log(3)], 1)).toBeCloseTo(0.25, 15);
    expect(Array.from(oracleDroppedMassCurve([0.5, 0.2, 0.3]))).toEqual(
      [1, 0.5, 0.2, 0].map((x, i) => (i === 1 ? 0.5 : x)),
    );
  });

  it('sparse weights renormalise on the kept set', () => {
    const w = sparseAttentionWeights([0, 0, Math.log(2)], [0, 2]);
    expect(Array.from(w).map((x) => Number(x.toFixed(15)))).toEqual([
      Number((1 / 3).toFixed(15)),
      0,
      Number((2 / 3).toFixed(15)),
    ]);
  });

  it('rejects bad index sets, naming the argument', () => {
    expect(() => droppedMass([0.5, 0.5], [0, 0])).toThrow(/keep\[1\]: expected distinct indices/);
    expect(() => droppedMass([0.5, 0.5], [2])).toThrow(/keep\[0\]: expected an index in \[0, 2\)/);
    expect(() => droppedMass([0.5, 0.5], [-1])).toThrow(InvalidArgumentError);
    expect(() => droppedMass([0.5, 0.6], [0])).toThrow(/attention: expected entries summing to 1/);
    expect(() => sparseAttentionWeights([1, 2], [])).toThrow(/keep: expected at least one kept index/);
  });

  it('each function names its own argument', () => {
    expect(() => droppedMassFromLogits([0, Number.NaN], [0])).toThrow(/^logits\[1\]: expected a finite number/);
    expect(() => droppedMassFromLogits([0, 1], [2])).toThrow(/^keep\[0\]: expected an index in \[0, 2\)/);
    expect(() => oracleDroppedMass([0, Infinity], 1)).toThrow(/^logits\[1\]: expected a finite number/);
    expect(() => oracleDroppedMass([0, 1], 3)).toThrow(/^k: expected an integer in \[0, 2\]/);
    expect(() => oracleDroppedMassCurve([0.5, 0.6])).toThrow(/^attention: expected entries summing to 1/);
    let caught: unknown;
    try {
      requireNonEmptyKeep([]);
    } catch (error) {
      caught = error;
    }
    expect((caught as InvalidArgumentError).problem).toBe('length');
    expect((caught as Error).message).toBe(
      'keep: expected at least one kept index (Â is undefined for S = ∅), received an empty set',
    );
  });

  it('sparse head attention checks shapes', () => {
    const K = { data: new Float64Array([1, 0, 0, 1]), rows: 2, columns: 2 };
    const V = { data: new Float64Array([1, 2, 3]), rows: 3, columns: 1 };
    expect(() => sparseHeadAttention([1, 0], K, V, [0])).toThrow(/V: expected 2 rows, received 3 rows/);
    expect(() => sparseHeadAttention([1], K, { data: new Float64Array([1, 2]), rows: 2, columns: 1 }, [0])).toThrow(
      /q: expected length 2/,
    );
  });
});
