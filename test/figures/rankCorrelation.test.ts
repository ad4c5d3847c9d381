import { describe, expect, it } from 'vitest';
import { ranks, spearman } from '../../src/figures/rankCorrelation.js';

describe('spearman', () => {
  it('ranks ties by their mean rank', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });
  it('is 1 for any increasing relation, −1 for a decreasing one', () => {
    const x = [0.1, 0.5, 0.2, 0.9, 0.3];
    expect(
      spearman(
        x,
        x.map((v) => Math.exp(5 * v)),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      spearman(
        x,
        x.map((v) => -v * v),
      ),
    ).toBeCloseTo(-1, 12);
  });
  it('matches the textbook value 1 − 6Σd²/(n(n²−1)) without ties', () => {
    const x = [1, 2, 3, 4, 5];
    const y = [2, 1, 4, 3, 5];
    expect(spearman(x, y)).toBeCloseTo(1 - (6 * 4) / (5 * 24), 12);
  });
  it('is NaN when a side is constant and refuses unequal lengths', () => {
    expect(spearman([1, 2, 3], [4, 4, 4])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(RangeError);
  });
});
