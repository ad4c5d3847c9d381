import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as I from '../../src/proofs/interval.js';
import {
  doubleToRational,
  parseDecimal,
  subtractRational,
  addRational,
  multiplyRational,
  type Rational,
} from '../../src/proofs/rational.js';

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
const positive = fc.double({ noNaN: true, noDefaultInfinity: true, min: 1e-300, max: 1e300 });

function compare(a: Rational, b: Rational): number {
  const d = subtractRational(a, b).num;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** lo ≤ exact ≤ hi, compared exactly. */
function encloses(x: I.Interval, exact: Rational): boolean {
  const aboveLo = x.lo === -Infinity || compare(doubleToRational(x.lo), exact) <= 0;
  const belowHi = x.hi === Infinity || compare(exact, doubleToRational(x.hi)) <= 0;
  return aboveLo && belowHi;
}

describe('nextUp / nextDown', () => {
  it('step to the adjacent doubles', () => {
    expect(I.nextUp(1)).toBe(1 + Number.EPSILON);
    expect(I.nextDown(1)).toBe(1 - Number.EPSILON / 2);
    expect(I.nextUp(0)).toBe(Number.MIN_VALUE);
    expect(I.nextDown(0)).toBe(-Number.MIN_VALUE);
    expect(I.nextUp(Number.MAX_VALUE)).toBe(Infinity);
    expect(I.nextUp(-Infinity)).toBe(-Number.MAX_VALUE);
  });
});

describe('exact outward rounding of + − × ÷', () => {
  it('keeps exact results exact', () => {
    expect(I.sub(I.interval(1), I.interval(1))).toEqual({ lo: 0, hi: 0 });
    expect(I.mul(I.interval(3), I.interval(0.5))).toEqual({ lo: 1.5, hi: 1.5 });
    expect(I.div(I.interval(1), I.interval(4))).toEqual({ lo: 0.25, hi: 0.25 });
  });
  it('encloses the exact rational result of sums, products and quotients', () => {
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        const ra = doubleToRational(a);
        const rb = doubleToRational(b);
        expect(encloses(I.add(I.interval(a), I.interval(b)), addRational(ra, rb))).toBe(true);
        expect(encloses(I.mul(I.interval(a), I.interval(b)), multiplyRational(ra, rb))).toBe(true);
        if (b !== 0 && Number.isFinite(a / b)) {
          const q = I.div(I.interval(a), I.interval(b));
          // a/b ∈ [lo, hi] ⇔ lo·b ≤ a ≤ hi·b (b > 0), checked exactly.
          const lo = multiplyRational(doubleToRational(q.lo), rb);
          const hi = multiplyRational(doubleToRational(q.hi), rb);
          const [low, high] = b > 0 ? [lo, hi] : [hi, lo];
          expect(compare(low, ra) <= 0 && compare(ra, high) <= 0).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('0.1 + 0.2 is enclosed and not collapsed to one double', () => {
    const s = I.add(I.interval(0.1), I.interval(0.2));
    expect(encloses(s, addRational(doubleToRational(0.1), doubleToRational(0.2)))).toBe(true);
    expect(s.lo).toBeLessThan(s.hi);
  });
});

describe('elementary functions enclose the true values', () => {
  it('ln 2, e, √2 and 2·tanh(1/4) contain their 40-digit decimal values', () => {
    expect(encloses(I.log(I.interval(2)), parseDecimal('0.6931471805599453094172321214581765680755'))).toBe(true);
    expect(encloses(I.exp(I.interval(1)), parseDecimal('2.7182818284590452353602874713526624977572'))).toBe(true);
    expect(encloses(I.sqrt(I.interval(2)), parseDecimal('1.4142135623730950488016887242096980785697'))).toBe(true);
    expect(encloses(I.tanh(I.interval(0.25)), parseDecimal('0.2449186624037091292639858457565166486686'))).toBe(true);
    expect(encloses(I.log1p(I.interval(1e-10)), parseDecimal('0.000000000099999999995000000000333333333'))).toBe(true);
    expect(encloses(I.binaryEntropy(I.interval(0.5)), parseDecimal('0.6931471805599453094172321214581765680755'))).toBe(
      true,
    );
  });
  it('keeps exp(0) = 1, log(1) = 0, log1p(0) = 0, tanh(0) = 0 exact', () => {
    expect(I.exp(I.interval(0))).toEqual({ lo: 1, hi: 1 });
    expect(I.log(I.interval(1))).toEqual({ lo: 0, hi: 0 });
    expect(I.log1p(I.interval(0))).toEqual({ lo: 0, hi: 0 });
    expect(I.tanh(I.interval(0))).toEqual({ lo: 0, hi: 0 });
    expect(I.xlogx(I.interval(0))).toEqual({ lo: 0, hi: 0 });
  });
  it('contain what Math returns, with the margin on both sides', () => {
    fc.assert(
      fc.property(positive, finite, (x, y) => {
        const l = I.log(I.interval(x));
        expect(l.lo < Math.log(x) && Math.log(x) < l.hi).toBe(true);
        const e = I.exp(I.interval(y / 1e298));
        const ey = Math.exp(y / 1e298);
        expect(e.lo <= ey && ey <= e.hi).toBe(true);
        const t = I.tanh(I.interval(y / 1e299));
        expect(t.lo <= Math.tanh(y / 1e299) && Math.tanh(y / 1e299) <= t.hi).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
  it('x·ln x and h enclose sampled values over an interval', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (a, b) => {
        const box = I.interval(Math.min(a, b), Math.max(a, b));
        const mid = (box.lo + box.hi) / 2;
        const xl = I.xlogx(box);
        const xlMid = mid === 0 ? 0 : mid * Math.log(mid);
        expect(xl.lo <= xlMid && xlMid <= xl.hi).toBe(true);
        const h = I.binaryEntropy(box);
        const hMid = -(mid === 0 ? 0 : mid * Math.log(mid)) - (mid === 1 ? 0 : (1 - mid) * Math.log(1 - mid));
        expect(h.lo <= hMid + 1e-15 && hMid - 1e-15 <= h.hi).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
  it('handles unbounded ends without NaN', () => {
    expect(I.div(I.interval(0, Infinity), I.interval(2, Infinity))).toEqual({ lo: 0, hi: Infinity });
    expect(I.tanh(I.interval(1, Infinity))).toEqual({ lo: I.tanh(I.interval(1)).lo, hi: 1 });
    expect(I.mul(I.interval(0), I.interval(-Infinity, Infinity))).toEqual({ lo: 0, hi: 0 });
  });
});

describe('interval operations on hand values, case by case', () => {
  const iv = (lo: number, hi: number = lo) => ({ lo, hi });
  /**
   * Encloses the exact decimal value, and is narrow: the libm functions are widened by 2⁻⁵⁰
   * relative plus one ulp on each side, at most 2·(4 + 1)·2⁻⁵² of the larger end, and the exactly
   * rounded operations by one ulp per side; 12·2⁻⁵² covers both (a wrong branch is off by far more).
   */
  function tight(x: I.Interval, exact: string): void {
    const value = exact.startsWith('-')
      ? subtractRational(parseDecimal('0'), parseDecimal(exact.slice(1)))
      : parseDecimal(exact);
    expect(encloses(x, value), `${JSON.stringify(x)} ∌ ${exact}`).toBe(true);
    expect(x.hi - x.lo).toBeLessThanOrEqual(12 * Number.EPSILON * Math.max(Math.abs(x.lo), Math.abs(x.hi)));
  }

  it('interval(): NaN or reversed ends give the whole line', () => {
    expect(I.interval(2, 1)).toBe(I.WHOLE);
    expect(I.interval(Number.NaN, 1)).toBe(I.WHOLE);
    expect(I.interval(0, Number.NaN)).toBe(I.WHOLE);
    expect(I.interval(-Infinity, Infinity)).toEqual(I.WHOLE);
    expect(I.interval(1, 1)).toEqual(iv(1));
  });

  it('products take the extreme corner products, with exact ones exact', () => {
    expect(I.mul(iv(-2, 3), iv(-5, 4))).toEqual(iv(-15, 12));
    expect(I.mul(iv(-2, -1), iv(3, 4))).toEqual(iv(-8, -3));
    expect(I.mul(iv(1, 2), iv(-Infinity, 1))).toEqual(iv(-Infinity, 2));
    expect(I.neg(iv(-1, 2))).toEqual(iv(-2, 1));
    expect(I.sub(iv(0, 1), iv(-2, 3))).toEqual(iv(-3, 3));
    expect(I.scale(-2, iv(1, 3))).toEqual(iv(-6, -2));
    expect(I.mul(iv(Number.MAX_VALUE), iv(2))).toEqual(iv(Number.MAX_VALUE, Infinity));
    expect(I.add(iv(Number.MAX_VALUE), iv(Number.MAX_VALUE))).toEqual(iv(Number.MAX_VALUE, Infinity));
    expect(I.add(iv(-Number.MAX_VALUE), iv(-Number.MAX_VALUE))).toEqual(iv(-Infinity, -Number.MAX_VALUE));
  });

  it('reciprocals and quotients on either side of 0 and touching it', () => {
    expect(I.recip(iv(2, 4))).toEqual(iv(0.25, 0.5));
    expect(I.recip(iv(-4, -2))).toEqual(iv(-0.5, -0.25));
    expect(I.recip(iv(0, 2))).toEqual(iv(0.5, Infinity));
    expect(I.recip(iv(-2, 0))).toEqual(iv(-Infinity, -0.5));
    expect(I.recip(iv(-1, 1))).toBe(I.WHOLE);
    expect(I.recip(iv(0, 0))).toBe(I.WHOLE);
    expect([
      I.excludesZero(iv(0, 1)),
      I.excludesZero(iv(-1, 0)),
      I.excludesZero(iv(1e-300, 1)),
      I.excludesZero(iv(-1, -1e-300)),
    ]).toEqual([false, false, true, true]);
    expect(I.div(iv(1, 2), iv(4, 8))).toEqual(iv(0.125, 0.5));
    expect(I.div(iv(1, 2), iv(-8, -4))).toEqual(iv(-0.5, -0.125));
    expect(I.div(iv(-1, 2), iv(4, 8))).toEqual(iv(-0.25, 0.5));
    expect(I.div(iv(-1, 2), iv(-8, -4))).toEqual(iv(-0.5, 0.25));
    expect(I.div(iv(1, 2), iv(0, 4))).toEqual(iv(0.25, Infinity));
    tight(I.div(iv(1), iv(3)), '0.3333333333333333333333333333333333333333');
    tight(I.div(iv(-2), iv(3)), '-0.6666666666666666666666666666666666666667');
  });

  it('integer powers: odd powers keep the sign, even powers are non-negative', () => {
    expect(I.powInt(iv(-2, 3), 0)).toEqual(iv(1));
    expect(I.powInt(iv(-2, 3), 1)).toEqual(iv(-2, 3));
    expect(I.powInt(iv(-2, 3), 3)).toEqual(iv(-8, 27));
    expect(I.powInt(iv(-3, -2), 3)).toEqual(iv(-27, -8));
    expect(I.powInt(iv(2, 3), 3)).toEqual(iv(8, 27));
    expect(I.powInt(iv(-2, 3), 2)).toEqual(iv(0, 9));
    expect(I.powInt(iv(-3, -2), 2)).toEqual(iv(4, 9));
    expect(I.powInt(iv(2, 3), 4)).toEqual(iv(16, 81));
    tight(I.powInt(iv(0.1), 3), '0.001000000000000000062450045135165055398839');
  });

  it('square roots are exact when the root is a double and tight otherwise', () => {
    expect(I.sqrt(iv(4, 9))).toEqual(iv(2, 3));
    expect(I.sqrt(iv(0, Infinity))).toEqual(iv(0, Infinity));
    expect(I.sqrt(iv(-1, 4))).toBe(I.WHOLE);
    tight(I.sqrt(iv(3)), '1.732050807568877293527446341505872366943');
    tight(I.sqrt(iv(0.5)), '0.7071067811865475244008443621048490392848');
  });

  it('exp, log, log1p and tanh: the known facts at 0, 1, the ends and the signs', () => {
    expect(I.exp(iv(-Infinity, 0))).toEqual(iv(0, 1));
    expect(I.exp(iv(0, Infinity))).toEqual(iv(1, Infinity));
    tight(I.exp(iv(-1)), '0.3678794411714423215955237701614608674458');
    expect(I.exp(iv(1000)).lo).toBe(1.7e308);
    expect(I.log(iv(0, 1))).toEqual(iv(-Infinity, 0));
    expect(I.log(iv(1, Infinity))).toEqual(iv(0, Infinity));
    expect(I.log(iv(-1, 1))).toBe(I.WHOLE);
    expect(I.log(iv(-2, 0))).toBe(I.WHOLE);
    tight(I.log(iv(0.5)), '-0.6931471805599453094172321214581765680755');
    tight(I.log(iv(10)), '2.302585092994045684017991454684364207601');
    expect(I.log1p(iv(-1, 0))).toEqual(iv(-Infinity, 0));
    expect(I.log1p(iv(0, Infinity))).toEqual(iv(0, Infinity));
    expect(I.log1p(iv(-2, 0))).toBe(I.WHOLE);
    expect(I.log1p(iv(-3, -1))).toBe(I.WHOLE);
    tight(I.log1p(iv(-0.5)), '-0.6931471805599453094172321214581765680755');
    expect(I.tanh(iv(-Infinity, 0))).toEqual(iv(-1, 0));
    expect(I.tanh(iv(-Infinity, Infinity))).toEqual(iv(-1, 1));
    tight(I.tanh(iv(-0.25)), '-0.2449186624037091292639858457565166486686');
    expect(I.tanh(iv(30)).hi).toBe(1);
  });

  it('x·ln x and h on either side of their turning points 1/e and 1/2', () => {
    // x ln x decreases on [0, 1/e], increases after; ≤ 0 on [0, 1], ≥ 0 from 1.
    tight(I.xlogx(iv(0.25)), '-0.3465735902799726547086160607290882840378');
    const left = I.xlogx(iv(0.1, 0.25));
    expect(left.lo).toBe(I.xlogx(iv(0.25)).lo);
    expect(left.hi).toBe(I.xlogx(iv(0.1)).hi);
    const right = I.xlogx(iv(0.5, 2));
    expect(right.lo).toBe(I.xlogx(iv(0.5)).lo);
    expect(right.hi).toBe(I.xlogx(iv(2)).hi);
    expect(I.xlogx(iv(0.1, 0.5))).toEqual(iv(-0.3678794411714425, Math.max(I.xlogx(iv(0.1)).hi, I.xlogx(iv(0.5)).hi)));
    expect(I.xlogx(iv(0, 1)).hi).toBe(0);
    expect(I.xlogx(iv(1, 2)).lo).toBe(0);
    expect(I.xlogx(iv(1, Infinity)).hi).toBe(Infinity);
    expect(I.xlogx(iv(-0.5, 1))).toBe(I.WHOLE);
    // h increases on [0, 1/2] to ln 2, decreases after, and lies in [0, ln 2].
    tight(I.binaryEntropy(iv(0.25)), '0.5623351446188083057283938369954043339234');
    const rising = I.binaryEntropy(iv(0.1, 0.25));
    expect([rising.lo, rising.hi]).toEqual([I.binaryEntropy(iv(0.1)).lo, I.binaryEntropy(iv(0.25)).hi]);
    const falling = I.binaryEntropy(iv(0.75, 0.9));
    expect([falling.lo, falling.hi]).toEqual([I.binaryEntropy(iv(0.9)).lo, I.binaryEntropy(iv(0.75)).hi]);
    expect(falling.hi).toBeLessThan(0.5624); // h(¾) = 0.56233…, not the maximum ln 2 of a box that crosses ½
    const across = I.binaryEntropy(iv(0.25, 0.9));
    expect([across.lo, across.hi]).toEqual([
      Math.min(I.binaryEntropy(iv(0.25)).lo, I.binaryEntropy(iv(0.9)).lo),
      0.6931471805599454,
    ]);
    expect(I.binaryEntropy(iv(0, 1))).toEqual(iv(0, 0.6931471805599454));
    expect(I.binaryEntropy(iv(-0.1, 0.5))).toBe(I.WHOLE);
    expect(I.binaryEntropy(iv(0.5, 1.1))).toBe(I.WHOLE);
  });

  it('nextUp and nextDown on negatives, subnormals and the infinities', () => {
    expect(I.nextUp(-1)).toBe(-1 + Number.EPSILON / 2);
    expect(I.nextDown(-1)).toBe(-1 - Number.EPSILON);
    expect(I.nextUp(-Number.MIN_VALUE)).toBe(-0);
    expect(I.nextUp(Infinity)).toBe(Infinity);
    expect(I.nextDown(-Infinity)).toBe(-Infinity);
    expect(I.nextUp(Number.NaN)).toBeNaN();
    expect(I.contains(iv(0, 2), iv(0, 2))).toBe(true);
    expect(I.contains(iv(0, 2), iv(-1e-300, 2))).toBe(false);
    expect(I.contains(iv(0, 2), iv(0, 2.0000000000000004))).toBe(false);
  });
});

describe('directed rounding at its edges: which side moves, and the unsafe and infinite cases', () => {
  const iv = (lo: number, hi: number = lo) => ({ lo, hi });
  const E = Number.EPSILON;
  const MAX = Number.MAX_VALUE;
  const MIN = Number.MIN_VALUE;
  it('a sum moves only the side its rounding error points to', () => {
    // 1 + 2⁻⁶⁰ rounds down to 1 (the exact sum is above it); 1 − 2⁻⁶⁰ rounds up to 1.
    expect(I.add(iv(1), iv(2 ** -60))).toEqual(iv(1, 1 + E));
    expect(I.add(iv(1), iv(-(2 ** -60)))).toEqual(iv(1 - E / 2, 1));
  });
  it('sums with an infinite end keep it, and ∞ − ∞ is the whole line, never NaN', () => {
    expect(I.add(iv(Infinity), iv(1))).toEqual(iv(Infinity, Infinity));
    expect(I.add(iv(-Infinity), iv(1))).toEqual(iv(-Infinity, -Infinity));
    expect(I.add(iv(-Infinity), iv(Infinity))).toEqual(iv(-Infinity, Infinity));
  });
  it('a product moves only the side its rounding error points to', () => {
    // 3 · 0.1 rounds up to 0.30000000000000004; (1 + ε)² = 1 + 2ε + ε² rounds down to 1 + 2ε.
    expect(I.mul(iv(3), iv(0.1))).toEqual(iv(0.3, 0.30000000000000004));
    expect(I.mul(iv(1 + E), iv(1 + E))).toEqual(iv(1 + 2 * E, 1 + 3 * E));
  });
  it('products outside the safe range are widened by one ulp each side; overflow reaches the infinities', () => {
    expect(I.mul(iv(1e-300), iv(1e-300))).toEqual(iv(-MIN, MIN)); // underflows to 0
    const big = 2 ** 996 * 1.5; // exact, but 2⁹⁹⁶ is beyond the range where TwoProduct is exact
    expect(I.mul(iv(2 ** 996), iv(1.5))).toEqual(iv(I.nextDown(big), I.nextUp(big)));
    expect(I.mul(iv(1e200), iv(1e200))).toEqual(iv(MAX, Infinity));
    expect(I.mul(iv(-1e200), iv(1e200))).toEqual(iv(-Infinity, -MAX));
  });
  it('quotients: the side of the remainder (also for a negative divisor), infinities, underflow and overflow', () => {
    // 2/3 rounds down, 1/3 rounds down, so 1/(−3) rounds up.
    expect(I.div(iv(2), iv(3))).toEqual(iv(2 / 3, I.nextUp(2 / 3)));
    expect(I.div(iv(1), iv(-3))).toEqual(iv(I.nextDown(-1 / 3), -1 / 3));
    expect(I.div(iv(1), iv(Infinity))).toEqual(iv(0, 0));
    expect(I.div(iv(Infinity), iv(2))).toEqual(iv(Infinity, Infinity));
    expect(I.div(iv(MAX), iv(0.5))).toEqual(iv(MAX, Infinity));
    expect(I.div(iv(-MAX), iv(0.5))).toEqual(iv(-Infinity, -MAX));
    expect(I.div(iv(MIN), iv(4))).toEqual(iv(-MIN, MIN)); // underflows to 0
    const q = 1e-310 / 3; // subnormal: outside the safe range
    expect(I.div(iv(1e-310), iv(3))).toEqual(iv(I.nextDown(q), I.nextUp(q)));
  });
  it('exp of a very negative argument is [0, the least subnormal]; x·ln x at +∞ is unbounded above', () => {
    expect(I.exp(iv(-1000))).toEqual(iv(0, MIN));
    expect(I.exp(iv(-Infinity))).toEqual(iv(0, MIN));
    expect(I.xlogx(iv(Infinity))).toEqual(iv(MAX, Infinity));
  });
  it('square roots: the side of the rounding checked by squaring, and a subnormal radicand widened', () => {
    // √2 = 1.41421356237309504… rounds up to 1.4142135623730951; √3 = 1.73205080756887729… rounds down.
    expect(I.sqrt(iv(2))).toEqual(iv(I.nextDown(Math.SQRT2), Math.SQRT2));
    expect(I.sqrt(iv(3))).toEqual(iv(Math.sqrt(3), I.nextUp(Math.sqrt(3))));
    const s = Math.sqrt(1e-310);
    expect(I.sqrt(iv(1e-310))).toEqual(iv(I.nextDown(s), I.nextUp(s)));
    expect(I.sqrt(iv(0))).toEqual(iv(0, 0));
  });
});

describe('interval edges found by mutation', () => {
  const iv = (lo: number, hi: number = lo) => ({ lo, hi });
  const tight = (x: I.Interval, exact: string) => expect(encloses(x, parseDecimal(exact)), exact).toBe(true);
  /** lo ≤ num/den ≤ hi, exactly. */
  function enclosesFraction(x: I.Interval, num: bigint, den: bigint): boolean {
    const scaled = (v: number) => multiplyRational(doubleToRational(v), { num: den, den: 1n } as Rational);
    const target = doubleToRational(Number(num)); // num is small, so exact
    return compare(scaled(x.lo), target) <= 0 && compare(target, scaled(x.hi)) <= 0;
  }
  it('the error-free product is trusted only strictly inside (2⁻⁹⁶⁰, 2⁹⁹⁵), for each factor and the product', () => {
    for (const [a, b] of [
      [2 ** 995, 1.5],
      [2 ** -960, 1.5],
      [2 ** -970, 2 ** 100], // a outside, the product 2⁻⁸⁷⁰ inside
    ]) {
      const p = a! * b!;
      expect(I.mul(iv(a!), iv(b!))).toEqual(iv(I.nextDown(p), I.nextUp(p)));
    }
    expect(I.mul(iv(2 ** 995), iv(0.5))).toEqual(iv(I.nextDown(2 ** 994), I.nextUp(2 ** 994))); // 2⁹⁹⁵ itself is outside
    expect(I.mul(iv(2 ** 994), iv(1.5))).toEqual(iv(2 ** 994 * 1.5)); // inside: exact stays exact
  });
  it('an infinite factor gives an infinite product on both ends', () => {
    expect(I.mul(iv(Infinity), iv(2))).toEqual(iv(Infinity, Infinity));
    expect(I.mul(iv(-Infinity), iv(2))).toEqual(iv(-Infinity, -Infinity));
    expect(I.exp(iv(Infinity))).toEqual(iv(1.7e308, Infinity));
    expect(I.sqrt(iv(Infinity))).toEqual(iv(Infinity, Infinity));
    expect(I.tanh(iv(Infinity)).lo).toBeGreaterThan(0.99);
  });
  it('reciprocals round each end outward: 1/3 rounds down, so its upper end moves', () => {
    expect(I.recip(iv(3))).toEqual(iv(1 / 3, I.nextUp(1 / 3)));
    expect(I.recip(iv(-3))).toEqual(iv(I.nextDown(-1 / 3), -1 / 3));
    expect(I.recip(iv(0, 3))).toEqual(iv(1 / 3, Infinity));
    expect(I.recip(iv(-3, 0))).toEqual(iv(-Infinity, -1 / 3));
  });
  it('quotients by a wide divisor take each end from the right corner, rounded outward', () => {
    // 1/[3, 5] = [1/5, 1/3]; −1/[3, 5] = [−1/3, −1/5]; 0.2 rounds up and 1/3 down.
    expect(I.div(iv(1), iv(3, 5))).toEqual(iv(I.nextDown(0.2), I.nextUp(1 / 3)));
    expect(I.div(iv(-1), iv(3, 5))).toEqual(iv(I.nextDown(-1 / 3), I.nextUp(-0.2)));
    expect(enclosesFraction(I.div(iv(1), iv(3, 5)), 1n, 3n)).toBe(true);
  });
  it('odd powers of a negative interval round the magnitude up for the lower end', () => {
    const cube = multiplyRational(
      multiplyRational(doubleToRational(0.1), doubleToRational(0.1)),
      doubleToRational(0.1),
    );
    const minusCube = subtractRational(parseDecimal('0'), cube);
    const x = I.powInt(iv(-0.1), 3);
    expect(encloses(x, minusCube)).toBe(true);
    const mixed = I.powInt(iv(-0.1, 0.1), 3);
    expect(encloses(iv(mixed.lo), minusCube) || mixed.lo < -0.001).toBe(true);
    expect(mixed.lo).toBeLessThanOrEqual(x.lo);
    expect(mixed.hi).toBe(-x.lo);
  });
  it('even powers enclose the exact power at both ends, for positive and for negative intervals', () => {
    const power = (x: number, n: number) => {
      let result = doubleToRational(1);
      for (let i = 0; i < n; i++) result = multiplyRational(result, doubleToRational(x));
      return result;
    };
    for (const [box, n] of [
      [iv(0.1, 0.3), 2],
      [iv(-0.3, -0.1), 2],
      [iv(0.1, 0.3), 4],
      [iv(-0.3, -0.1), 4],
    ] as [I.Interval, number][]) {
      const x = I.powInt(box, n);
      const small = Math.min(Math.abs(box.lo), Math.abs(box.hi));
      const large = Math.max(Math.abs(box.lo), Math.abs(box.hi));
      expect(encloses(iv(x.lo, Infinity), power(small, n)), `lower end of [${box.lo}, ${box.hi}]^${n}`).toBe(true);
      expect(encloses(iv(-Infinity, x.hi), power(large, n)), `upper end of [${box.lo}, ${box.hi}]^${n}`).toBe(true);
    }
  });
  it('√17 and √11: their squares round back to 17 and 11 exactly, so only the exact square tells the side', () => {
    // fl(√17)² = 17 + a little (the root was rounded up); fl(√11)² = 11 − a little (rounded down).
    const s17 = Math.sqrt(17);
    const s11 = Math.sqrt(11);
    expect([s17 * s17, s11 * s11]).toEqual([17, 11]);
    expect(I.sqrt(iv(17))).toEqual(iv(I.nextDown(s17), s17));
    expect(I.sqrt(iv(11))).toEqual(iv(s11, I.nextUp(s11)));
    tight(I.sqrt(iv(17)), '4.123105625617660549821409855974077025147');
  });
  it('log and log1p at the edges of their domains, and log1p from an upper value', () => {
    expect(I.log(iv(0))).toBe(I.WHOLE);
    expect(I.log1p(iv(-1))).toBe(I.WHOLE);
    const l = I.log1p(iv(1, 2));
    expect(l.lo).toBeGreaterThan(0.69);
    expect(l.lo).toBeLessThan(Math.LN2);
  });
  it('x·ln x at exactly the doubles either side of 1/e takes the monotone branch', () => {
    const below = 0.3678794411714423;
    const above = 0.36787944117144245;
    expect(I.xlogx(iv(0.1, below)).lo).toBe(I.xlogx(iv(below)).lo);
    expect(I.xlogx(iv(above, 1)).lo).toBe(I.xlogx(iv(above)).lo);
  });
});
