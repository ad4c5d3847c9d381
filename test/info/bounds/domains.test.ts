/**
 * Each bound's domain, at its edges, with the exact message a user sees (the argument, the domain
 * as stated, the value received): a domain off by one or a message naming the wrong argument fails here.
 */
import { describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError } from '../../../src/core/errors.js';
import * as info from '../../../src/info/index.js';
import { thrownMessage as message, thrownProblem as problem } from '../thrownError.js';

const h = (x: number) => info.binaryEntropy(x);

describe('Fannes–Audenaert domain', () => {
  it('inMonotoneRange is [0, 1 − 1/N], tested as t·N ≤ N − 1', () => {
    expect(info.inMonotoneRange(0, 1)).toBe(true);
    expect(info.inMonotoneRange(0.75, 4)).toBe(true);
    expect(info.inMonotoneRange(0.75 + 2 ** -52, 4)).toBe(false);
    expect(info.inMonotoneRange(-1e-300, 4)).toBe(false);
    expect(info.inMonotoneRange(0.5, 2)).toBe(true);
  });
  it('names t and states [0, 1 − 1/N] with its value', () => {
    expect(message(() => info.fannesAudenaertBound(0.8, 4))).toBe(
      't: expected a value in the domain [0, 1 − 1/N] = [0, 0.75] for N = 4, received 0.8',
    );
    expect(message(() => info.fannesAudenaertBound(0.5, 0))).toBe(
      'n: expected a value in the domain integers N ≥ 1, received 0',
    );
  });
});

describe('entropy grouping domains', () => {
  it('states each domain', () => {
    expect(message(() => info.entropyGroupingLowerBound(0.5, 0))).toBe(
      'k: expected a value in the domain integers k ≥ 1 (Â needs a non-empty kept set), received 0',
    );
    expect(message(() => info.entropyGroupingUpperBound(0.5, 0, 1))).toBe(
      'n: expected a value in the domain integers N ≥ 1, received 0',
    );
    expect(message(() => info.entropyGroupingUpperBound(0.5, 4, 5))).toBe(
      'k: expected a value in the domain integers 1 ≤ k ≤ N = 4, received 5',
    );
    expect(message(() => info.entropyGroupingUpperBound(0.5, 4, 4))).toBe(
      'delta: expected a value in the domain {0} when k = N (nothing is dropped), received 0.5',
    );
    expect(message(() => info.entropyGroupingUpperBound(1.5, 4, 2))).toBe(
      'delta: expected a value in the domain [0, 1], received 1.5',
    );
  });
  it('k = N − 1 is inside the upper bound’s domain: h(δ) + δ ln 1 = h(δ)', () => {
    expect(info.entropyGroupingUpperBound(0.25, 4, 3)).toBe(h(0.25));
    expect(info.entropyGroupingLowerBound(0.25, 1)).toBe(h(0.25));
  });
});

describe('MI-loss domains', () => {
  it('miLossBound names deltaBar and n', () => {
    expect(message(() => info.miLossBound(0.9, 4))).toBe(
      'deltaBar: expected a value in the domain [0, 1 − 1/N] = [0, 0.75] for N = 4, received 0.9',
    );
    expect(message(() => info.miLossBound(0.5, 1.5))).toBe('n: expected an integer in integers N ≥ 1, received 1.5');
    expect(info.miLossBound(0.75, 4)).toBeCloseTo(2 * Math.log(4), 14);
  });
  it('the sharp bounds refuse a missing or malformed input, naming it', () => {
    expect(message(() => info.miLossSharpBounds(null as never))).toBe(
      'input: expected an object { pi, deltas, keptSizes, n }, received null',
    );
    expect(message(() => info.miLossSharpBounds(3 as never))).toBe(
      'input: expected an object { pi, deltas, keptSizes, n }, received 3',
    );
    const pi = [0.5, 0.5];
    expect(message(() => info.miLossSharpBounds({ pi, deltas: undefined as never, keptSizes: [1, 1], n: 4 }))).toBe(
      'deltas: expected an array of length 2 (the length of pi), received undefined',
    );
    expect(message(() => info.miLossSharpBounds({ pi, deltas: [0, 0], keptSizes: [1], n: 4 }))).toBe(
      'keptSizes: expected an array of length 2 (the length of pi), received an array of length 1',
    );
    expect(message(() => info.miLossSharpBounds({ pi, deltas: [0, 0], keptSizes: undefined as never, n: 4 }))).toBe(
      'keptSizes: expected an array of length 2 (the length of pi), received undefined',
    );
    expect(message(() => info.miLossSharpBounds({ pi, deltas: [0, 1.5], keptSizes: [1, 1], n: 4 }))).toBe(
      'deltas[1]: expected a value in the domain [0, 1], received 1.5',
    );
    expect(message(() => info.miLossSharpBounds({ pi, deltas: [0, 0.1], keptSizes: [1, 5], n: 4 }))).toBe(
      'keptSizes[1]: expected a value in the domain integers 1 ≤ k ≤ N = 4, received 5',
    );
    expect(message(() => info.miLossSharpBounds({ pi, deltas: [0, 0.1], keptSizes: [1, 4], n: 4 }))).toBe(
      'deltas[1]: expected a value in the domain {0} when keptSizes[x] = N (nothing is dropped), received 0.1',
    );
    expect(message(() => info.miLossSharpBounds({ pi, deltas: [0.9, 0.9], keptSizes: [1, 1], n: 4 }))).toBe(
      'deltaBar (Σ π_x deltas[x]): expected a value in the domain [0, 1 − 1/N] = [0, 0.75] for N = 4, received 0.9',
    );
    expect(message(() => info.miLossSharpBounds({ pi, deltas: [0, 0], keptSizes: [1, 1], n: 0 }))).toBe(
      'n: expected a value in the domain integers N ≥ 1, received 0',
    );
  });
  it('the sharp bounds accept k_x = N with δ(x) = 0, and δ(x) = 1 (a rounded tiny kept mass)', () => {
    const full = info.miLossSharpBounds({ pi: [1], deltas: [0], keptSizes: [4], n: 4 });
    expect(full).toEqual({ lower: -0, upper: 0 });
    const mixed = info.miLossSharpBounds({ pi: [0.5, 0.5], deltas: [1, 0], keptSizes: [1, 4], n: 4 });
    const fa = 0.5 * Math.log(3) + h(0.5);
    expect(mixed.upper).toBeCloseTo(fa, 14);
    expect(mixed.lower).toBeCloseTo(-fa - 0.5 * Math.log(3), 14);
  });
  it('the δ̄-only form: k up to N − 1 when δ̄ > 0, up to N when δ̄ = 0', () => {
    expect(info.miLossSharpBoundsFromMean({ deltaBar: 0, n: 4, minKept: 4, maxKept: 4 })).toEqual({
      lower: -0,
      upper: 0,
    });
    const edge = info.miLossSharpBoundsFromMean({ deltaBar: 0.5, n: 4, minKept: 3, maxKept: 3 });
    expect(edge.upper).toBeCloseTo(0.5 * Math.log(3) + h(0.5) + 0.5 * Math.log(3), 14);
    expect(edge.lower).toBeCloseTo(-(0.5 * Math.log(3) + h(0.5)) - h(0.5), 14);
    expect(message(() => info.miLossSharpBoundsFromMean({ deltaBar: 0.5, n: 4, minKept: 4, maxKept: 4 }))).toBe(
      'minKept: expected a value in the domain integers 1 ≤ k ≤ 3 (a query that drops mass keeps at most N − 1), received 4',
    );
    expect(message(() => info.miLossSharpBoundsFromMean({ deltaBar: 0, n: 4, minKept: 5, maxKept: 5 }))).toBe(
      'minKept: expected a value in the domain integers 1 ≤ k ≤ 4, received 5',
    );
    expect(message(() => info.miLossSharpBoundsFromMean({ deltaBar: 0.5, n: 4, minKept: 2, maxKept: 1 }))).toBe(
      'maxKept: expected a value in the domain integers minKept = 2 ≤ k ≤ 3, received 1',
    );
    expect(message(() => info.miLossSharpBoundsFromMean({ deltaBar: 0.5, n: 4, minKept: 2, maxKept: 4 }))).toBe(
      'maxKept: expected a value in the domain integers minKept = 2 ≤ k ≤ 3, received 4',
    );
    expect(message(() => info.miLossSharpBoundsFromMean({ deltaBar: 0.8, n: 4, minKept: 1, maxKept: 1 }))).toBe(
      'deltaBar: expected a value in the domain [0, 1 − 1/N] = [0, 0.75] for N = 4, received 0.8',
    );
    expect(message(() => info.miLossSharpBoundsFromMean(undefined as never))).toBe(
      'input: expected an object { deltaBar, n, minKept, maxKept }, received undefined',
    );
    expect(message(() => info.miLossSharpBoundsFromMean({ deltaBar: 0.1, n: -1, minKept: 1, maxKept: 1 }))).toBe(
      'n: expected a value in the domain integers N ≥ 1, received -1',
    );
  });
  it('the union bounds: counts from 1 when δ̄ > 0, from 0 when δ̄ = 0, up to N (queries unbounded)', () => {
    expect(message(() => info.miLossUnionBounds(null as never))).toBe(
      'input: expected an object { deltaBar, n, droppedUnionSize?, keptUnionSize?, lossyQueryCount? }, received null',
    );
    expect(message(() => info.miLossUnionBounds({ deltaBar: 0.5, n: 4, droppedUnionSize: 0 }))).toBe(
      'droppedUnionSize: expected a value in the domain integers 1 ≤ m ≤ 4, received 0',
    );
    expect(message(() => info.miLossUnionBounds({ deltaBar: 0, n: 4, keptUnionSize: 5 }))).toBe(
      'keptUnionSize: expected a value in the domain integers 0 ≤ m ≤ 4, received 5',
    );
    expect(message(() => info.miLossUnionBounds({ deltaBar: 0.5, n: 4, lossyQueryCount: 0 }))).toBe(
      `lossyQueryCount: expected a value in the domain integers 1 ≤ m ≤ ${Number.MAX_SAFE_INTEGER}, received 0`,
    );
    expect(message(() => info.miLossUnionBounds({ deltaBar: 0.5, n: 0 }))).toBe(
      'n: expected a value in the domain integers N ≥ 1, received 0',
    );
    const wide = info.miLossUnionBounds({
      deltaBar: 1,
      n: 4,
      droppedUnionSize: 4,
      keptUnionSize: 1,
      lossyQueryCount: 1e6,
    });
    expect(wide.upper).toBeCloseTo(Math.log(4), 14);
    expect(wide.lower).toBe(-0);
    // The smaller of the union and the query count decides, on each side.
    const few = info.miLossUnionBounds({
      deltaBar: 0.5,
      n: 16,
      droppedUnionSize: 9,
      keptUnionSize: 2,
      lossyQueryCount: 3,
    });
    expect(few.upper).toBeCloseTo(h(0.5) + 0.5 * Math.log(3), 14);
    expect(few.lower).toBeCloseTo(-(h(0.5) + 0.5 * Math.log(2)), 14);
  });
  it('the paper candidate: k = N only with δ̄ = 0', () => {
    expect(message(() => info.miPaperCandidate(0.5, 6, 6))).toBe(
      'deltaBar: expected a value in the domain {0} when k = N (nothing is dropped), received 0.5',
    );
    expect(message(() => info.miPaperCandidate(0.5, 6, 7))).toBe(
      'k: expected a value in the domain integers 1 ≤ k ≤ N = 6, received 7',
    );
    expect(message(() => info.miPaperCandidate(-0.5, 6, 2))).toBe(
      'deltaBar: expected a value in the domain [0, 1], received -0.5',
    );
    expect(message(() => info.miPaperCandidate(0.5, 0, 1))).toBe(
      'n: expected a value in the domain integers N ≥ 1, received 0',
    );
    expect(info.miPaperCandidate(1, 6, 1)).toBeCloseTo(Math.log(5), 14);
  });
});

describe('MI-loss refusals: every kind of malformed input, and the problem kind of each', () => {
  it('null and non-object inputs are refused as type problems by all three object-taking bounds', () => {
    for (const bad of [null, undefined, 3, 'input']) {
      expect(message(() => info.miLossSharpBoundsFromMean(bad as never))).toMatch(
        /^input: expected an object \{ deltaBar, n, minKept, maxKept \}, received /,
      );
      expect(message(() => info.miLossUnionBounds(bad as never))).toMatch(
        /^input: expected an object \{ deltaBar, n, droppedUnionSize\?, keptUnionSize\?, lossyQueryCount\? \}, received /,
      );
      expect(message(() => info.miLossSharpBounds(bad as never))).toMatch(
        /^input: expected an object \{ pi, deltas, keptSizes, n \}, received /,
      );
      expect(problem(() => info.miLossSharpBoundsFromMean(bad as never))).toBe('type');
      expect(problem(() => info.miLossUnionBounds(bad as never))).toBe('type');
      expect(problem(() => info.miLossSharpBounds(bad as never))).toBe('type');
    }
  });
  it('the sharp bounds name pi, and call a per-query array of the wrong length a length problem', () => {
    expect(message(() => info.miLossSharpBounds({ pi: [0.5, 0.6], deltas: [0, 0], keptSizes: [1, 1], n: 4 }))).toMatch(
      /^pi(\[\d+\])?: /,
    );
    const pi = [0.5, 0.5];
    expect(problem(() => info.miLossSharpBounds({ pi, deltas: [0], keptSizes: [1, 1], n: 4 }))).toBe('length');
    expect(problem(() => info.miLossSharpBounds({ pi, deltas: [0, 0], keptSizes: [1, 1, 1], n: 4 }))).toBe('length');
  });
});

describe('the other bounds’ domains', () => {
  it('truncation: δ ∈ [0, 1)', () => {
    expect(message(() => info.klSparseToDense(1))).toBe(
      'delta: expected a value in the domain [0, 1) (at δ = 1 nothing is kept and Â is undefined), received 1',
    );
    expect(info.klSparseToDense(0.75)).toBeCloseTo(Math.log(4), 15);
  });
  it('output error: finite norms, δ ∈ [0, 1]', () => {
    expect(message(() => info.outputErrorBoundDiameter(0.5, Infinity))).toBe(
      'diameter: expected a value in the domain [0, ∞) (a finite norm), received Infinity',
    );
    expect(message(() => info.outputErrorBoundMaxNorm(0.5, -1))).toBe(
      'maxValueNorm: expected a value in the domain [0, ∞) (a finite norm), received -1',
    );
    expect(message(() => info.outputErrorBoundMaxNorm(-0.5, 1))).toBe(
      'delta: expected a value in the domain [0, 1], received -0.5',
    );
    expect(info.outputErrorBoundDiameter(1, Number.MAX_VALUE)).toBe(Number.MAX_VALUE);
    expect(info.outputErrorBoundMaxNorm(0, 0)).toBe(0);
  });
  it('oracle: 0 ≤ k ≤ N', () => {
    expect(message(() => info.oracleUniformBound(5, 4))).toBe(
      'k: expected a value in the domain integers 0 ≤ k ≤ N = 4, received 5',
    );
    expect(message(() => info.oracleUniformBound(-1, 4))).toBe(
      'k: expected a value in the domain integers 0 ≤ k ≤ N = 4, received -1',
    );
    expect(message(() => info.oracleUniformBound(0, 0))).toBe(
      'n: expected a value in the domain integers N ≥ 1, received 0',
    );
    expect(info.oracleUniformBound(1, 3)).toBe(2 / 3);
  });
  it('softmax sensitivity: r ∈ [0, ∞]', () => {
    expect(message(() => info.softmaxSensitivityTanh(-1))).toBe(
      'range: expected a value in the domain [0, ∞] (range = max u − min u), received -1',
    );
    expect(info.softmaxSensitivityLinear(Infinity)).toBe(Infinity);
    expect(info.softmaxSensitivityLinear(0)).toBe(0);
    expect(info.softmaxSensitivityTanh(2)).toBe(2 * Math.tanh(0.5));
  });
  it('every domain error is a DomainError and every type error is not', () => {
    expect(() => info.klSparseToDense(2)).toThrow(DomainError);
    expect(() => info.klSparseToDense('x' as never)).toThrow(InvalidArgumentError);
    expect(() => info.klSparseToDense('x' as never)).not.toThrow(DomainError);
  });
});
