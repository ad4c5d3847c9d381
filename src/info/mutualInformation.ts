/**
 * Mutual information of a finite joint law given as a prior and a channel: X ~ π over M values,
 * J | X = x ~ A(x) over N values. I(X;J) = Σ_x π_x KL(A(x) ‖ p_J) with p_J = Σ_x π_x A(x).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe, probabilityVector } from '../core/validate.js';

/** A validated joint law: the prior and its conditional rows, all rows of one length N. */
export interface JointLaw {
  readonly pi: Float64Array;
  readonly rows: Float64Array[];
}

/** Validates π (length M) and M conditional probability vectors of a common length N ≥ 1. */
export function checkJointLaw(pi: unknown, conditionals: unknown, conditionalsName = 'conditionals'): JointLaw {
  const prior = probabilityVector('pi', pi);
  const isArrayLike =
    typeof conditionals === 'object' &&
    conditionals !== null &&
    typeof (conditionals as ArrayLike<unknown>).length === 'number';
  if (!isArrayLike) {
    throw new InvalidArgumentError(
      conditionalsName,
      `an array of ${prior.length} probability vectors (one per value of pi)`,
      describe(conditionals),
      'type',
    );
  }
  const list = Array.from(conditionals as ArrayLike<unknown>);
  if (list.length !== prior.length) {
    throw new InvalidArgumentError(
      conditionalsName,
      `${prior.length} rows (the length of pi)`,
      `${list.length} rows`,
      'shape',
    );
  }
  const first = probabilityVector(`${conditionalsName}[0]`, list[0]);
  const rows = [first];
  for (let x = 1; x < list.length; x++) {
    rows.push(probabilityVector(`${conditionalsName}[${x}]`, list[x], { length: first.length }));
  }
  return { pi: prior, rows };
}

/** The marginal p_J = Σ_x π_x A(x) (a sum of non-negative terms: no cancellation). */
export function marginalUnchecked(pi: ArrayLike<number>, rows: readonly ArrayLike<number>[]): Float64Array {
  const n = rows[0]!.length;
  const marginal = new Float64Array(n);
  for (let x = 0; x < rows.length; x++) {
    const w = pi[x]!;
    if (w === 0) continue;
    const row = rows[x]!;
    for (let j = 0; j < n; j++) marginal[j]! += w * row[j]!;
  }
  return marginal;
}

/**
 * I(X;J) in nats. Each KL(A(x)‖p_J) is finite (A(x)_j > 0 implies p_J,j ≥ π_x A(x)_j > 0 when
 * π_x > 0). The exact value is ≥ 0; rounding can leave a result of order −1e-16 when I is 0 (for
 * example identical rows), and such a result is returned as 0: the only clamp, documented in
 * theory/mutual-information.md with the rounding bound that makes it harmless.
 */
export function mutualInformation(pi: ArrayLike<number>, conditionals: ArrayLike<ArrayLike<number>>): number {
  const law = checkJointLaw(pi, conditionals);
  return mutualInformationUnchecked(law.pi, law.rows);
}

/** @internal I(X;J) of validated rows. */
export function mutualInformationUnchecked(pi: ArrayLike<number>, rows: readonly ArrayLike<number>[]): number {
  const marginal = marginalUnchecked(pi, rows);
  let sum = 0;
  for (let x = 0; x < rows.length; x++) {
    const w = pi[x]!;
    if (w === 0) continue;
    // p_J,j ≥ π_x A(x)_j, so A(x)_j / p_J,j ≤ 1/π_x exactly. The computed p_J,j can underflow to 0
    // (or fall below π_x A(x)_j by rounding) when both factors are tiny; capping the ratio at 1/π_x
    // applies the exact inequality instead of returning an infinite KL.
    const cap = 1 / w;
    const row = rows[x]!;
    let kl = 0;
    for (let j = 0; j < row.length; j++) {
      const a = row[j]!;
      if (a <= 0) continue;
      const ratio = a / marginal[j]!;
      kl += a * Math.log(ratio < cap ? ratio : cap);
    }
    sum += w * kl;
  }
  return Math.max(0, sum);
}
