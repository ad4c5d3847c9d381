/**
 * How well a score separates two groups: the probability that a random member of `higher` scores
 * above a random member of `lower`, ties counted half (the Mann–Whitney U over |higher|·|lower|,
 * the area under the ROC curve). 0.5 is no separation, 1 perfect.
 */
import { ranks } from './rankCorrelation.js';

/** P(h > l) + ½P(h = l) over all pairs; NaN when either group is empty. */
export function rankSeparation(higher: readonly number[], lower: readonly number[]): number {
  if (higher.length === 0 || lower.length === 0) return Number.NaN;
  const r = ranks([...higher, ...lower]);
  const rankSum = r.slice(0, higher.length).reduce((a, b) => a + b, 0);
  const u = rankSum - (higher.length * (higher.length + 1)) / 2;
  return u / (higher.length * lower.length);
}
