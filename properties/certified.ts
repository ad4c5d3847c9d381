/**
 * Soundness of the certified dropped mass (theory/certified.md): δ̂ is compared with the EXACT δ
 * of the exact logits (rational logits, 60-digit exponentials), on inputs that reach overflow,
 * underflow and subnormals as well as ordinary heads with exact ties.
 */
import fc from 'fast-check';
import { claimAssert, type PropertySuite } from '../src/claims/claim.js';
import type { PageBoundKind } from '../src/core/certifiedDroppedMass.js';
import { big, droppedMassHighPrecision, exactLogits } from '../src/verify/highPrecision.js';
import { keepChoice, keepFor } from './generators.js';

/** One certified-δ̂ case; JSON-serialisable, so the audit's counterexamples are stored as such. */
export interface CertifiedCase {
  q: number[];
  K: number[][];
  /** null: the default scale 1/√d. */
  scale: number | null;
  pageSize: number;
  keep: number[];
  kind: PageBoundKind;
}

/** Relative slack for the oracle's own rounding (60 digits, a few dozen operations): theory/certified.md. */
/** A function, not a constant: mathjs loads on first use, not when the CLI starts. */
const oracleSlack = () => big('1e-40');

/** m·2^e for m ∈ [−1, 1]: every finite double magnitude, subnormals included, is reachable. */
function scaled(mantissa: number, exponent: number): number {
  return mantissa * 2 ** exponent;
}

const exponent = fc.integer({ min: -1074, max: 1023 });
const mantissa = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(1, -1, 0.75, 0.25));

/** Exponents for q and K: ordinary, independent anywhere in the double range, or opposite (huge q, tiny K). */
const exponentsArbitrary = fc.oneof(
  fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 })),
  fc.tuple(exponent, exponent),
  fc
    .tuple(exponent, fc.integer({ min: -12, max: 12 }))
    .map(([e, t]) => [e, Math.max(-1074, Math.min(1023, t - e))] as [number, number]),
);

const scaleArbitrary = fc.oneof(
  fc.constant(null),
  fc.constantFrom(1, -1, 1e9, -1e-3, 10),
  fc.tuple(mantissa, exponent).map(([m, e]) => scaled(m, e)),
);

/** x moved by a few ulps (at most 2⁻⁵⁰ relative), staying finite. */
function nudge(x: number, by: number): number {
  const y = x + x * by * 2 ** -50;
  return Number.isFinite(y) ? y : x;
}

export const certifiedCaseArbitrary: fc.Arbitrary<CertifiedCase> = fc
  .record({
    n: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 3 }),
    exponents: exponentsArbitrary,
    qMantissas: fc.array(mantissa, { minLength: 3, maxLength: 3 }),
    kMantissas: fc.array(mantissa, { minLength: 36, maxLength: 36 }),
    // Keys spread over the exponent range, or all within a few ulps of the first key (page radii that underflow).
    near: fc.boolean(),
    ties: fc.constantFrom('distinct', 'duplicated', 'two-values'),
    scale: scaleArbitrary,
    pageSize: fc.integer({ min: 1, max: 6 }),
    keep: keepChoice,
    kind: fc.constantFrom<PageBoundKind>('minmax', 'ball', 'min'),
  })
  .map((r) => {
    const [qExponent, kExponent] = r.exponents;
    const q = r.qMantissas.slice(0, r.d).map((m) => scaled(m, qExponent));
    const first = r.kMantissas.slice(0, r.d).map((m) => scaled(m, kExponent));
    const rows = Array.from({ length: r.n }, (_, i) => {
      const own = r.kMantissas.slice((i % 12) * 3, (i % 12) * 3 + r.d);
      return r.near ? first.map((x, c) => nudge(x, own[c]!)) : own.map((m) => scaled(m, kExponent));
    });
    const K = rows.map((row, i) => (r.ties === 'duplicated' ? rows[0]! : r.ties === 'two-values' ? rows[i % 2]! : row));
    return { q, K, scale: r.scale, pageSize: Math.min(r.n, r.pageSize), keep: keepFor(r.n, r.keep), kind: r.kind };
  });

export const certifiedProperties: PropertySuite = {
  'certified.soundness': {
    runs: 400,
    property: (impl) =>
      fc.property(certifiedCaseArbitrary, (c) => {
        const K = impl.core.matrixFromRows('K', c.K);
        const d = c.q.length;
        const scale = c.scale ?? impl.core.defaultScale(d);
        const pages = impl.core.pageSummaries(K, c.pageSize);
        const { bound } = impl.core.certifiedDroppedMass(c.q, K, c.keep, pages, { scale, kind: c.kind });
        const where = () =>
          `(kind ${c.kind}, page size ${c.pageSize}, scale ${scale}, |S| = ${c.keep.length} of ${c.K.length})`;
        claimAssert(bound >= 0 && bound <= 1, () => `δ̂ = ${bound} is not in [0, 1] ${where()}`);
        const delta = droppedMassHighPrecision(exactLogits(c.q, c.K, scale), c.keep);
        claimAssert(
          big(bound).gte(delta.times(big(1).minus(oracleSlack()))),
          () => `δ̂ = ${bound} < exact δ = ${delta.toPrecision(12)} ${where()}`,
        );
        claimAssert(
          c.keep.length === c.K.length || bound > 0,
          () => `δ̂ = 0 although ${c.K.length - c.keep.length} key(s) are dropped ${where()}`,
        );
        return true;
      }),
  },
};
