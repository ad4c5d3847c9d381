/**
 * Sparse attention over a kept index set S: Â_i = A_i/(1−δ) on S (zero elsewhere) and the
 * sparse output ô = Σ_{i∈S} Â_i v_i. Computed as a softmax over the kept logits, which equals the
 * renormalisation mathematically and does not lose accuracy when δ is close to 1.
 */
import { logitsUnchecked, defaultScale, weightedSumUnchecked } from './attention.js';
import { requireNonEmptyKeep, droppedMassFromLogitsUnchecked } from './droppedMass.js';
import { checkMatrix, checkMatrixShape, finiteResult, type Matrix } from './matrix.js';
import { finiteVector, indexSet, membershipMask, numberInRange } from './validate.js';

/** Renormalised attention restricted to `keep`, as a length-N vector (zero off the set). */
export function sparseAttentionWeights(logits: ArrayLike<number>, keep: ArrayLike<number>): Float64Array {
  const z = finiteVector('logits', logits);
  const S = indexSet('keep', keep, z.length);
  requireNonEmptyKeep(S);
  return sparseWeightsUnchecked(z, S);
}

/** @internal */
export function sparseWeightsUnchecked(z: ArrayLike<number>, S: Int32Array): Float64Array {
  let max = -Infinity;
  for (let j = 0; j < S.length; j++) max = Math.max(max, z[S[j]!]!);
  const out = new Float64Array(z.length);
  let sum = 0;
  for (let j = 0; j < S.length; j++) {
    const e = Math.exp(z[S[j]!]! - max);
    out[S[j]!] = e;
    sum += e;
  }
  for (let j = 0; j < S.length; j++) out[S[j]!]! /= sum;
  return out;
}

/** Everything one sparse step produces for one head, beside the dense quantities. */
export interface SparseHeadAttention {
  readonly logits: Float64Array;
  readonly attention: Float64Array;
  readonly dense: Float64Array;
  readonly sparseAttention: Float64Array;
  readonly sparse: Float64Array;
  readonly delta: number;
}

/** Dense and sparse attention of one query over the same cache, with the dropped mass δ. */
export function sparseHeadAttention(
  q: ArrayLike<number>,
  K: Matrix,
  V: Matrix,
  keep: ArrayLike<number>,
  scale?: number,
): SparseHeadAttention {
  const keys = checkMatrixShape('K', K);
  const values = checkMatrixShape('V', V, { rows: keys.rows });
  const query = finiteVector('q', q, { length: keys.columns });
  const S = indexSet('keep', keep, keys.rows);
  requireNonEmptyKeep(S);
  const s =
    scale === undefined
      ? defaultScale(keys.columns)
      : numberInRange('scale', scale, -Number.MAX_VALUE, Number.MAX_VALUE);
  const logits = finiteResult(logitsUnchecked(query, 0, keys.data, 0, keys.rows, keys.columns, s), 'logits', [
    ['K', keys],
  ]);
  const attention = sparseWeightsUnchecked(
    logits,
    Int32Array.from({ length: keys.rows }, (_, i) => i),
  );
  const sparseAttention = sparseWeightsUnchecked(logits, S);
  // The weighted sums skip weights of exactly 0, so a non-finite value there would reach neither
  // output nor the deferred check: scan V when a dense weight underflowed.
  if (attention.includes(0)) checkMatrix('V', values);
  const dense = finiteResult(weightedSumUnchecked(attention, values.data, 0, values.rows, values.columns), 'output', [
    ['V', values],
  ]);
  // Renormalised weights can sum to one rounded up on S where the dense ones do not: check both.
  const sparse = finiteResult(
    weightedSumUnchecked(sparseAttention, values.data, 0, values.rows, values.columns),
    'sparse output',
    [['V', values]],
  );
  const delta = droppedMassFromLogitsUnchecked(logits, membershipMask(S, keys.rows));
  return { logits, attention, dense, sparseAttention, sparse, delta };
}
