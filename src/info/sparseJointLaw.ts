/**
 * The MI-loss setting of theory/mutual-information.md: X ~ π over M queries, J | X=x ~ A(x) (the attended
 * index) and Ĵ | X=x ~ Â(x), the attention renormalised on the query's own kept set S(x).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe, indexSet, membershipMask } from '../core/validate.js';
import { checkJointLaw, mutualInformationUnchecked } from './mutualInformation.js';

export interface SparseJointLawInput {
  /** The law of the query X over M values. */
  readonly pi: ArrayLike<number>;
  /** A(x) for each query x: M probability vectors of one length N. */
  readonly attention: ArrayLike<ArrayLike<number>>;
  /** S(x) for each query x: M non-empty index sets into [0, N) with positive kept mass. */
  readonly keep: ArrayLike<ArrayLike<number>>;
}

export interface SparseJointLaw {
  /** δ(x) = Σ_{i∉S(x)} A(x)_i, summed over the dropped entries (accurate when δ is tiny). */
  readonly deltas: Float64Array;
  /** δ̄ = Σ_x π_x δ(x). */
  readonly deltaBar: number;
  /** I(X;J). */
  readonly mi: number;
  /** I(X;Ĵ). */
  readonly miSparse: number;
  /** I(X;J) − I(X;Ĵ), signed: sparsity can also increase the mutual information. */
  readonly miLoss: number;
  /** Â(x): A(x) restricted to S(x) and divided by the kept mass Σ_{i∈S(x)} A(x)_i. */
  readonly sparseAttention: Float64Array[];
  /** k_x = |S(x)|. */
  readonly keptSizes: Int32Array;
  /** L = {x : π_x δ(x) > 0}, the queries that lose mass; |L|. */
  readonly lossyQueryCount: number;
  /** |∪_{x∈L} D(x)|: how many indices are dropped by some lossy query. */
  readonly droppedUnionSize: number;
  /** |∪_{x∈L} S(x)|: how many indices are kept by some lossy query. */
  readonly keptUnionSize: number;
}

/** Dropped masses, δ̄, I(X;J), I(X;Ĵ), the signed loss and the renormalised rows. */
export function sparseJointLaw(input: SparseJointLawInput): SparseJointLaw {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError('input', 'an object { pi, attention, keep }', describe(input), 'type');
  }
  const { pi, rows } = checkJointLaw(input.pi, input.attention, 'attention');
  const keepList = input.keep as unknown;
  const isArrayLike =
    typeof keepList === 'object' && keepList !== null && typeof (keepList as ArrayLike<unknown>).length === 'number';
  if (!isArrayLike)
    throw new InvalidArgumentError(
      'keep',
      `an array of ${rows.length} index sets (one per query)`,
      describe(keepList),
      'type',
    );
  const keep = Array.from(keepList as ArrayLike<unknown>);
  if (keep.length !== rows.length) {
    throw new InvalidArgumentError(
      'keep',
      `${rows.length} index sets (the length of pi)`,
      `${keep.length} sets`,
      'shape',
    );
  }
  const n = rows[0]!.length;
  const deltas = new Float64Array(rows.length);
  const keptSizes = new Int32Array(rows.length);
  const sparseAttention: Float64Array[] = [];
  let deltaBar = 0;
  const droppedByLossy = new Uint8Array(n);
  const keptByLossy = new Uint8Array(n);
  let lossyQueryCount = 0;
  for (let x = 0; x < rows.length; x++) {
    const S = indexSet(`keep[${x}]`, keep[x], n);
    if (S.length === 0)
      throw new InvalidArgumentError(
        `keep[${x}]`,
        'at least one kept index (Â(x) is undefined for S = ∅)',
        'an empty set',
        'length',
      );
    const mask = membershipMask(S, n);
    const row = rows[x]!;
    let kept = 0;
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      if (mask[i]) kept += row[i]!;
      else dropped += row[i]!;
    }
    if (!(kept > 0)) {
      throw new InvalidArgumentError(
        `keep[${x}]`,
        'a kept set with positive attention mass (Â(x) is undefined otherwise)',
        'a kept mass of 0',
        'domain',
      );
    }
    const renormalised = new Float64Array(n);
    for (let j = 0; j < S.length; j++) renormalised[S[j]!] = row[S[j]!]! / kept;
    sparseAttention.push(renormalised);
    deltas[x] = Math.min(1, dropped);
    keptSizes[x] = S.length;
    deltaBar += pi[x]! * deltas[x]!;
    if (pi[x]! * deltas[x]! > 0) {
      lossyQueryCount++;
      for (let i = 0; i < n; i++) {
        if (mask[i]) keptByLossy[i] = 1;
        else droppedByLossy[i] = 1;
      }
    }
  }
  const count = (flags: Uint8Array) => flags.reduce((total, flag) => total + flag, 0);
  const mi = mutualInformationUnchecked(pi, rows);
  const miSparse = mutualInformationUnchecked(pi, sparseAttention);
  return {
    deltas,
    deltaBar: Math.min(1, deltaBar),
    mi,
    miSparse,
    miLoss: mi - miSparse,
    sparseAttention,
    keptSizes,
    lossyQueryCount,
    droppedUnionSize: count(droppedByLossy),
    keptUnionSize: count(keptByLossy),
  };
}
