/**
 * Bounds on the mutual-information loss I(X;J) − I(X;Ĵ) of sparse attention in the joint-law
 * setting of theory/mutual-information.md. δ̄ = Σ_x π_x δ(x); N the number of keys.
 */
import { DomainError, InvalidArgumentError } from '../../core/errors.js';
import { describe, probabilityVector } from '../../core/validate.js';
import { binaryEntropyUnchecked } from '../entropy.js';
import { integerInDomain, probability, timesLog } from './arguments.js';
import { fannesAudenaertUnchecked, requireMonotoneRange } from './fannesAudenaert.js';

/** Lower and upper bounds on the signed loss I(X;J) − I(X;Ĵ). */
export interface LossInterval {
  readonly lower: number;
  readonly upper: number;
}

function keyCount(n: unknown): number {
  return integerInDomain('n', n, 1, Number.MAX_SAFE_INTEGER, 'integers N ≥ 1');
}

/**
 * mutual-information.loss-bound: |I(X;J) − I(X;Ĵ)| ≤ 2[h(δ̄) + δ̄ ln(N−1)], for δ̄ ∈ [0, 1 − 1/N]
 * (Fannes–Audenaert on the marginals, grouping plus concavity of h on the conditionals).
 */
export function miLossBound(deltaBar: number, n: number): number {
  keyCount(n);
  requireMonotoneRange('deltaBar', deltaBar, n);
  return 2 * fannesAudenaertUnchecked(deltaBar, n);
}

/** Per-query data for the sharp bounds: the prior, each query's δ(x) and k_x = |S(x)|, and N. */
export interface MiLossSharpInput {
  readonly pi: ArrayLike<number>;
  readonly deltas: ArrayLike<number>;
  readonly keptSizes: ArrayLike<number>;
  readonly n: number;
}

/**
 * mutual-information.loss-bound-sharp, data-dependent form:
 *   upper = FA(δ̄) − Σ_x π_x [h(δ_x) − δ_x ln k_x],
 *   lower = −FA(δ̄) − Σ_x π_x [h(δ_x) + δ_x ln(N − k_x)],
 * with FA(t) = t ln(N−1) + h(t), valid for δ̄ ≤ 1 − 1/N. Each k_x ∈ [1, N], and k_x = N forces δ_x = 0.
 */
export function miLossSharpBounds(input: MiLossSharpInput): LossInterval {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError('input', 'an object { pi, deltas, keptSizes, n }', describe(input), 'type');
  const n = keyCount(input.n);
  const pi = probabilityVector('pi', input.pi);
  const deltas = input.deltas;
  const keptSizes = input.keptSizes;
  if (deltas?.length !== pi.length)
    throw new InvalidArgumentError(
      'deltas',
      `an array of length ${pi.length} (the length of pi)`,
      describe(deltas),
      'length',
    );
  if (keptSizes?.length !== pi.length)
    throw new InvalidArgumentError(
      'keptSizes',
      `an array of length ${pi.length} (the length of pi)`,
      describe(keptSizes),
      'length',
    );
  let deltaBar = 0;
  let upperConditional = 0;
  let lowerConditional = 0;
  for (let x = 0; x < pi.length; x++) {
    // δ(x) = 1 is accepted: a positive kept mass below 2⁻⁵³ rounds δ(x) to 1, and every term is continuous there.
    const delta = probability(`deltas[${x}]`, deltas[x]);
    const k = integerInDomain(`keptSizes[${x}]`, keptSizes[x], 1, n, `integers 1 ≤ k ≤ N = ${n}`);
    if (k === n && delta !== 0)
      throw new DomainError(`deltas[${x}]`, '{0} when keptSizes[x] = N (nothing is dropped)', describe(delta));
    const h = binaryEntropyUnchecked(delta);
    deltaBar += pi[x]! * delta;
    upperConditional += pi[x]! * (h - timesLog(delta, k));
    lowerConditional += pi[x]! * (h + timesLog(delta, n - k));
  }
  deltaBar = Math.min(1, deltaBar);
  requireMonotoneRange('deltaBar (Σ π_x deltas[x])', deltaBar, n);
  const marginal = fannesAudenaertUnchecked(deltaBar, n);
  return { lower: -marginal - lowerConditional, upper: marginal - upperConditional };
}

/** What the δ̄-only sharp form needs: δ̄, N, and the range of k_x over queries with δ(x) > 0. */
export interface MiLossSharpMeanInput {
  readonly deltaBar: number;
  readonly n: number;
  /** A lower bound on k_x over the queries with δ(x) > 0. */
  readonly minKept: number;
  /** An upper bound on k_x over the queries with δ(x) > 0. */
  readonly maxKept: number;
}

/**
 * mutual-information.loss-bound-sharp, δ̄-only form (Jensen on h, ln k_x ≤ ln k_max):
 *   upper = FA(δ̄) + δ̄ ln k_max,   lower = −FA(δ̄) − h(δ̄) − δ̄ ln(N − k_min),
 * for δ̄ ≤ 1 − 1/N and 1 ≤ k_min ≤ k_max ≤ N − 1 (k_max = N allowed only when δ̄ = 0).
 */
export function miLossSharpBoundsFromMean(input: MiLossSharpMeanInput): LossInterval {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError('input', 'an object { deltaBar, n, minKept, maxKept }', describe(input), 'type');
  const n = keyCount(input.n);
  const deltaBar = input.deltaBar;
  requireMonotoneRange('deltaBar', deltaBar, n);
  const ceiling = deltaBar > 0 ? n - 1 : n;
  const minKept = integerInDomain(
    'minKept',
    input.minKept,
    1,
    ceiling,
    `integers 1 ≤ k ≤ ${ceiling}${deltaBar > 0 ? ' (a query that drops mass keeps at most N − 1)' : ''}`,
  );
  const maxKept = integerInDomain(
    'maxKept',
    input.maxKept,
    minKept,
    ceiling,
    `integers minKept = ${minKept} ≤ k ≤ ${ceiling}`,
  );
  const marginal = fannesAudenaertUnchecked(deltaBar, n);
  return {
    lower: -marginal - binaryEntropyUnchecked(deltaBar) - timesLog(deltaBar, n - minKept),
    upper: marginal + timesLog(deltaBar, maxKept),
  };
}

/** Inputs of the dropped-union bounds; the optional counts sharpen ln N to the log of a smaller count. */
export interface MiLossUnionInput {
  readonly deltaBar: number;
  readonly n: number;
  /** |∪_{x∈L} D(x)|, L = {x : π_x δ(x) > 0}. */
  readonly droppedUnionSize?: number;
  /** |∪_{x∈L} S(x)|. */
  readonly keptUnionSize?: number;
  /** |L|. */
  readonly lossyQueryCount?: number;
}

/**
 * mutual-information.loss-bound-union (ours): for every δ̄ ∈ [0, 1] and any kept sets (δ̄ = 1 arises
 * only by rounding a positive kept mass; the bounds are continuous there),
 *   −[h(δ̄) + δ̄ ln min(N, |∪_L S(x)|, |L|)] ≤ I(X;J) − I(X;Ĵ) ≤ h(δ̄) + δ̄ ln min(N, |∪_L D(x)|, |L|).
 * With a kept set shared by all queries (|S| = k) the upper form is the paper's h(δ̄) + δ̄ ln(N−k).
 */
export function miLossUnionBounds(input: MiLossUnionInput): LossInterval {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError(
      'input',
      'an object { deltaBar, n, droppedUnionSize?, keptUnionSize?, lossyQueryCount? }',
      describe(input),
      'type',
    );
  const n = keyCount(input.n);
  const deltaBar = probability('deltaBar', input.deltaBar);
  const optionalCount = (name: string, value: unknown, max: number): number => {
    if (value === undefined) return max;
    return integerInDomain(name, value, deltaBar > 0 ? 1 : 0, max, `integers ${deltaBar > 0 ? 1 : 0} ≤ m ≤ ${max}`);
  };
  const dropped = optionalCount('droppedUnionSize', input.droppedUnionSize, n);
  const kept = optionalCount('keptUnionSize', input.keptUnionSize, n);
  const queries = optionalCount('lossyQueryCount', input.lossyQueryCount, Number.MAX_SAFE_INTEGER);
  const h = binaryEntropyUnchecked(deltaBar);
  return {
    lower: -(h + timesLog(deltaBar, Math.min(kept, queries))),
    upper: h + timesLog(deltaBar, Math.min(dropped, queries)),
  };
}

/**
 * mutual-information.paper-candidate: the reconstructed paper form h(δ̄) + δ̄ ln(N−k), for
 * δ̄ ∈ [0, 1] and 1 ≤ k ≤ N−1 (k = N only with δ̄ = 0, where it is 0). Tested as stated; it is
 * not a valid bound for per-query kept sets (see theory/mutual-information.md).
 */
export function miPaperCandidate(deltaBar: number, n: number, k: number): number {
  probability('deltaBar', deltaBar);
  keyCount(n);
  integerInDomain('k', k, 1, n, `integers 1 ≤ k ≤ N = ${n}`);
  if (k === n && deltaBar !== 0)
    throw new DomainError('deltaBar', '{0} when k = N (nothing is dropped)', describe(deltaBar));
  return binaryEntropyUnchecked(deltaBar) + timesLog(deltaBar, n - k);
}
