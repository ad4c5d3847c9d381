/**
 * Fannes–Audenaert continuity of entropy (theory/entropy.md, entropy.fannes-audenaert): for p, q
 * on N points with T = TV(p, q), |H(p) − H(q)| ≤ T ln(N−1) + h(T).
 *
 * The function is restricted to T ∈ [0, 1 − 1/N], where t ↦ t ln(N−1) + h(t) is non-decreasing
 * (its derivative is ln((1−t)(N−1)/t)). Callers substitute an upper bound on T (δ̄ for the MI
 * loss); that substitution is valid only on the monotone range, so a larger argument is refused.
 */
import { DomainError } from '../../core/errors.js';
import { describe } from '../../core/validate.js';
import { binaryEntropyUnchecked } from '../entropy.js';
import { integerInDomain, probability, timesLog } from './arguments.js';

/**
 * True when t ∈ [0, 1 − 1/N]. Tested as t·N ≤ N − 1 rather than against a rounded 1 − 1/N; the
 * product rounds by at most half an ulp, so a t that is exactly representable and in range passes.
 */
export function inMonotoneRange(t: number, n: number): boolean {
  return t >= 0 && t * n <= n - 1;
}

/** Checks t ∈ [0, 1 − 1/N] for N ≥ 1 (for N = 1 only t = 0), naming `argument`. */
export function requireMonotoneRange(argument: string, t: number, n: number): void {
  probability(argument, t);
  if (!inMonotoneRange(t, n))
    throw new DomainError(argument, `[0, 1 − 1/N] = [0, ${(n - 1) / n}] for N = ${n}`, describe(t));
}

/** t ln(N−1) + h(t) for t ∈ [0, 1 − 1/N], N ≥ 1. */
export function fannesAudenaertBound(t: number, n: number): number {
  integerInDomain('n', n, 1, Number.MAX_SAFE_INTEGER, 'integers N ≥ 1');
  requireMonotoneRange('t', t, n);
  return fannesAudenaertUnchecked(t, n);
}

/** @internal t ln(N−1) + h(t) on validated input. */
export function fannesAudenaertUnchecked(t: number, n: number): number {
  return timesLog(t, n - 1) + binaryEntropyUnchecked(t);
}
