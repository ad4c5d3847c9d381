/**
 * Shannon entropy in nats, H(p) = −Σ p_i ln p_i with 0·ln 0 = 0, and the binary entropy
 * h(x) = −x ln x − (1−x) ln(1−x).
 */
import { DomainError, InvalidArgumentError } from '../core/errors.js';
import { describe, probabilityVector } from '../core/validate.js';

/** H(p) for a probability vector p (validated: finite, non-negative, summing to 1). */
export function entropy(p: ArrayLike<number>): number {
  return entropyUnchecked(probabilityVector('p', p));
}

/**
 * @internal −Σ p_i ln p_i over the given entries, no validation. Every term is ≥ 0 for
 * p_i ∈ [0, 1], so the sum has no cancellation (its rounding is analysed in theory/entropy.md).
 */
export function entropyUnchecked(p: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (x > 0) sum -= x * Math.log(x);
  }
  return sum;
}

/** h(x) = −x ln x − (1−x) ln(1−x) for x ∈ [0, 1]; h(0) = h(1) = 0. */
export function binaryEntropy(x: number): number {
  if (typeof x !== 'number' || Number.isNaN(x))
    throw new InvalidArgumentError('x', 'a number in [0, 1]', describe(x), 'type');
  if (!(x >= 0 && x <= 1)) throw new DomainError('x', '[0, 1]', describe(x));
  return binaryEntropyUnchecked(x);
}

/**
 * @internal h(x) without validation. ln(1−x) is taken as log1p(−x), which keeps full relative
 * accuracy for x near 0 (where 1 − x would round away the information in x); near 1, 1 − x is
 * exact (Sterbenz), so both terms stay accurate at both ends.
 */
export function binaryEntropyUnchecked(x: number): number {
  if (x <= 0 || x >= 1) return 0;
  return -x * Math.log(x) - (1 - x) * Math.log1p(-x);
}
