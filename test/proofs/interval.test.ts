import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as I from '../../src/proofs/interval.js';
import { doubleToRational, parseDecimal, subtractRational, addRational, multiplyRational, type Rational } from '../../src/proofs/rational.js';

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
    expect(encloses(I.binaryEntropy(I.interval(0.5)), parseDecimal('0.6931471805599453094172321214581765680755'))).toBe(true);
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
