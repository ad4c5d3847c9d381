/**
 * Dropped mass δ = Σ_{i∉S} A_i: the attention weight of the entries a sparse step leaves out,
 * and the oracle δ*(k), the smallest δ any k-element set achieves.
 */
import { InvalidArgumentError } from './errors.js';
import { topKUnchecked } from './topK.js';
import { finiteVector, indexSet, integerInRange, membershipMask, probabilityVector } from './validate.js';

/** δ = Σ_{i∉keep} A_i for an attention vector A and a kept index set. */
export function droppedMass(attention: ArrayLike<number>, keep: ArrayLike<number>): number {
  const A = probabilityVector('attention', attention);
  const S = indexSet('keep', keep, A.length);
  const mask = membershipMask(S, A.length);
  let dropped = 0;
  for (let i = 0; i < A.length; i++) if (!mask[i]) dropped += A[i]!;
  return Math.min(1, dropped);
}

/**
 * δ computed from the logits directly: Σ_D e^{z_i−m} / Σ e^{z_i−m}. This keeps relative accuracy
 * when δ is tiny (1 − Σ_S A_i would cancel).
 */
export function droppedMassFromLogits(logits: ArrayLike<number>, keep: ArrayLike<number>): number {
  const z = finiteVector('logits', logits);
  const S = indexSet('keep', keep, z.length);
  return droppedMassFromLogitsUnchecked(z, membershipMask(S, z.length));
}

/** @internal */
export function droppedMassFromLogitsUnchecked(z: ArrayLike<number>, keepMask: Uint8Array): number {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i]! > max) max = z[i]!;
  let dropped = 0;
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp(z[i]! - max);
    total += e;
    if (!keepMask[i]) dropped += e;
  }
  return dropped / total;
}

/** δ*(k): the dropped mass of the oracle top-k set (the minimum over all |S| = k). */
export function oracleDroppedMass(logits: ArrayLike<number>, k: number): number {
  const z = finiteVector('logits', logits);
  integerInRange('k', k, 0, z.length);
  return droppedMassFromLogitsUnchecked(z, membershipMask(topKUnchecked(z, k), z.length));
}

/**
 * The whole curve δ*(0), δ*(1), …, δ*(N) at once: sort attention descending and accumulate the
 * tail from the smallest entry up, so each value is a sum of non-negative terms (no cancellation).
 */
export function oracleDroppedMassCurve(attention: ArrayLike<number>): Float64Array {
  const A = probabilityVector('attention', attention);
  const sorted = Array.from(A).sort((a, b) => b - a);
  const curve = new Float64Array(A.length + 1);
  let tail = 0;
  for (let k = A.length; k >= 0; k--) {
    curve[k] = Math.min(1, tail);
    if (k > 0) tail += sorted[k - 1]!;
  }
  return curve;
}

/** Checks that a kept set is usable for renormalised sparse attention (non-empty). */
export function requireNonEmptyKeep(keep: ArrayLike<number>): void {
  if (keep.length === 0)
    throw new InvalidArgumentError(
      'keep',
      'at least one kept index (Â is undefined for S = ∅)',
      'an empty set',
      'length',
    );
}
