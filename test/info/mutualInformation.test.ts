import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import { mutualInformation, mutualInformationRoundingError, sparseJointLaw } from '../../src/info/index.js';

describe('mutualInformation', () => {
  it('is ln M for a noiseless channel with uniform input, 0 for identical rows', () => {
    expect(
      mutualInformation(
        [0.25, 0.25, 0.25, 0.25],
        [
          [1, 0, 0, 0],
          [0, 1, 0, 0],
          [0, 0, 1, 0],
          [0, 0, 0, 1],
        ],
      ),
    ).toBeCloseTo(Math.log(4), 15);
    expect(
      mutualInformation(
        [0.3, 0.7],
        [
          [0.2, 0.8],
          [0.2, 0.8],
        ],
      ),
    ).toBeLessThanOrEqual(mutualInformationRoundingError(2, 2));
  });
  it('matches the binary symmetric channel: ln 2 − h(ε)', () => {
    const e = 0.1;
    expect(
      mutualInformation(
        [0.5, 0.5],
        [
          [1 - e, e],
          [e, 1 - e],
        ],
      ),
    ).toBeCloseTo(Math.LN2 + e * Math.log(e) + (1 - e) * Math.log(1 - e), 15);
  });
  it('ignores rows of zero prior weight', () => {
    expect(
      mutualInformation(
        [1, 0],
        [
          [0.5, 0.5],
          [1, 0],
        ],
      ),
    ).toBe(0);
  });
  it('ignores a zero-weight row whose mass lies where no weighted row has any', () => {
    // p_J = (1, 0): the second row's ratio A/p_J would be 1/0, and its weight 0·∞ = NaN.
    expect(
      mutualInformation(
        [1, 0],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toBe(0);
  });
  it('stays finite when the marginal underflows', () => {
    expect(
      mutualInformation(
        [0.5, 0.5],
        [
          [1, 0, 0],
          [1 - 5e-324, 0, 5e-324],
        ],
      ),
    ).toBeGreaterThanOrEqual(0);
  });
  it('rejects malformed laws naming the argument', () => {
    expect(() => mutualInformation([0.5, 0.5], [[1, 0]])).toThrow(/^conditionals:/);
    expect(() =>
      mutualInformation(
        [0.5, 0.5],
        [
          [1, 0],
          [1, 0, 0],
        ],
      ),
    ).toThrow(/conditionals\[1\]/);
    expect(() => mutualInformation([0.5, 0.6], [[1], [1]])).toThrow(/^pi:/);
    expect(() => mutualInformation([1], 3 as unknown as number[][])).toThrow(InvalidArgumentError);
  });
});

describe('sparseJointLaw', () => {
  it('reproduces the δ-only family: loss δ ln(N−1), I(X;Ĵ) = 0', () => {
    const n = 9;
    const delta = 0.3;
    const attention = Array.from({ length: n - 1 }, (_, x) =>
      Array.from({ length: n }, (_, i) => (i === 0 ? 1 - delta : i === x + 1 ? delta : 0)),
    );
    const law = sparseJointLaw({ pi: new Array(n - 1).fill(1 / (n - 1)), attention, keep: attention.map(() => [0]) });
    expect(law.miSparse).toBe(0);
    expect(law.miLoss).toBeCloseTo(delta * Math.log(n - 1), 14);
    expect(law.deltaBar).toBeCloseTo(delta, 15);
    expect(Array.from(law.keptSizes)).toEqual(new Array(n - 1).fill(1));
    expect(law.droppedUnionSize).toBe(n - 1);
    expect(law.keptUnionSize).toBe(1);
    expect(law.lossyQueryCount).toBe(n - 1);
  });
  it('reproduces the paper-candidate counterexample inside δ̄ ≤ 1 − 1/N (N = 6, δ = 0.8)', () => {
    const n = 6;
    const delta = 0.8;
    const attention = Array.from({ length: n }, (_, x) =>
      Array.from({ length: n }, (_, i) => (i === x ? delta : (1 - delta) / (n - 1))),
    );
    const keep = attention.map((_, x) => Array.from({ length: n }, (_, i) => i).filter((i) => i !== x));
    const law = sparseJointLaw({ pi: new Array(n).fill(1 / n), attention, keep });
    const h = -delta * Math.log(delta) - (1 - delta) * Math.log(1 - delta);
    expect(law.miLoss).toBeCloseTo(delta * Math.log(n - 1) - h, 14);
    expect(law.miLoss).toBeGreaterThan(h + 0.28); // the candidate h(δ̄) + δ̄ ln(N − (N−1)) = h(δ̄)
  });
  it('renormalises on the kept set and records δ(x)', () => {
    const law = sparseJointLaw({ pi: [1], attention: [[0.5, 0.25, 0.25]], keep: [[0, 2]] });
    expect(Array.from(law.deltas)).toEqual([0.25]);
    expect(Array.from(law.sparseAttention[0]!)).toEqual([2 / 3, 0, 1 / 3]);
    expect(law.mi).toBe(0);
    expect(law.miLoss).toBe(0);
  });
  it('rejects empty kept sets, zero kept mass, bad indices and shape mismatches', () => {
    const base = {
      pi: [0.5, 0.5],
      attention: [
        [0.5, 0.5, 0],
        [0, 0.5, 0.5],
      ],
    };
    expect(() => sparseJointLaw({ ...base, keep: [[0], []] })).toThrow(/keep\[1\]/);
    expect(() => sparseJointLaw({ ...base, keep: [[2], [0, 1]] })).toThrow(/keep\[0\]/);
    expect(() => sparseJointLaw({ ...base, keep: [[0], [3]] })).toThrow(/keep\[1\]\[0\]/);
    expect(() => sparseJointLaw({ ...base, keep: [[0, 0], [1]] })).toThrow(/keep\[0\]\[1\]/);
    expect(() => sparseJointLaw({ ...base, keep: [[0]] })).toThrow(/^keep:/);
    expect(() => sparseJointLaw({ pi: [1], attention: [[0.5, 0.5]], keep: 7 as unknown as number[][] })).toThrow(
      /^keep:/,
    );
    expect(() => sparseJointLaw(null as unknown as Parameters<typeof sparseJointLaw>[0])).toThrow(InvalidArgumentError);
  });
});

describe('mutualInformation weighs the marginal by π (deterministic)', () => {
  it('a noiseless channel carries H(π) for a non-uniform π', () => {
    // p = Σ_x π_x A(x) = π; a marginal that ignored π (uniform) would give ln 2 instead of h(¼).
    const h = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
    expect(
      mutualInformation(
        [0.25, 0.75],
        [
          [1, 0],
          [0, 1],
        ],
      ),
    ).toBeCloseTo(h, 15);
  });
  it('a binary channel with a skewed input: the hand value Σ π_x A_xj ln(A_xj / p_j)', () => {
    const pi = [0.1, 0.9];
    const A = [
      [0.7, 0.3],
      [0.2, 0.8],
    ];
    const p = [0.1 * 0.7 + 0.9 * 0.2, 0.1 * 0.3 + 0.9 * 0.8];
    let expected = 0;
    for (let x = 0; x < 2; x++)
      for (let j = 0; j < 2; j++) expected += pi[x]! * A[x]![j]! * Math.log(A[x]![j]! / p[j]!);
    expect(mutualInformation(pi, A)).toBeCloseTo(expected, 15);
  });
});
