/** Page summaries per (layer, KV head), built as pages fill: only complete pages, in order. */
import { describe, expect, it } from 'vitest';
import { PageCache } from '../../src/selectors/pageCache.js';
import { handTrace } from './harness.js';

// Two layers, two KV heads, d = 2, seven positions; key (ℓ, h, i) = (100ℓ + 10h + i, 10 − i).
const keys = [0, 1].map((l) => [0, 1].map((h) => [...Array(7).keys()].map((i) => [100 * l + 10 * h + i, 10 - i])));
const trace = handTrace({
  keys,
  queries: [
    [
      [
        [0, 0],
        [0, 0],
      ],
    ],
    [
      [
        [0, 0],
        [0, 0],
      ],
    ],
  ],
});

describe('PageCache', () => {
  it('counts complete pages', () => {
    const cache = new PageCache(trace, 3);
    expect([0, 2, 3, 5, 6, 7].map((n) => cache.completePages(n))).toEqual([0, 0, 1, 1, 2, 2]);
  });
  it('summarises the complete pages of the asked (layer, KV head) only', () => {
    const cache = new PageCache(trace, 3);
    const pages = cache.summaries(1, 1, 7);
    expect(pages.map((p) => [p.start, p.end])).toEqual([
      [0, 3],
      [3, 6],
    ]);
    expect(Array.from(pages[0]!.min)).toEqual([110, 8]);
    expect(Array.from(pages[0]!.max)).toEqual([112, 10]);
    expect(Array.from(pages[1]!.min)).toEqual([113, 5]);
    expect(Array.from(pages[1]!.center)).toEqual([114, 6]);
    expect(Array.from(cache.summaries(0, 1, 3)[0]!.min)).toEqual([10, 8]);
    expect(Array.from(cache.summaries(1, 0, 3)[0]!.max)).toEqual([102, 10]);
  });
  it('grows a head’s list as pages fill and returns the same summaries on later calls', () => {
    const cache = new PageCache(trace, 2);
    expect(cache.summaries(0, 0, 1)).toHaveLength(0);
    const first = cache.summaries(0, 0, 3)[0];
    expect(cache.summaries(0, 0, 5)).toHaveLength(2);
    expect(cache.summaries(0, 0, 7)).toHaveLength(3);
    expect(cache.summaries(0, 0, 7)[0]).toBe(first);
    expect(Array.from(cache.summaries(0, 0, 7)[2]!.max)).toEqual([5, 6]);
  });
});
