import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  down,
  expDown,
  expUp,
  normUp,
  ratioUp,
  scaledProductDown,
  scaledProductUp,
  up,
} from '../../src/numeric/directedRounding.js';
import { big, doubleToBig } from '../../src/verify/highPrecision.js';

/** Any finite double: m·2^e over the whole exponent range, subnormals and zero included. */
const anyDouble = fc
  .tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: -1074, max: 1023 }))
  .map(([m, e]) => m * 2 ** e);

const exactlyAtMost = (x: ReturnType<typeof big>, bound: number) =>
  bound === Infinity || (bound !== -Infinity && x.lte(doubleToBig(bound)));
const exactlyAtLeast = (x: ReturnType<typeof big>, bound: number) =>
  bound === -Infinity || (bound !== Infinity && x.gte(doubleToBig(bound)));

describe('directed rounding brackets the exact result of every finite operation', () => {
  it('s·x·y lies between scaledProductDown and scaledProductUp (60-digit products are exact here)', () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, anyDouble, (s, x, y) => {
        const exact = doubleToBig(s).times(doubleToBig(x)).times(doubleToBig(y));
        expect(exactlyAtMost(exact, scaledProductUp(s, x, y))).toBe(true);
        expect(exactlyAtLeast(exact, scaledProductDown(s, x, y))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('sums: up(a + b) ≥ a + b ≥ down(a + b), at the subnormal end and at overflow', () => {
    fc.assert(
      fc.property(anyDouble, anyDouble, (a, b) => {
        const exact = doubleToBig(a).plus(doubleToBig(b));
        expect(exactlyAtMost(exact, up(a + b))).toBe(true);
        expect(exactlyAtLeast(exact, down(a + b))).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(up(-Infinity)).toBe(-Number.MAX_VALUE);
    expect(down(Infinity)).toBe(Number.MAX_VALUE);
    expect(up(0)).toBe(Number.MIN_VALUE);
    expect(up(Number.MAX_VALUE)).toBe(Infinity);
  });

  it('normUp(x) ≥ ‖x‖ with no overflow of Σx² and no underflow of tiny squares', () => {
    fc.assert(
      fc.property(fc.array(anyDouble, { minLength: 1, maxLength: 6 }), (x) => {
        const exact = x.reduce((s, v) => s.plus(doubleToBig(v).pow(2)), big(0)).sqrt();
        const bound = normUp(x);
        expect(exactlyAtMost(exact, bound)).toBe(true);
        // and not loose: ≤ (1 + 10⁻¹⁴)·‖x‖ + 4 subnormal ulps (about 2(d + 3) outward roundings of
        // ≤ 2⁻⁵¹ each, and the absolute step of `up` in the subnormal range) unless it overflows
        if (Number.isFinite(bound))
          expect(
            doubleToBig(bound).lte(exact.times(big('1.00000000000001')).plus(doubleToBig(4 * Number.MIN_VALUE))),
          ).toBe(true);
      }),
      { numRuns: 1000 },
    );
    expect(normUp([1e170])).toBeGreaterThanOrEqual(1e170);
    expect(normUp([1e-163, 1e-163])).toBeGreaterThan(1e-163);
    expect(normUp([Number.MAX_VALUE, Number.MAX_VALUE])).toBe(Infinity);
  });

  it('expDown(x) ≤ e^x ≤ expUp(x), subnormal results included; expUp is never 0', () => {
    fc.assert(
      fc.property(fc.double({ min: -760, max: 20, noNaN: true }), (x) => {
        const exact = doubleToBig(x).exp();
        expect(exactlyAtMost(exact, expUp(x))).toBe(true);
        expect(exactlyAtLeast(exact, expDown(x))).toBe(true);
      }),
      { numRuns: 1000 },
    );
    expect(expUp(-1e308)).toBeGreaterThan(0);
  });

  it('ratioUp(a, b) ≥ a/(a + b), and 1 where the denominator rounds to 0 or a overflows', () => {
    fc.assert(
      fc.property(
        anyDouble.map(Math.abs).filter((a) => a > 0),
        anyDouble.map(Math.abs),
        (a, b) => {
          const exact = doubleToBig(a).div(doubleToBig(a).plus(doubleToBig(b)));
          expect(exactlyAtMost(exact, ratioUp(a, b))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
    expect(ratioUp(Infinity, 1)).toBe(1);
    expect(ratioUp(Number.MIN_VALUE, 0)).toBe(1);
  });
});
