/**
 * Divergences between two distributions on the same N points: Kullback–Leibler KL(p‖q) in nats
 * and total variation TV(p, q) = ½‖p − q‖₁.
 */
import { probabilityVector } from '../core/validate.js';

function pair(p: ArrayLike<number>, q: ArrayLike<number>): [Float64Array, Float64Array] {
  const a = probabilityVector('p', p);
  return [a, probabilityVector('q', q, { length: a.length })];
}

/** KL(p‖q) = Σ p_i ln(p_i/q_i); Infinity when some p_i > 0 = q_i (p not absolutely continuous). */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const [a, b] = pair(p, q);
  return klDivergenceUnchecked(a, b);
}

/**
 * @internal KL without validation. Terms p_i ln(p_i/q_i) are summed as they come; the ratio is
 * formed before the log so that tiny p_i and q_i do not lose accuracy to two separate logs.
 */
export function klDivergenceUnchecked(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (x <= 0) continue;
    const y = q[i]!;
    if (y <= 0) return Infinity;
    // ln(x/y) from one log of the ratio, unless the ratio over- or underflows (y or x subnormal).
    const ratio = x / y;
    sum += x * (ratio > 0 && ratio < Infinity ? Math.log(ratio) : Math.log(x) - Math.log(y));
  }
  return sum;
}

/** TV(p, q) = ½ Σ |p_i − q_i|, in [0, 1]. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const [a, b] = pair(p, q);
  return totalVariationUnchecked(a, b);
}

/** @internal TV without validation. */
export function totalVariationUnchecked(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += Math.abs(p[i]! - q[i]!);
  return sum / 2;
}
