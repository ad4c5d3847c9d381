/**
 * Tie-aware top-k admissibility (theory/kernel-error.md): a kept set is wrong only when some dropped
 * j beats some kept i by more than both error bounds, z_j − β_j > z_i + β_i; the violation is that
 * excess over the worst pair.
 */
import { describe, expect, it } from 'vitest';
import { indexMismatches, topKSetViolation } from '../../src/verify/topKComparison.js';

describe('topKSetViolation', () => {
  const z = [5, 3, 4, 1];
  it('is 0 for the exact top-k set, whatever the bounds', () => {
    expect(topKSetViolation([0, 2], z, [0, 0, 0, 0])).toBe(0);
    expect(topKSetViolation([0, 2, 1, 3], z, [0, 0, 0, 0])).toBe(0);
  });
  it('is the worst excess z_j − β_j − (z_i + β_i) over kept i and dropped j', () => {
    // Keep {0, 3}: the dropped 2 (4) beats the kept 3 (1) by 3; the dropped 1 (3) by 2.
    expect(topKSetViolation([0, 3], z, [0, 0, 0, 0])).toBe(3);
    expect(topKSetViolation([3, 0], z, [0.5, 0.5, 0.25, 0.25])).toBe(4 - 0.25 - (1 + 0.25));
    expect(topKSetViolation([1], z, [0, 0, 0, 0])).toBe(2);
  });
  it('forgives a swap within the two error bounds, exactly up to equality', () => {
    // Keep 1 (3) instead of 2 (4): admissible when β_1 + β_2 ≥ 1.
    expect(topKSetViolation([0, 1], z, [0, 0.5, 0.5, 0])).toBe(0);
    expect(topKSetViolation([0, 1], z, [0, 0.25, 0.5, 0])).toBe(0.25);
    expect(topKSetViolation([0, 1], z, [0, 0.75, 0, 0])).toBe(0.25);
  });
  it('uses the lowest kept and the highest dropped entry, with their own bounds', () => {
    // Kept 0 (5 + 0) and 3 (1 + 2 = 3); dropped 1 (3 − 0) and 2 (4 − 0.5 = 3.5): 3.5 − 3.
    expect(topKSetViolation([0, 3], z, [0, 0, 0.5, 2])).toBe(0.5);
  });
  it('is 0 with nothing dropped or nothing kept', () => {
    expect(topKSetViolation([], z, [0, 0, 0, 0])).toBe(0);
    expect(topKSetViolation([0, 1, 2, 3], z, [1, 1, 1, 1])).toBe(0);
  });
});

describe('indexMismatches', () => {
  it('counts positions that differ, and a length difference as the longer length', () => {
    expect(indexMismatches([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(indexMismatches([1, 2, 3], [1, 3, 2])).toBe(2);
    expect(indexMismatches([1, 2], [1, 2, 3])).toBe(3);
    expect(indexMismatches([1, 2, 3, 4], [1])).toBe(4);
    expect(indexMismatches([], [])).toBe(0);
  });
});
