/** Dilation (theory/dilation.md): each anchor p widens to p − r … p + r, clipped to [0, length). */
import { describe, expect, it } from 'vitest';
import { dilate } from '../../src/selectors/dilation.js';

describe('dilate', () => {
  it('widens one anchor by ±r', () => {
    expect(dilate([5], 1, 10)).toEqual([4, 5, 6]);
    expect(dilate([5], 2, 10)).toEqual([3, 4, 5, 6, 7]);
  });
  it('keeps the anchors themselves with radius 0', () => {
    expect(dilate([7, 2], 0, 10)).toEqual([2, 7]);
  });
  it('clips at both ends of the cache (the last position is length − 1)', () => {
    expect(dilate([0, 9], 2, 10)).toEqual([0, 1, 2, 7, 8, 9]);
    expect(dilate([1], 3, 3)).toEqual([0, 1, 2]);
  });
  it('merges overlaps and sorts numerically (not as strings)', () => {
    expect(dilate([5, 3], 1, 10)).toEqual([2, 3, 4, 5, 6]);
    expect(dilate([10, 2], 1, 20)).toEqual([1, 2, 3, 9, 10, 11]);
  });
  it('is empty without anchors', () => {
    expect(dilate([], 3, 10)).toEqual([]);
  });
});
