/**
 * The MI-loss setting (theory/mutual-information.md): per-query dropped masses, δ̄, the
 * renormalised rows, and the union counts over the lossy queries L = {x : π_x δ(x) > 0} only.
 */
import { describe, expect, it } from 'vitest';
import { mutualInformation, sparseJointLaw } from '../../src/info/index.js';
import { thrownMessage as message, thrownProblem as problem } from './thrownError.js';

describe('sparseJointLaw on a hand-made law', () => {
  // Query 0 drops {2, 3} (δ = 0.5), query 1 drops nothing, query 2 drops {0} but has π = 0.
  const attention = [
    [0.25, 0.25, 0.25, 0.25],
    [0.5, 0.5, 0, 0],
    [0.5, 0, 0.5, 0],
  ];
  const input = {
    pi: [0.5, 0.5, 0],
    attention,
    keep: [
      [0, 1],
      [0, 1],
      [2, 1],
    ],
  };
  const law = sparseJointLaw(input);
  it('records δ(x), k_x and δ̄ = Σ π_x δ(x)', () => {
    expect(Array.from(law.deltas)).toEqual([0.5, 0, 0.5]);
    expect(Array.from(law.keptSizes)).toEqual([2, 2, 2]);
    expect(law.deltaBar).toBe(0.25);
  });
  it('counts only lossy queries in L and in the unions', () => {
    expect(law.lossyQueryCount).toBe(1);
    expect(law.droppedUnionSize).toBe(2);
    expect(law.keptUnionSize).toBe(2);
  });
  it('each renormalised row holds its N entries and nothing else', () => {
    // Computed inside the test (not at collection), so that a mutation of sparseJointLaw is seen.
    const fresh = sparseJointLaw(input);
    for (const row of fresh.sparseAttention) {
      expect(row).toBeInstanceOf(Float64Array);
      expect(Object.keys(row)).toEqual(['0', '1', '2', '3']);
    }
  });
  it('renormalises each row on its own kept set', () => {
    expect(law.sparseAttention.map((r) => Array.from(r))).toEqual([
      [0.5, 0.5, 0, 0],
      [0.5, 0.5, 0, 0],
      [0, 0, 1, 0],
    ]);
  });
  it('reports I(X;J), I(X;Ĵ) and their signed difference', () => {
    expect(law.mi).toBe(mutualInformation([0.5, 0.5, 0], attention));
    expect(law.miSparse).toBe(0);
    expect(law.miLoss).toBe(law.mi - law.miSparse);
    expect(law.mi).toBeGreaterThan(0);
  });
  it('a loss can be negative: sparsity that separates the rows raises the information', () => {
    const sharper = sparseJointLaw({
      pi: [0.5, 0.5],
      attention: [
        [0.6, 0.4],
        [0.4, 0.6],
      ],
      keep: [[0], [1]],
    });
    expect(sharper.miSparse).toBeCloseTo(Math.LN2, 15);
    expect(sharper.miLoss).toBeLessThan(0);
    expect(sharper.droppedUnionSize).toBe(2);
    expect(sharper.keptUnionSize).toBe(2);
    expect(sharper.lossyQueryCount).toBe(2);
  });
  it('caps δ(x) and δ̄ at 1 when the dropped entries sum above 1 by rounding', () => {
    const row = [0.33, 0.56, 0.11, 1e-12];
    const over = sparseJointLaw({ pi: [1], attention: [row], keep: [[3]] });
    expect(0.33 + 0.56 + 0.11).toBeGreaterThan(1); // the dropped sum as computed
    expect(over.deltas[0]).toBe(1);
    expect(over.deltaBar).toBe(1);
  });
});

describe('sparseJointLaw refuses bad input with the argument named', () => {
  const base = {
    pi: [0.5, 0.5],
    attention: [
      [0.5, 0.5, 0],
      [0, 0.5, 0.5],
    ],
  };
  it('messages', () => {
    expect(message(() => sparseJointLaw(undefined as never))).toBe(
      'input: expected an object { pi, attention, keep }, received undefined',
    );
    expect(message(() => sparseJointLaw({ ...base, keep: null as never }))).toBe(
      'keep: expected an array of 2 index sets (one per query), received null',
    );
    expect(message(() => sparseJointLaw({ ...base, keep: 'ab' as never }))).toBe(
      'keep: expected an array of 2 index sets (one per query), received "ab"',
    );
    expect(message(() => sparseJointLaw({ ...base, keep: [[0], [1], [2]] }))).toBe(
      'keep: expected 2 index sets (the length of pi), received 3 sets',
    );
    expect(message(() => sparseJointLaw({ ...base, keep: [[0], []] }))).toBe(
      'keep[1]: expected at least one kept index (Â(x) is undefined for S = ∅), received an empty set',
    );
    expect(message(() => sparseJointLaw({ ...base, keep: [[2], [1]] }))).toBe(
      'keep[0]: expected a kept set with positive attention mass (Â(x) is undefined otherwise), received a kept mass of 0',
    );
    expect(message(() => sparseJointLaw({ ...base, attention: [[1, 0]] as never, keep: [[0], [0]] }))).toMatch(
      /^attention: /,
    );
  });
  it('an object without a length is not a list of kept sets', () => {
    expect(message(() => sparseJointLaw({ ...base, keep: {} as never }))).toBe(
      'keep: expected an array of 2 index sets (one per query), received object',
    );
  });
  it('each refusal has its problem kind', () => {
    expect(problem(() => sparseJointLaw(null as never))).toBe('type');
    expect(problem(() => sparseJointLaw({ ...base, keep: 7 as never }))).toBe('type');
    expect(problem(() => sparseJointLaw({ ...base, keep: [[0]] }))).toBe('shape');
    expect(problem(() => sparseJointLaw({ ...base, keep: [[0], []] }))).toBe('length');
    expect(problem(() => sparseJointLaw({ ...base, keep: [[2], [1]] }))).toBe('domain');
  });
  it('accepts array-likes for keep', () => {
    const law = sparseJointLaw({ ...base, keep: { length: 2, 0: [0, 1], 1: Int32Array.from([1, 2]) } as never });
    expect(Array.from(law.deltas)).toEqual([0, 0]);
    expect(law.lossyQueryCount).toBe(0);
    expect(law.droppedUnionSize).toBe(0);
    expect(law.keptUnionSize).toBe(0);
  });
});
