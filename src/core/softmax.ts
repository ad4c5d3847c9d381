/**
 * Numerically stable softmax and log-sum-exp in float64. Subtracting the maximum first keeps
 * every exponent ≤ 0, so nothing overflows whatever the logits' magnitude.
 */
import { finiteVector } from './validate.js';

/** log Σ exp(z_i), computed as m + log Σ exp(z_i − m) with m = max z. */
export function logSumExp(logits: ArrayLike<number>): number {
  const z = finiteVector('logits', logits);
  return logSumExpUnchecked(z);
}

/** softmax(z)_i = exp(z_i − logSumExp(z)). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const z = finiteVector('logits', logits);
  return softmaxUnchecked(z);
}

/** @internal Hot-path variant for already validated, non-empty input. */
export function logSumExpUnchecked(z: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = 0; i < z.length; i++) sum += Math.exp(z[i]! - max);
  return max + Math.log(sum);
}

/** @internal Hot-path variant for already validated, non-empty input. */
export function softmaxUnchecked(z: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i]! > max) max = z[i]!;
  const out = new Float64Array(z.length);
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp(z[i]! - max);
    out[i] = e;
    sum += e;
  }
  const inverse = 1 / sum;
  for (let i = 0; i < z.length; i++) out[i]! *= inverse;
  return out;
}
