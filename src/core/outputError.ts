/**
 * Output error of sparse attention, ‖o − ô‖₂, and the quantities its bounds are made of.
 */
import { InvalidArgumentError } from './errors.js';
import { checkMatrix, norm2, type Matrix } from './matrix.js';
import { finiteVector, indexSet, membershipMask } from './validate.js';

/** ‖o − ô‖₂, scaled by the largest entry so tiny or huge errors neither underflow nor overflow. */
export function outputErrorNorm(dense: ArrayLike<number>, sparse: ArrayLike<number>): number {
  const o = finiteVector('dense', dense, { allowEmpty: true });
  const s = finiteVector('sparse', sparse, { length: o.length, allowEmpty: true });
  return norm2(o.map((x, c) => x - s[c]!));
}

/** max_i ‖v_i‖₂ over the rows of V. */
export function maxRowNorm(V: Matrix): number {
  const values = checkMatrix('V', V);
  let best = 0;
  for (let i = 0; i < values.rows; i++) best = Math.max(best, norm2(values.data, i * values.columns, values.columns));
  return best;
}

/**
 * max_{i∈D, j∈S} ‖v_i − v_j‖₂: the cross-diameter between dropped and kept value rows, the sharp
 * constant in ‖o − ô‖ ≤ δ·max‖v_i − v_j‖. Zero when D or S is empty.
 */
export function keptDroppedDiameter(V: Matrix, keep: ArrayLike<number>): number {
  const values = checkMatrix('V', V);
  const S = indexSet('keep', keep, values.rows);
  if (S.length === 0 && values.rows > 0)
    throw new InvalidArgumentError('keep', 'at least one kept index', 'an empty set', 'length');
  const mask = membershipMask(S, values.rows);
  const d = values.columns;
  const difference = new Float64Array(d);
  let best = 0;
  for (let i = 0; i < values.rows; i++) {
    if (mask[i]) continue;
    for (let j = 0; j < S.length; j++) {
      const r = S[j]!;
      for (let c = 0; c < d; c++) difference[c] = values.data[i * d + c]! - values.data[r * d + c]!;
      best = Math.max(best, norm2(difference));
    }
  }
  return best;
}

/** max_{i∈rows} ‖v_i − c‖₂ over the rows with mask[i] === inMask. */
function farthestFrom(values: Matrix, mask: Uint8Array, inMask: boolean, centre: Float64Array): number {
  const d = values.columns;
  const difference = new Float64Array(d);
  let best = 0;
  for (let i = 0; i < values.rows; i++) {
    if (Boolean(mask[i]) !== inMask) continue;
    for (let c = 0; c < d; c++) difference[c] = values.data[i * d + c]! - centre[c]!;
    best = Math.max(best, norm2(difference));
  }
  return best;
}

/** The mean of the rows with mask[i] === inMask (zeros when there are none). */
function meanRow(values: Matrix, mask: Uint8Array, inMask: boolean): Float64Array {
  const d = values.columns;
  const mean = new Float64Array(d);
  let count = 0;
  for (let i = 0; i < values.rows; i++) {
    if (Boolean(mask[i]) !== inMask) continue;
    count++;
    for (let c = 0; c < d; c++) mean[c]! += values.data[i * d + c]!;
  }
  if (count > 0) for (let c = 0; c < d; c++) mean[c]! /= count;
  return mean;
}

/**
 * An upper bound on keptDroppedDiameter in O(N·d) time (the exact cross-diameter takes
 * O(|S|·|D|·d)): for any centre c, ‖v_i − v_j‖ ≤ ‖v_i − c‖ + ‖v_j − c‖, so
 *   max_{i∈D, j∈S} ‖v_i − v_j‖ ≤ min_c [max_{i∈D} ‖v_i − c‖ + max_{j∈S} ‖v_j − c‖],
 * the minimum taken over c ∈ {0, mean of S, mean of D, their midpoint}. It is at most
 * max_D‖v‖ + max_S‖v‖ ≤ 2·max‖v‖ (c = 0), and equals the diameter when S and D are each one point
 * (c on the segment between them). Zero when D or S is empty.
 */
export function crossDiameterUpperBound(V: Matrix, keep: ArrayLike<number>): number {
  const values = checkMatrix('V', V);
  const S = indexSet('keep', keep, values.rows);
  if (S.length === 0 && values.rows > 0)
    throw new InvalidArgumentError('keep', 'at least one kept index', 'an empty set', 'length');
  if (S.length === values.rows) return 0;
  const mask = membershipMask(S, values.rows);
  const keptMean = meanRow(values, mask, true);
  const droppedMean = meanRow(values, mask, false);
  const midpoint = keptMean.map((x, c) => (x + droppedMean[c]!) / 2);
  const centres = [new Float64Array(values.columns), keptMean, droppedMean, midpoint];
  return Math.min(
    ...centres.map((centre) => farthestFrom(values, mask, false, centre) + farthestFrom(values, mask, true, centre)),
  );
}
