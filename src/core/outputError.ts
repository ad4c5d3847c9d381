/**
 * Output error of sparse attention, ‖o − ô‖₂, and the quantities its bounds are made of.
 */
import { InvalidArgumentError } from './errors.js';
import { checkMatrix, type Matrix } from './matrix.js';
import { finiteVector, indexSet, membershipMask } from './validate.js';

/** ‖o − ô‖₂, summed without scaling (inputs are finite outputs of attention). */
export function outputErrorNorm(dense: ArrayLike<number>, sparse: ArrayLike<number>): number {
  const o = finiteVector('dense', dense, { allowEmpty: true });
  const s = finiteVector('sparse', sparse, { length: o.length, allowEmpty: true });
  let sum = 0;
  for (let c = 0; c < o.length; c++) sum += (o[c]! - s[c]!) ** 2;
  return Math.sqrt(sum);
}

/** max_i ‖v_i‖₂ over the rows of V. */
export function maxRowNorm(V: Matrix): number {
  const values = checkMatrix('V', V);
  let best = 0;
  for (let i = 0; i < values.rows; i++) {
    let sum = 0;
    for (let c = 0; c < values.columns; c++) sum += values.data[i * values.columns + c]! ** 2;
    best = Math.max(best, Math.sqrt(sum));
  }
  return best;
}

/**
 * max_{i∈D, j∈S} ‖v_i − v_j‖₂: the cross-diameter between dropped and kept value rows, the sharp
 * constant in ‖o − ô‖ ≤ δ·max‖v_i − v_j‖. Zero when D or S is empty.
 */
export function keptDroppedDiameter(V: Matrix, keep: ArrayLike<number>): number {
  const values = checkMatrix('V', V);
  const S = indexSet('keep', keep, values.rows);
  if (S.length === 0 && values.rows > 0) throw new InvalidArgumentError('keep', 'at least one kept index', 'an empty set', 'length');
  const mask = membershipMask(S, values.rows);
  const d = values.columns;
  let best = 0;
  for (let i = 0; i < values.rows; i++) {
    if (mask[i]) continue;
    for (let j = 0; j < S.length; j++) {
      const r = S[j]!;
      let sum = 0;
      for (let c = 0; c < d; c++) sum += (values.data[i * d + c]! - values.data[r * d + c]!) ** 2;
      best = Math.max(best, sum);
    }
  }
  return Math.sqrt(best);
}
