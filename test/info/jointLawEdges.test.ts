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
  });
});
