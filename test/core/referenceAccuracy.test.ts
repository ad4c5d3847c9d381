/**
 * The float64 reference against the 60-digit oracle (src/verify/highPrecision.ts) on hard inputs:
 * logits to ±80, near ties a few ulps apart, one-hot and uniform rows, tiny dropped masses. The
 * tolerances are the a-priori bounds derived in theory/reference.md ("Accuracy against a
 * 60-digit oracle"); a check that 1 − Σ_S p_i is NOT accurate for tiny δ shows they can fail.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { droppedMassFromLogits } from '../../src/core/droppedMass.js';
import { softmax } from '../../src/core/softmax.js';
import { entropy } from '../../src/info/entropy.js';
import {
  big,
  doubleToBig,
  droppedMassHighPrecision,
  entropyHighPrecision,
  softmaxHighPrecision,
} from '../../src/verify/highPrecision.js';
import { doubleToRational } from '../../src/proofs/rational.js';
import { gamma } from '../../src/verify/errorBounds.js';

const u = 2 ** -53;
/** Math.exp and Math.log trusted within 2⁻⁵¹ relative (theory/scalar.md). */
const libm = 2 ** -51;

function range(z: readonly number[]): number {
  return Math.max(...z) - Math.min(...z);
}

/** Relative error bound of each softmax entry: e^{2uR}(1 + 2⁻⁵¹)²(1 + γ_{N−1})(1 + u)² − 1. */
function softmaxBound(z: readonly number[]): number {
  return Math.exp(2 * u * range(z)) * (1 + libm) ** 2 * (1 + gamma(z.length - 1, u)) * (1 + u) ** 2 - 1;
}

/** Relative error bound of δ from logits: e^{2uR}(1 + 2⁻⁵¹)²(1 + γ_{N−1})²(1 + u) − 1. */
function deltaBound(z: readonly number[]): number {
  return Math.exp(2 * u * range(z)) * (1 + libm) ** 2 * (1 + gamma(z.length - 1, u)) ** 2 * (1 + u) - 1;
}

/** Absolute error bound of H(softmax z) computed from the float softmax: (2ε_p + 2⁻⁵⁰ + γ_N)(H + 1). */
function entropyBound(z: readonly number[], H: number): number {
  return (2 * softmaxBound(z) + 2 ** -50 + gamma(z.length, u)) * (H + 1);
}

const relativeError = (computed: number, exact: ReturnType<typeof big>) =>
  exact.isZero() ? Math.abs(computed) : doubleToBig(computed).minus(exact).abs().div(exact).toNumber();

const logit = fc.double({ min: -80, max: 80, noNaN: true });
/** Hard rows: general, near ties (a few ulps apart), one-hot, uniform, two clusters 160 apart. */
const hardLogits = fc.oneof(
  fc.array(logit, { minLength: 1, maxLength: 48 }),
  fc
    .tuple(logit, fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 2, maxLength: 48 }))
    .map(([a, ks]) => ks.map((k) => a + k * Math.abs(a || 1) * 2 ** -50)),
  fc.integer({ min: 2, max: 48 }).map((n) => Array.from({ length: n }, (_, i) => (i === 0 ? 80 : -80))),
  fc.tuple(logit, fc.integer({ min: 1, max: 48 })).map(([a, n]) => Array.from({ length: n }, () => a)),
  fc.array(fc.boolean(), { minLength: 2, maxLength: 48 }).map((bits) => bits.map((b) => (b ? 80 : -80))),
);

const exact = (z: number[]) => z.map(doubleToRational);

describe('the float64 reference is within its derived bounds of the 60-digit oracle', () => {
  it('softmax: every entry within the relative bound', () => {
    fc.assert(
      fc.property(hardLogits, (z) => {
        const p = softmax(z);
        const oracle = softmaxHighPrecision(exact(z));
        const bound = softmaxBound(z);
        p.forEach((x, i) => expect(relativeError(x, oracle[i]!)).toBeLessThanOrEqual(bound));
      }),
      { numRuns: 150 },
    );
  });

  it('δ from logits: relative accuracy even when δ is ~e^−160', () => {
    fc.assert(
      fc.property(hardLogits, fc.array(fc.nat(), { minLength: 1, maxLength: 48 }), (z, raw) => {
        const keep = [...new Set(raw.map((r) => r % z.length))];
        const oracle = droppedMassHighPrecision(exact(z), keep);
        expect(relativeError(droppedMassFromLogits(z, keep), oracle)).toBeLessThanOrEqual(deltaBound(z));
      }),
      { numRuns: 150 },
    );
  });

  it('entropy of the softmax: within the absolute bound', () => {
    fc.assert(
      fc.property(hardLogits, (z) => {
        const oracle = entropyHighPrecision(exact(z));
        const H = oracle.toNumber();
        expect(
          doubleToBig(entropy(softmax(z)))
            .minus(oracle)
            .abs()
            .toNumber(),
        ).toBeLessThanOrEqual(entropyBound(z, H));
      }),
      { numRuns: 150 },
    );
  });

  it('the bounds can fail: δ as 1 − Σ_S p_i loses all relative accuracy at δ = e^−160', () => {
    const z = [80, -80];
    const viaKept = 1 - softmax(z)[0]!;
    const oracle = droppedMassHighPrecision(exact(z), [0]);
    expect(relativeError(viaKept, oracle)).toBeGreaterThan(deltaBound(z));
    expect(relativeError(droppedMassFromLogits(z, [0]), oracle)).toBeLessThanOrEqual(deltaBound(z));
  });
});
