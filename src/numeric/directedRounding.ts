/**
 * Upper and lower bounds on real results from round-to-nearest float64 operations, valid for
 * every finite input: overflow, underflow and subnormals included (theory/certified.md,
 * "Floating point"). The certified dropped mass is computed with these only, so it needs no
 * γ_n constant and no range condition. Ported operation for operation to native/src/certified.cpp
 * and native/cuda/certified.cu.
 *
 * The rule: if r = fl(x) for a real x (round to nearest, IEEE 754 binary64), then
 * x ≤ up(r) and x ≥ down(r). up(r) adds w = fl(|r|·2⁻⁵² + 2⁻¹⁰⁷⁴) ≥ ulp(r), and r + w rounds to a
 * value ≥ nextUp(r) ≥ x; fl(x) = −∞ means x < −MAX, so up(−∞) = −MAX (never −∞, so sums of upper
 * bounds never meet ∞ − ∞). Symmetrically for down.
 */

const ULP_FACTOR = 2 ** -52;
const TINY = Number.MIN_VALUE;
/** Relative error allowed for Math.exp (the same trust as the proof checker's: 2⁻⁵¹), doubled. */
const EXP_MARGIN = 2 ** -50;

/** An upper bound on every real x whose round-to-nearest double is r. */
export function up(r: number): number {
  return r === -Infinity ? -Number.MAX_VALUE : r + (Math.abs(r) * ULP_FACTOR + TINY);
}

/** A lower bound on every real x whose round-to-nearest double is r. */
export function down(r: number): number {
  return r === Infinity ? Number.MAX_VALUE : r - (Math.abs(r) * ULP_FACTOR + TINY);
}

/**
 * An upper bound on s·x·y for doubles s, x, y (exact values). A zero factor gives exactly 0, so
 * an overflowed ±∞ is never multiplied by 0.
 */
export function scaledProductUp(s: number, x: number, y: number): number {
  if (s === 0 || x === 0 || y === 0) return 0;
  const sx = s * x;
  return up((y > 0 ? up(sx) : down(sx)) * y);
}

/** A lower bound on s·x·y for doubles s, x, y (exact values). */
export function scaledProductDown(s: number, x: number, y: number): number {
  if (s === 0 || x === 0 || y === 0) return 0;
  const sx = s * x;
  return down((y > 0 ? down(sx) : up(sx)) * y);
}

/**
 * An upper bound on the Euclidean norm of every vector x with |x_c| ≤ |bounds[c]|. Scaled by the
 * largest entry m before squaring, ‖x‖ ≤ m·√(Σ (|bounds_c|/m)²) with every square in [0, 1]: no
 * overflow of Σx², and the squares of tiny entries that underflow are covered by `up`.
 */
export function normUp(bounds: ArrayLike<number>): number {
  const length = bounds.length;
  let largest = 0;
  for (let c = 0; c < length; c++) largest = Math.max(largest, Math.abs(bounds[c]!));
  if (largest === 0 || largest === Infinity) return largest;
  let sum = 0;
  for (let c = 0; c < length; c++) {
    const t = up(Math.abs(bounds[c]!) / largest);
    sum = up(sum + up(t * t));
  }
  return up(largest * up(Math.sqrt(sum)));
}

/** An upper bound on e^x (Math.exp within 2⁻⁵¹ relative, or one subnormal ulp where the result is subnormal). */
export function expUp(x: number): number {
  return up(Math.exp(x) * (1 + EXP_MARGIN));
}

/** A lower bound on e^x, ≥ 0. */
export function expDown(x: number): number {
  return Math.max(0, down(Math.exp(x) * (1 - EXP_MARGIN)));
}

/**
 * An upper bound on a/(a + b) from an upper bound a > 0 on a nonnegative numerator and a lower
 * bound b ≥ 0 on the other term (the ratio increases in a and decreases in b), capped at 1.
 */
export function ratioUp(a: number, b: number): number {
  const denominator = down(a + b);
  if (!(denominator > 0)) return 1;
  return Math.min(1, up(a / denominator));
}
