/**
 * Tie-aware comparison of a kernel's top-k set with exact float64 scores. The kernel ranked its own
 * (rounded) scores, so near-ties may legitimately swap: the set is wrong only if some kept entry i
 * and dropped entry j satisfy z_i + β_i < z_j − β_j, i.e. j beats i by more than both errors.
 */

/** How far the set is from being admissible: 0 when admissible, else the worst score violation. */
export function topKSetViolation(
  kept: ArrayLike<number>,
  exactScores: ArrayLike<number>,
  errorBounds: ArrayLike<number>,
): number {
  const inSet = new Uint8Array(exactScores.length);
  let lowestKept = Infinity;
  for (let j = 0; j < kept.length; j++) {
    const i = kept[j]!;
    inSet[i] = 1;
    lowestKept = Math.min(lowestKept, exactScores[i]! + errorBounds[i]!);
  }
  let highestDropped = -Infinity;
  for (let i = 0; i < exactScores.length; i++) {
    if (!inSet[i]) highestDropped = Math.max(highestDropped, exactScores[i]! - errorBounds[i]!);
  }
  return Math.max(0, highestDropped - lowestKept);
}

/** Number of positions where two index lists differ (exact top-k on identical scores must agree everywhere). */
export function indexMismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.max(a.length, b.length);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}
