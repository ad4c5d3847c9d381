/**
 * Edges of the joint-law measures: the one clamp of I(X;J) (a rounded −1e-16 returned as 0,
 * theory/mutual-information.md), the ratio fallback of KL when x/y over- or underflows, and the
 * exact messages of malformed laws and of binaryEntropy.
 */
import { describe, expect, it } from 'vitest';
import { DomainError, InvalidArgumentError } from '../../src/core/errors.js';
import { klDivergenceUnchecked } from '../../src/info/divergence.js';
import { binaryEntropy, klDivergence, mutualInformation, totalVariation } from '../../src/info/index.js';
import { checkJointLaw } from '../../src/info/mutualInformation.js';
import { thrown } from './thrownError.js';

describe('mutualInformation clamp', () => {
  it('returns 0, not −1e-16, for identical rows whose rounded sum is negative', () => {
    // π = (0.18, 1 − 0.18), rows (0.01, 0.99): the unclamped sum rounds to −1.1e-16.
    expect(
      mutualInformation(
        [0.18, 1 - 0.18],
        [
          [0.01, 0.99],
          [0.01, 0.99],
        ],
      ),
    ).toBe(0);
    expect(
      mutualInformation(
        [0.08, 1 - 0.08],
        [
          [0.01, 0.99],
          [0.01, 0.99],
        ],
      ),
    ).toBe(0);
  });
  it('caps A(x)_j / p_j at 1/π_x when the marginal underflows to 0', () => {
    // p_2 = 0.5·5e-324 rounds to 0; the capped term is 5e-324·ln 2, far below every other term.
    const value = mutualInformation(
      [0.5, 0.5],
      [
        [1, 0, 0],
        [1 - 5e-324, 0, 5e-324],
      ],
    );
    expect(value).toBe(0);
  });
});

describe('KL of two neighbouring laws: the log of the ratio, not a difference of logs', () => {
  it('p = (½ + d, ½ − d) against q = (½, ½), d = 2⁻¹⁶, within its rounding bound of the exact series', () => {
    // KL = ½[(1+t)ln(1+t) + (1−t)ln(1−t)] = Σ_k t^{2k}/(2k(2k−1)) with t = 2d (exact inputs: p
    // dyadic, x/y = 1 ± t exact). Computed as x·ln(x/y) per term: ln within 1 ulp (2u), the product
    // u, so each term errs by ≤ 3u|term|, and the sum of the two terms by u|KL| more: the bound is
    // 3u·Σ|terms| + u·KL (+ u·KL for the series evaluated in double), first order, doubled
    // (SECOND_ORDER_SLACK). Here Σ|terms| ≈ 2d while KL ≈ 2d², so the bound is ≈ 3u/d relative. The
    // two-log form ln x − ln y loses ≈ u·ln 2 absolutely in each log, about u/d² relative: d times worse.
    const d = 2 ** -16;
    const t = 2 * d;
    let exact = 0;
    for (let k = 6; k >= 1; k--) exact += t ** (2 * k) / (2 * k * (2 * k - 1));
    const p = [0.5 + d, 0.5 - d];
    const magnitudes = p.reduce((sum, x) => sum + Math.abs(x * Math.log(2 * x)), 0);
    const u = 2 ** -53;
    const bound = 2 * (3 * u * magnitudes + 2 * u * exact);
    expect(Math.abs(klDivergence(p, [0.5, 0.5]) - exact)).toBeLessThanOrEqual(bound);
  });
});

describe('KL ratio fallback', () => {
  it('uses ln x − ln y when x/y underflows to 0', () => {
    const value = klDivergenceUnchecked([5e-324], [4]);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeLessThan(0);
  });
  it('skips zero entries of p even where q is 0', () => {
    expect(klDivergence([0, 1], [0, 1])).toBe(0);
    expect(klDivergenceUnchecked([0, 0.5, 0.5], [0, 0.5, 0.5])).toBe(0);
  });
  it('KL and TV name p and q', () => {
    expect(thrown(() => klDivergence([0.5, 0.6], [0.5, 0.5])).message).toMatch(/^p: /);
    expect(thrown(() => totalVariation([0.5, 0.5], [0.5, 0.6])).message).toMatch(/^q: /);
  });
});

describe('joint-law messages', () => {
  it('conditionals: not an array, wrong row count, rows of unequal length', () => {
    expect(thrown(() => checkJointLaw([0.5, 0.5], 7)).message).toBe(
      'conditionals: expected an array of 2 probability vectors (one per value of pi), received 7',
    );
    expect(thrown(() => checkJointLaw([0.5, 0.5], null)).message).toBe(
      'conditionals: expected an array of 2 probability vectors (one per value of pi), received null',
    );
    expect(thrown(() => checkJointLaw([0.5, 0.5], { length: 'x' })).message).toMatch(
      /^conditionals: expected an array of 2/,
    );
    expect(thrown(() => checkJointLaw([1], [[1], [1]])).message).toBe(
      'conditionals: expected 1 rows (the length of pi), received 2 rows',
    );
    expect(thrown(() => checkJointLaw([0.5, 0.5], [[1, 0], [1]], 'attention')).message).toMatch(/^attention\[1\]: /);
    expect(
      thrown(() =>
        checkJointLaw(
          [0.5, 0.5],
          [
            [2, -1],
            [1, 0],
          ],
          'attention',
        ),
      ).message,
    ).toMatch(/^attention\[0\]\[1\]: /);
  });
  it('a string is not an array of rows, even one as long as pi; each refusal has its problem kind', () => {
    expect(thrown(() => checkJointLaw([0.5, 0.5], 'ab')).message).toBe(
      'conditionals: expected an array of 2 probability vectors (one per value of pi), received "ab"',
    );
    expect((thrown(() => checkJointLaw([0.5, 0.5], 7)) as InvalidArgumentError).problem).toBe('type');
    expect((thrown(() => checkJointLaw([1], [[1], [1]])) as InvalidArgumentError).problem).toBe('shape');
  });
  it('accepts array-like conditionals and returns the rows', () => {
    const law = checkJointLaw([1], { length: 1, 0: [0.25, 0.75] });
    expect(Array.from(law.rows[0]!)).toEqual([0.25, 0.75]);
    expect(Array.from(law.pi)).toEqual([1]);
  });
});

describe('binaryEntropy messages', () => {
  it('type and domain errors, named x', () => {
    const type = thrown(() => binaryEntropy('0.5' as never));
    expect(type).toBeInstanceOf(InvalidArgumentError);
    expect(type).not.toBeInstanceOf(DomainError);
    expect(type.message).toBe('x: expected a number in [0, 1], received "0.5"');
    expect(thrown(() => binaryEntropy(Number.NaN)).message).toBe('x: expected a number in [0, 1], received NaN');
    expect(thrown(() => binaryEntropy(2)).message).toBe('x: expected a value in the domain [0, 1], received 2');
    expect((type as InvalidArgumentError).problem).toBe('type');
    expect((thrown(() => binaryEntropy(Number.NaN)) as InvalidArgumentError).problem).toBe('type');
    expect((thrown(() => binaryEntropy(2)) as InvalidArgumentError).problem).toBe('domain');
  });
});
