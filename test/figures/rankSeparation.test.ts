import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rankSeparation } from '../../src/figures/rankSeparation.js';

/** The definition itself: every pair compared. */
function byPairs(higher: readonly number[], lower: readonly number[]): number {
  let wins = 0;
  for (const h of higher) for (const l of lower) wins += h > l ? 1 : h === l ? 0.5 : 0;
  return wins / (higher.length * lower.length);
}

describe('rankSeparation', () => {
  it('is 1 for full separation, 0 for the reverse, 0.5 for all ties', () => {
    expect(rankSeparation([3, 4], [1, 2])).toBe(1);
    expect(rankSeparation([1, 2], [3, 4])).toBe(0);
    expect(rankSeparation([1, 1], [1])).toBe(0.5);
    expect(rankSeparation([2, 0], [1])).toBe(0.5);
  });

  it('is NaN when a group is empty', () => {
    expect(rankSeparation([], [1])).toBeNaN();
    expect(rankSeparation([1], [])).toBeNaN();
  });

  it('equals the share of winning pairs (ties half), exactly, on small integer samples with ties', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(sample, sample, (higher, lower) => {
        expect(rankSeparation(higher, lower)).toBe(byPairs(higher, lower));
      }),
    );
  });
});
