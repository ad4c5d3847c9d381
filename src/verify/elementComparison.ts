/**
 * Element-wise comparison of a kernel output with the float64 reference under a per-element
 * bound: the three verdicts of theory/kernel-error.md (derived bound, calibrated tolerance, at most twice
 * a naive same-precision implementation) and the NaN/Inf pattern.
 */
import { calibratedTolerance } from './errorBounds.js';
import type { StorageDtype } from '../numeric/storage.js';

export interface Verdicts {
  /** (a) every error inside its derived a-priori bound (hard). */
  readonly withinBound: boolean;
  /** (b) every error inside the calibrated per-dtype tolerance atol + rtol·m, m = |ref| or the element's magnitude (ComparisonOptions). */
  readonly withinTolerance: boolean;
  /** (c) max error ≤ 2 × the naive same-precision implementation's max error (+ a floor: 1% of the bound or one output ulp); null when not applicable. */
  readonly withinNaive: boolean | null;
  /** NaN and ±Inf at exactly the reference's positions. */
  readonly nonFinitePatternMatches: boolean;
}

export interface Comparison {
  readonly maxError: number;
  /** The bound at the element of largest error. */
  readonly bound: number;
  /** max over elements of error / bound. */
  readonly ratio: number;
  readonly naiveError: number | null;
  readonly verdicts: Verdicts;
}

function kind(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return '+inf';
  if (x === -Infinity) return '-inf';
  return 'finite';
}

function maxAbsError(output: ArrayLike<number>, reference: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    if (Number.isFinite(reference[i]!) && Number.isFinite(output[i]!))
      worst = Math.max(worst, Math.abs(output[i]! - reference[i]!));
  }
  return worst;
}

/** What a comparison may add to the output, the reference and the bounds. */
export interface ComparisonOptions {
  /** A naive same-precision implementation's outputs, for rule (c). */
  readonly naive?: ArrayLike<number>;
  /**
   * Per element, the magnitude m that tolerance (b) scales with, instead of |ref|. A logit's is
   * scale·Σ|q_i·k_i|: its rounding error scales with the terms, not with their sum, which can
   * cancel to far below them (theory/kernel-error.md §6).
   */
  readonly magnitudes?: ArrayLike<number>;
}

export function compareElements(
  output: ArrayLike<number>,
  reference: ArrayLike<number>,
  bounds: ArrayLike<number>,
  dtype: StorageDtype,
  options: ComparisonOptions = {},
): Comparison {
  const { naive, magnitudes } = options;
  const { atol, rtol } = calibratedTolerance[dtype];
  let maxError = 0;
  let boundAtMax = 0;
  let ratio = 0;
  let withinBound = true;
  let withinTolerance = true;
  let pattern = output.length === reference.length;
  let largest = 0;
  for (let i = 0; i < reference.length; i++) {
    const ref = reference[i]!;
    const got = output[i]!;
    if (kind(ref) !== kind(got)) pattern = false;
    if (!Number.isFinite(ref) || !Number.isFinite(got)) continue;
    const error = Math.abs(got - ref);
    largest = Math.max(largest, Math.abs(ref));
    const b = bounds[i]!;
    if (!(error <= b)) withinBound = false;
    const magnitude = magnitudes ? magnitudes[i]! : Math.abs(ref);
    if (!(error <= atol + rtol * magnitude)) withinTolerance = false;
    const r = b > 0 ? error / b : error > 0 ? Infinity : 0;
    if (r > ratio) ratio = r;
    if (error > maxError || (error === maxError && b < boundAtMax)) {
      maxError = error;
      boundAtMax = b;
    }
  }
  let naiveError: number | null = null;
  let withinNaive: boolean | null = null;
  if (naive) {
    naiveError = maxAbsError(naive, reference);
    // Rule (c) is statistical: with few heads, two correct implementations' max errors can differ
    // by more than 2x by chance (errors of one head are correlated through its logits). Errors
    // below 1% of the derived bound, or one fp32 ulp of the output, therefore always pass (c);
    // an fp16 accumulator (error ~2^-11·|o|) still fails it by orders of magnitude.
    const floor = Math.max(2 ** -23 * largest, 0.01 * boundAtMax);
    withinNaive = maxError <= 2 * naiveError + floor;
  }
  return {
    maxError,
    bound: boundAtMax,
    ratio,
    naiveError,
    verdicts: { withinBound, withinTolerance, withinNaive, nonFinitePatternMatches: pattern },
  };
}
