/** Seeded draws shared by the figures: grids, random attention rows and kept sets. */
import { softmax } from '../core/softmax.js';
import { topK } from '../core/topK.js';
import type { RandomSource } from '../traces/random.js';

/** n + 1 evenly spaced points from a to b inclusive. */
export function grid(a: number, b: number, n: number): number[] {
  return Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
}

/** softmax(σ·g) with g standard normal: σ sets how peaked the row is. */
export function randomAttentionRow(random: RandomSource, n: number, sigma: number): Float64Array {
  return softmax(Float64Array.from({ length: n }, () => sigma * random.normal()));
}

/** k distinct indices of [0, n), uniformly (partial Fisher–Yates), sorted. */
export function randomSubset(random: RandomSource, n: number, k: number): Int32Array {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + random.integer(n - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.subarray(0, k).sort();
}

/** How a random kept set is drawn: the k largest, k at random, or the k smallest (large δ). */
export type KeepStrategy = 'top' | 'random' | 'bottom';

export function keptSet(
  random: RandomSource,
  scores: ArrayLike<number>,
  k: number,
  strategy: KeepStrategy,
): Int32Array {
  if (strategy === 'top') return topK(scores, k).sort();
  if (strategy === 'bottom')
    return topK(
      Float64Array.from(scores, (s) => -s),
      k,
    ).sort();
  return randomSubset(random, scores.length, k);
}

/** A strategy drawn with probabilities (top, random, bottom). */
export function randomStrategy(
  random: RandomSource,
  weights: readonly [number, number, number] = [0.4, 0.45, 0.15],
): KeepStrategy {
  const u = random.uniform() * (weights[0] + weights[1] + weights[2]);
  return u < weights[0] ? 'top' : u < weights[0] + weights[1] ? 'random' : 'bottom';
}

/** Rounds for display in captions (not for data). */
export function fixed(x: number, digits = 2): string {
  return x.toFixed(digits);
}
