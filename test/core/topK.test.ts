import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, topK } from '../../src/core/index.js';

describe('topK', () => {
  it('breaks ties towards the lower index and orders by (score desc, index asc)', () => {
    expect(Array.from(topK([1, 3, 3, 2, 3], 2))).toEqual([1, 2]);
    expect(Array.from(topK([1, 3, 3, 2, 3], 4))).toEqual([1, 2, 4, 3]);
    expect(Array.from(topK([5, 5, 5], 3))).toEqual([0, 1, 2]);
  });

  it('handles k = 0, k = N and N = 0', () => {
    expect(Array.from(topK([1, 2], 0))).toEqual([]);
    expect(Array.from(topK([1, 2], 2))).toEqual([1, 0]);
    expect(Array.from(topK([], 0))).toEqual([]);
  });

  it('is correct at N = 1M with ties at the boundary', () => {
    const n = 1 << 20;
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) scores[i] = (i * 7919) % 1000; // many exact ties
    const k = 2048;
    const kept = topK(scores, k);
    // 999 occurs at ~1049 indices, 998 at ~1049: the set is all 999s, then the lowest-index 998s.
    const sorted = Array.from(scores.keys())
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k);
    expect(Array.from(kept)).toEqual(sorted);
  });

  it('rejects a bad k, naming it', () => {
    expect(() => topK([1, 2], 3)).toThrow(/k: expected an integer in \[0, 2\], received 3/);
    expect(() => topK([1, 2], -1)).toThrow(InvalidArgumentError);
    expect(() => topK([1, 2], 1.5)).toThrow(/k: expected an integer/);
    expect(() => topK([1, Number.NaN], 1)).toThrow(/^scores\[1\]: expected a finite number, received NaN$/);
  });
});
