/**
 * The one assumption of the checker's trusted base (theory/scalar.md, "What the checker trusts"):
 * Math.exp, Math.log, Math.log1p and Math.tanh are within relative error 2⁻⁵¹ of the true value.
 * Checked here against 60-digit mathjs BigNumber values (an independent implementation) on
 * arguments spread over the ranges the certificates use and beyond; float64 alone cannot see it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { big, doubleToBig } from '../../src/verify/highPrecision.js';

const trusted = big(2).pow(-51);

function relativeError(computed: number, exact: ReturnType<typeof big>): number {
  return doubleToBig(computed).minus(exact).abs().div(exact.abs()).toNumber();
}

const spread = (lo: number, hi: number) =>
  fc.tuple(fc.double({ min: 1, max: 2, noNaN: true }), fc.integer({ min: lo, max: hi })).map(([m, e]) => m * 2 ** e);

describe('the platform libm is within the trusted 2⁻⁵¹ relative error', () => {
  it('exp on [−700, 700] (normal results)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -700, max: 700, noNaN: true }).filter((x) => x !== 0),
        (x) => {
          expect(relativeError(Math.exp(x), doubleToBig(x).exp())).toBeLessThanOrEqual(trusted.toNumber());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('log on (0, 2¹⁰²³] away from 1, and log1p on (−1, −10⁻¹⁰] and [2⁻⁶⁰, 2¹⁰⁰⁰] (1 + x keeps 40 of the oracle’s 60 digits)', () => {
    fc.assert(
      fc.property(
        spread(-1000, 1000).filter((x) => Math.abs(x - 1) > 1e-3),
        (x) => {
          expect(relativeError(Math.log(x), doubleToBig(x).ln())).toBeLessThanOrEqual(trusted.toNumber());
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.oneof(spread(-60, 1000), fc.double({ min: -0.999, max: -1e-10, noNaN: true })), (x) => {
        expect(relativeError(Math.log1p(x), doubleToBig(x).plus(1).ln())).toBeLessThanOrEqual(trusted.toNumber());
      }),
      { numRuns: 500 },
    );
  });

  it('tanh on ±[2⁻⁶⁰, 2⁵]', () => {
    fc.assert(
      fc.property(spread(-60, 4), fc.boolean(), (x, negative) => {
        const t = negative ? -x : x;
        expect(relativeError(Math.tanh(t), doubleToBig(t).tanh())).toBeLessThanOrEqual(trusted.toNumber());
      }),
      { numRuns: 500 },
    );
  });
});
