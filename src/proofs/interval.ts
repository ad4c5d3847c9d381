/**
 * Validated interval arithmetic over doubles. Every operation returns an interval that contains
 * the exact real result for every choice of reals in the arguments. Endpoints may be ±Infinity
 * (an unbounded side); NaN never appears in a result (an undefined combination becomes the
 * whole line).
 *
 * How each operation is made rigorous (theory/scalar.md, "What the checker trusts"):
 * - +, −, ×, ÷ and √ round *exactly* outward: an error-free transformation (TwoSum, Dekker's
 *   TwoProduct, the division remainder, the square of the root) tells whether the rounded
 *   result is above, below or equal to the exact one, and only the wrong side moves by one ulp.
 *   So exact results stay exact (1 − 1 is [0, 0]), which lets proofs touch zero.
 * - exp, log, log1p and tanh call the platform's Math functions and widen the result by the
 *   relative margin 2⁻⁵⁰ plus one ulp on each side. The one assumption: those functions are
 *   monotone and within 2⁻⁵¹ relative error (V8's fdlibm ports are within 1 ulp ≤ 2⁻⁵²).
 *   Known facts then tighten the result (exp ≥ 0; log x ≥ 0 iff x ≥ 1; the sign of log1p and
 *   tanh; |tanh| ≤ 1), which also keeps exp(0) = 1, log(1) = 0 and tanh(0) = 0 exact.
 */

export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

export const WHOLE: Interval = { lo: -Infinity, hi: Infinity };

const bits = new DataView(new ArrayBuffer(8));

/** The least double above x (−0 and 0 step to the smallest subnormal). */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  bits.setFloat64(0, x);
  const word = bits.getBigUint64(0);
  bits.setBigUint64(0, x > 0 ? word + 1n : word - 1n);
  return bits.getFloat64(0);
}

/** The greatest double below x. */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

export function interval(lo: number, hi: number = lo): Interval {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) return WHOLE;
  return { lo, hi };
}

// ---------------------------------------------------------------- directed elementary steps

/** Rounds s (the nearest double to an exact value x) down/up, given sign(x − s) ∈ {−1, 0, 1}. */
function directed(s: number, errorSign: number, up: boolean): number {
  if (up) return errorSign > 0 ? nextUp(s) : s;
  return errorSign < 0 ? nextDown(s) : s;
}

/** Rounding of an overflowed or otherwise unsafe result: one ulp outward, infinities kept. */
function widened(s: number, up: boolean, inputsFinite: boolean): number {
  if (Number.isNaN(s)) return up ? Infinity : -Infinity;
  if (!Number.isFinite(s)) {
    if (!inputsFinite) return s;
    // Finite inputs that overflowed: the exact value lies beyond ±MAX_VALUE.
    if (up) return s > 0 ? Infinity : -Number.MAX_VALUE;
    return s > 0 ? Number.MAX_VALUE : -Infinity;
  }
  return up ? nextUp(s) : nextDown(s);
}

function sumRounded(a: number, b: number, up: boolean): number {
  const s = a + b;
  if (!Number.isFinite(s) || !Number.isFinite(a) || !Number.isFinite(b)) {
    return widened(s, up, Number.isFinite(a) && Number.isFinite(b));
  }
  // Knuth's TwoSum: err is exactly (a + b) − s.
  const bVirtual = s - a;
  const aVirtual = s - bVirtual;
  const err = a - aVirtual + (b - bVirtual);
  return directed(s, Math.sign(err), up);
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's constant
const SAFE_HIGH = 2 ** 995;
const SAFE_LOW = 2 ** -960;

function split(a: number): [number, number] {
  const c = SPLITTER * a;
  const high = c - (c - a);
  return [high, a - high];
}

/** Exact error of a product in the safe range: (a·b) − p. */
function productError(a: number, b: number, p: number): number {
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

function safe(x: number): boolean {
  const m = Math.abs(x);
  return m < SAFE_HIGH && m > SAFE_LOW;
}

function productRounded(a: number, b: number, up: boolean): number {
  if (a === 0 || b === 0) return 0; // 0·∞ = 0: an interval endpoint ∞ stands for "unbounded", not a value
  const p = a * b;
  const finite = Number.isFinite(a) && Number.isFinite(b);
  if (!finite || !Number.isFinite(p)) return widened(p, up, finite);
  if (!safe(a) || !safe(b) || !safe(p)) return widened(p, up, true);
  return directed(p, Math.sign(productError(a, b, p)), up);
}

function quotientRounded(a: number, b: number, up: boolean): number {
  if (a === 0) return 0;
  const q = a / b;
  const finite = Number.isFinite(a) && Number.isFinite(b);
  if (!finite) {
    if (Number.isFinite(q)) return q; // finite / ±∞ = 0 exactly
    return widened(q, up, false);
  }
  if (!Number.isFinite(q)) return widened(q, up, true);
  if (q === 0 || !safe(a) || !safe(b) || !safe(q)) return widened(q, up, true);
  // Exact remainder r = a − q·b (a − p is exact by Sterbenz); sign(a/b − q) = sign(r)·sign(b).
  const p = q * b;
  const r = a - p - productError(q, b, p);
  return directed(q, Math.sign(r) * Math.sign(b), up);
}

// ---------------------------------------------------------------- arithmetic

export function add(x: Interval, y: Interval): Interval {
  return interval(sumRounded(x.lo, y.lo, false), sumRounded(x.hi, y.hi, true));
}

export function neg(x: Interval): Interval {
  return { lo: -x.hi, hi: -x.lo };
}

export function sub(x: Interval, y: Interval): Interval {
  return add(x, neg(y));
}

export function mul(x: Interval, y: Interval): Interval {
  const pairs: Array<[number, number]> = [
    [x.lo, y.lo],
    [x.lo, y.hi],
    [x.hi, y.lo],
    [x.hi, y.hi],
  ];
  let lo = Infinity;
  let hi = -Infinity;
  for (const [a, b] of pairs) {
    lo = Math.min(lo, productRounded(a, b, false));
    hi = Math.max(hi, productRounded(a, b, true));
  }
  return interval(lo, hi);
}

/**
 * 1/x. When x touches 0 only at one end ([0, b] or [a, 0]) the result encloses 1/x over the rest
 * of x (unbounded on one side); when 0 is inside x the result is the whole line. Callers that need
 * 1/x defined on all of x check `excludesZero` first.
 */
export function recip(x: Interval): Interval {
  if (x.lo > 0 || x.hi < 0) return interval(quotientRounded(1, x.hi, false), quotientRounded(1, x.lo, true));
  if (x.lo === 0 && x.hi > 0) return interval(quotientRounded(1, x.hi, false), Infinity);
  if (x.hi === 0 && x.lo < 0) return interval(-Infinity, quotientRounded(1, x.lo, true));
  return WHOLE;
}

export function excludesZero(x: Interval): boolean {
  return x.lo > 0 || x.hi < 0;
}

export function div(x: Interval, y: Interval): Interval {
  if (!excludesZero(y)) return mul(x, recip(y));
  // For y > 0 the lower end comes from x.lo and the upper from x.hi (mirrored for y < 0), so an
  // undefined corner such as ∞/∞ only ever loosens the bound it belongs to.
  const [forLower, forUpper] = y.lo > 0 ? [x.lo, x.hi] : [x.hi, x.lo];
  const lo = Math.min(quotientRounded(forLower, y.lo, false), quotientRounded(forLower, y.hi, false));
  const hi = Math.max(quotientRounded(forUpper, y.lo, true), quotientRounded(forUpper, y.hi, true));
  return interval(lo, hi);
}

/** Multiplies by a double exactly representable constant (used for derivative coefficients). */
export function scale(c: number, x: Interval): Interval {
  return mul(interval(c), x);
}

function powerOfMagnitude(m: number, n: number, up: boolean): number {
  let result = 1;
  for (let i = 0; i < n; i++) result = productRounded(result, m, up);
  return result;
}

/** x^n for a natural n; even powers are non-negative. */
export function powInt(x: Interval, n: number): Interval {
  if (n === 0) return interval(1);
  if (n % 2 === 1) {
    const lo = x.lo >= 0 ? powerOfMagnitude(x.lo, n, false) : -powerOfMagnitude(-x.lo, n, true);
    const hi = x.hi >= 0 ? powerOfMagnitude(x.hi, n, true) : -powerOfMagnitude(-x.hi, n, false);
    return interval(lo, hi);
  }
  const small = x.lo > 0 ? x.lo : x.hi < 0 ? -x.hi : 0;
  const large = Math.max(Math.abs(x.lo), Math.abs(x.hi));
  return interval(powerOfMagnitude(small, n, false), powerOfMagnitude(large, n, true));
}

// ---------------------------------------------------------------- libm with a margin

const MARGIN = 2 ** -50;

/** Just below MAX_VALUE: a valid lower bound when the platform overflowed to +∞. */
const OVERFLOW_FLOOR = 1.7e308;

function libmDown(r: number): number {
  if (r === Infinity) return OVERFLOW_FLOOR;
  if (!Number.isFinite(r)) return r;
  return nextDown(r - Math.abs(r) * MARGIN);
}

function libmUp(r: number): number {
  if (r === -Infinity) return -OVERFLOW_FLOOR;
  if (!Number.isFinite(r)) return r;
  return nextUp(r + Math.abs(r) * MARGIN);
}

export function exp(x: Interval): Interval {
  let lo = x.lo === -Infinity ? 0 : libmDown(Math.exp(x.lo));
  let hi = x.hi === Infinity ? Infinity : libmUp(Math.exp(x.hi));
  lo = Math.max(lo, 0);
  if (x.lo >= 0) lo = Math.max(lo, 1);
  if (x.hi <= 0) hi = Math.min(hi, 1);
  return interval(lo, hi);
}

/** log x over the positive part of x (log 0 = −∞ at a zero end); the whole line if x ≤ 0 somewhere inside. */
export function log(x: Interval): Interval {
  if (x.hi <= 0) return WHOLE;
  if (x.lo < 0) return WHOLE;
  let lo = x.lo === 0 ? -Infinity : libmDown(Math.log(x.lo));
  let hi = x.hi === Infinity ? Infinity : libmUp(Math.log(x.hi));
  if (x.lo >= 1) lo = Math.max(lo, 0);
  if (x.hi <= 1) hi = Math.min(hi, 0);
  return interval(lo, hi);
}

export function log1p(x: Interval): Interval {
  if (x.lo < -1 || x.hi <= -1) return WHOLE;
  let lo = x.lo === -1 ? -Infinity : libmDown(Math.log1p(x.lo));
  let hi = x.hi === Infinity ? Infinity : libmUp(Math.log1p(x.hi));
  if (x.lo >= 0) lo = Math.max(lo, 0);
  if (x.hi <= 0) hi = Math.min(hi, 0);
  return interval(lo, hi);
}

export function tanh(x: Interval): Interval {
  let lo = x.lo === -Infinity ? -1 : libmDown(Math.tanh(x.lo));
  let hi = x.hi === Infinity ? 1 : libmUp(Math.tanh(x.hi));
  lo = Math.max(lo, -1);
  hi = Math.min(hi, 1);
  if (x.lo >= 0) lo = Math.max(lo, 0);
  if (x.hi <= 0) hi = Math.min(hi, 0);
  return interval(lo, hi);
}

/** √r rounded down/up, checked by squaring the rounded root exactly (no libm trust needed). */
function sqrtRounded(r: number, up: boolean): number {
  if (r === 0 || r === Infinity) return r;
  const s = Math.sqrt(r);
  if (!safe(s) || !safe(r)) return widened(s, up, true);
  const square = s * s;
  const error = square - r + productError(s, s, square); // exact: s² − r
  return directed(s, -Math.sign(error), up);
}

/** √x over the non-negative part of x; the whole line if x < 0 somewhere. */
export function sqrt(x: Interval): Interval {
  if (x.lo < 0) return WHOLE;
  return interval(sqrtRounded(x.lo, false), sqrtRounded(x.hi, true));
}

// ---------------------------------------------------------------- entropy building blocks

/** Doubles strictly below and above 1/e = 0.36787944117144233…, and a lower bound of −1/e. */
const BELOW_INVERSE_E = 0.3678794411714423;
const ABOVE_INVERSE_E = 0.36787944117144245;
const MINUS_INVERSE_E_DOWN = -0.3678794411714425;

/** t·ln t at one point t ≥ 0 (0 at 0), as an interval. */
function xlogxAt(t: number): Interval {
  if (t === 0) return interval(0);
  if (t === Infinity) return interval(Number.MAX_VALUE, Infinity);
  const point = interval(t);
  return mul(point, log(point));
}

/** x·ln x on x ⊆ [0, ∞) (continuous, 0 at 0, minimum −1/e at 1/e); the whole line if x < 0 somewhere. */
export function xlogx(x: Interval): Interval {
  if (x.lo < 0) return WHOLE;
  const atLo = xlogxAt(x.lo);
  const atHi = xlogxAt(x.hi);
  let result: Interval;
  if (x.hi <= BELOW_INVERSE_E) result = interval(atHi.lo, atLo.hi);
  else if (x.lo >= ABOVE_INVERSE_E) result = interval(atLo.lo, atHi.hi);
  else result = interval(MINUS_INVERSE_E_DOWN, Math.max(atLo.hi, atHi.hi));
  if (x.hi <= 1) result = interval(result.lo, Math.min(result.hi, 0));
  if (x.lo >= 1) result = interval(Math.max(result.lo, 0), result.hi);
  return result;
}

const LN2_UP = 0.6931471805599454;

function entropyAt(t: number): Interval {
  const point = interval(t);
  return neg(add(xlogx(point), xlogx(sub(interval(1), point))));
}

/** h(x) = −x ln x − (1−x) ln(1−x) on x ⊆ [0, 1] (increasing to ln 2 at 1/2, then decreasing). */
export function binaryEntropy(x: Interval): Interval {
  if (x.lo < 0 || x.hi > 1) return WHOLE;
  const atLo = entropyAt(x.lo);
  const atHi = entropyAt(x.hi);
  let result: Interval;
  if (x.hi <= 0.5) result = interval(atLo.lo, atHi.hi);
  else if (x.lo >= 0.5) result = interval(atHi.lo, atLo.hi);
  else result = interval(Math.min(atLo.lo, atHi.lo), LN2_UP);
  return interval(Math.max(result.lo, 0), Math.min(result.hi, LN2_UP));
}

export function contains(outer: Interval, inner: Interval): boolean {
  return outer.lo <= inner.lo && inner.hi <= outer.hi;
}
