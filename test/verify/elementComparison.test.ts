/**
 * The element-wise verdicts of theory/kernel-error.md on hand-made outputs: (a) every error within
 * its bound, (b) within xformers' tolerance atol + rtol·|ref| (or atol + rtol·m for a given magnitude m), (c) at most twice the naive
 * implementation's error plus a floor, and the NaN/±Inf pattern.
 */
import { describe, expect, it } from 'vitest';
import { compareElements } from '../../src/verify/elementComparison.js';

describe('compareElements', () => {
  it('reports the largest error, the bound at it and the worst error/bound ratio', () => {
    const c = compareElements([1.5, 2.1, -3], [1, 2, -3], [1, 0.05, 0.5], 'fp32');
    expect(c.maxError).toBe(0.5);
    expect(c.bound).toBe(1);
    expect(c.ratio).toBeCloseTo(2, 12); // 0.1 / 0.05
    expect(c.verdicts.withinBound).toBe(false);
    expect(c.naiveError).toBeNull();
    expect(c.verdicts.withinNaive).toBeNull();
  });
  it('on equal largest errors reports the smaller bound', () => {
    expect(compareElements([1.5, 2.5], [1, 2], [1, 0.75], 'fp32').bound).toBe(0.75);
    expect(compareElements([1.5, 2.5], [1, 2], [0.75, 1], 'fp32').bound).toBe(0.75);
  });
  it('ratio: error/bound, ∞ for an error against a zero bound, 0 for no error', () => {
    expect(compareElements([1], [1], [0], 'fp32').ratio).toBe(0);
    expect(compareElements([1.25], [1], [0], 'fp32').ratio).toBe(Infinity);
    expect(compareElements([1.25], [1], [0], 'fp32').verdicts.withinBound).toBe(false);
    // A zero bound of either sign is no room at all.
    expect(compareElements([1.25], [1], [-0], 'fp32').ratio).toBe(Infinity);
  });
  it('a bound that could not be computed (NaN) fails (a) and counts as no room', () => {
    const c = compareElements([1.25, 2], [1, 2], [Number.NaN, 1], 'fp32');
    expect(c.verdicts.withinBound).toBe(false);
    expect(c.ratio).toBe(Infinity);
  });
  it('tolerance (b): atol + rtol·|ref| per dtype, inclusive', () => {
    // fp32: atol 3e-4, rtol 2e-5; at ref 10 the tolerance is 5e-4.
    expect(compareElements([10 + 4.9e-4], [10], [1], 'fp32').verdicts.withinTolerance).toBe(true);
    expect(compareElements([10 + 5.1e-4], [10], [1], 'fp32').verdicts.withinTolerance).toBe(false);
    expect(compareElements([-10 - 5.1e-4], [-10], [1], 'fp32').verdicts.withinTolerance).toBe(false);
    // At ref 0 the tolerance is atol exactly, and an error equal to it passes.
    expect(compareElements([3e-4], [0], [1], 'fp32').verdicts.withinTolerance).toBe(true);
    expect(compareElements([-4e-3], [0], [1], 'fp16').verdicts.withinTolerance).toBe(true);
    expect(compareElements([1 + 4.3e-3], [1], [1], 'fp16').verdicts.withinTolerance).toBe(true);
    expect(compareElements([1 + 4.5e-3], [1], [1], 'fp16').verdicts.withinTolerance).toBe(false);
    expect(compareElements([1 + 2.4e-2], [1], [1], 'bf16').verdicts.withinTolerance).toBe(true);
    expect(compareElements([1 + 2.6e-2], [1], [1], 'bf16').verdicts.withinTolerance).toBe(false);
  });
  it('tolerance (b) against given magnitudes: atol + rtol·m instead of atol + rtol·|ref|', () => {
    // A logit of 10 whose terms sum to 1e4 in magnitude: the fp32 tolerance is 3e-4 + 2e-5·1e4 = 0.2003.
    const logit = (error: number) =>
      compareElements([10 + error], [10], [1], 'fp32', { magnitudes: [1e4] }).verdicts.withinTolerance;
    expect(logit(0.2)).toBe(true);
    expect(logit(0.201)).toBe(false);
    // Against |ref| the same error of 0.2 would fail: 3e-4 + 2e-5·10 = 5e-4.
    expect(compareElements([10.2], [10], [1], 'fp32').verdicts.withinTolerance).toBe(false);
  });
  it('naive rule (c): at most 2× the naive error plus max(one fp32 ulp of the largest |ref|, 1% of the bound)', () => {
    // Naive error 1e-3, bound 1 (floor 0.01): passes up to 0.012.
    expect(compareElements([1.0119], [1], [1], 'fp32', { naive: [1.001] }).verdicts.withinNaive).toBe(true);
    expect(compareElements([1.0121], [1], [1], 'fp32', { naive: [1.001] }).verdicts.withinNaive).toBe(false);
    // Bound 0 (floor one ulp of |ref| = 2^20, i.e. 2^-3): an error of 0.125 over a perfect naive output passes, 0.25 does not.
    expect(compareElements([2 ** 20 + 0.125], [2 ** 20], [0], 'fp32', { naive: [2 ** 20] }).verdicts.withinNaive).toBe(
      true,
    );
    expect(compareElements([2 ** 20 + 0.25], [2 ** 20], [0], 'fp32', { naive: [2 ** 20] }).verdicts.withinNaive).toBe(
      false,
    );
    expect(compareElements([1.001], [1], [1], 'fp32', { naive: [1.001] }).naiveError).toBeCloseTo(0.001, 12);
  });
  it('the naive error skips non-finite entries of either side', () => {
    expect(compareElements([1, Number.NaN], [1, Number.NaN], [1, 1], 'fp32', { naive: [1.5, 7] }).naiveError).toBe(0.5);
    expect(compareElements([1, 2], [1, 2], [1, 1], 'fp32', { naive: [1, Infinity] }).naiveError).toBe(0);
  });
  it('NaN and ±Inf must sit exactly where the reference has them, and lengths must agree', () => {
    expect(
      compareElements([Number.NaN, Infinity, -Infinity], [Number.NaN, Infinity, -Infinity], [0, 0, 0], 'fp32').verdicts
        .nonFinitePatternMatches,
    ).toBe(true);
    expect(compareElements([Infinity], [-Infinity], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    expect(compareElements([Number.NaN], [1], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    expect(compareElements([1], [Infinity], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    expect(compareElements([1, 2], [1], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    // −∞ is its own kind: neither finite nor +∞.
    expect(compareElements([-Infinity], [1], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    expect(compareElements([1], [-Infinity], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    expect(compareElements([-Infinity], [Infinity], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    expect(compareElements([Number.NaN], [-Infinity], [0], 'fp32').verdicts.nonFinitePatternMatches).toBe(false);
    // Non-finite pairs are not errors: the bound and tolerance verdicts hold.
    const c = compareElements([Number.NaN, 1], [Number.NaN, 1], [0, 0], 'fp32');
    expect(c.verdicts.withinBound && c.verdicts.withinTolerance).toBe(true);
    expect(c.maxError).toBe(0);
  });
  it('a non-finite value facing a finite one fails the pattern alone: errors, ratio and (a), (b) cover the pairs finite on both sides', () => {
    for (const [output, reference] of [
      [
        [Number.NaN, 1.5],
        [1, 1],
      ],
      [
        [5, 1.5],
        [Infinity, 1],
      ],
      [
        [-Infinity, 1.5],
        [1, 1],
      ],
    ] as const) {
      const c = compareElements(output, reference, [1, 1], 'bf16');
      expect(c.verdicts.nonFinitePatternMatches).toBe(false);
      expect(c.maxError).toBe(0.5);
      expect(c.ratio).toBe(0.5);
      expect(c.verdicts.withinBound).toBe(true);
    }
  });
});
