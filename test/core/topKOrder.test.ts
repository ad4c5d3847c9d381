/**
 * top-k against sorting on seeded arrays (deterministic): every k from 0 to N on arrays with and
 * without ties, so every branch of the bounded heap (sift-up, sift-down to either child) is
 * exercised against the definition: (score descending, index ascending), the first k.
 */
import { describe, expect, it } from 'vitest';
import { topK } from '../../src/core/index.js';
import { ansiCLcg } from '../../src/random/index.js';

const lcg = ansiCLcg;

function bySorting(scores: readonly number[], k: number): number[] {
  return scores
    .map((s, i) => [s, i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1])
    .slice(0, k)
    .map(([, i]) => i);
}

describe('topK against sorting', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: arrays of 1 to 40 entries, every k, with and without ties', (seed) => {
    const next = lcg(seed);
    for (let n = 1; n <= 40; n++) {
      for (const tied of [false, true]) {
        const scores = Array.from({ length: n }, () => (tied ? Math.floor(next() * 5) : next() * 10 - 5));
        for (let k = 0; k <= n; k++)
          expect(Array.from(topK(scores, k)), `n ${n} k ${k} ${tied ? 'tied' : ''}`).toEqual(bySorting(scores, k));
      }
    }
  });
});
