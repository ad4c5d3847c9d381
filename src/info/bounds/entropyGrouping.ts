/**
 * Entropy grouping bounds (theory/entropy.md, entropy.grouping-bounds). From the exact identity
 * H(A) = h(δ) + (1−δ)H(Â) + δ·H(A_D/δ) with 0 ≤ H(Â) ≤ ln k and 0 ≤ H(A_D/δ) ≤ ln(N−k):
 *   h(δ) − δ ln k ≤ H(A) − H(Â) ≤ h(δ) + δ ln(N−k).
 */
import { DomainError } from '../../core/errors.js';
import { describe } from '../../core/validate.js';
import { binaryEntropyUnchecked } from '../entropy.js';
import { integerInDomain, probability, timesLog } from './arguments.js';

/** h(δ) − δ ln k: lower bound on H(A) − H(Â) for a kept set of size k ≥ 1. */
export function entropyGroupingLowerBound(delta: number, k: number): number {
  probability('delta', delta);
  integerInDomain('k', k, 1, Number.MAX_SAFE_INTEGER, 'integers k ≥ 1 (Â needs a non-empty kept set)');
  return binaryEntropyUnchecked(delta) - timesLog(delta, k);
}

/**
 * h(δ) + δ ln(N−k): upper bound on H(A) − H(Â) for |S| = k of N. Domain 1 ≤ k ≤ N−1, or k = N
 * with δ = 0 (nothing dropped), where the bound is 0.
 */
export function entropyGroupingUpperBound(delta: number, n: number, k: number): number {
  probability('delta', delta);
  integerInDomain('n', n, 1, Number.MAX_SAFE_INTEGER, 'integers N ≥ 1');
  integerInDomain('k', k, 1, n, `integers 1 ≤ k ≤ N = ${n}`);
  if (k === n) {
    if (delta !== 0) throw new DomainError('delta', '{0} when k = N (nothing is dropped)', describe(delta));
    return 0;
  }
  return binaryEntropyUnchecked(delta) + timesLog(delta, n - k);
}
