import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ballTerm, certifiedDroppedMass, pageLogitUpperBound, pageSummaries, type PageBoundKind } from '../../src/core/certifiedDroppedMass.js';
import { normUp, scaledProductUp, up } from '../../src/numeric/directedRounding.js';
import { defaultScale } from '../../src/core/attention.js';
import { matrixFromRows } from '../../src/core/matrix.js';
import { big, droppedMassHighPrecision, exactLogits } from '../../src/verify/highPrecision.js';

const kinds: PageBoundKind[] = ['minmax', 'ball', 'min'];

function certify(q: number[], rows: number[][], keep: number[], pageSize: number, scale: number, kind: PageBoundKind): number {
  const K = matrixFromRows('K', rows);
  return certifiedDroppedMass(q, K, keep, pageSummaries(K, pageSize), { scale, kind }).bound;
}

/** The exact δ (60 digits) less the oracle's own relative error bound 10⁻⁴⁰ (theory/certified.md). */
function exact(q: number[], rows: number[][], keep: number[], scale: number) {
  return droppedMassHighPrecision(exactLogits(q, rows, scale), keep).times(big(1).minus(big('1e-40')));
}

describe('certifiedDroppedMass is an upper bound on the exact δ for every finite input', () => {
  // The outside audit's three counterexamples (page size 2, d = 1, kept set {1}).
  const audit = [
    { q: [1e154], K: [[3e-163], [1e-163]], scale: 1e9, delta: 0.880797078 },
    { q: [1e154], K: [[3e-163], [1e-163]], scale: defaultScale(1), delta: 0.5000000005 },
    { q: [1e170], K: [[3e-170], [1e-170]], scale: 1, delta: 0.880797078 },
  ];
  for (const c of audit) {
    it(`q = ${c.q[0]}, K = (${c.K.join(', ')}), scale ${c.scale}: δ = ${c.delta}`, () => {
      const delta = exact(c.q, c.K, [1], c.scale);
      expect(delta.toNumber()).toBeCloseTo(c.delta, 9);
      for (const kind of kinds) {
        const bound = certify(c.q, c.K, [1], 2, c.scale, kind);
        expect(big(bound).gte(delta), `${kind}: δ̂ = ${bound}`).toBe(true);
        expect(bound, kind).toBeLessThanOrEqual(1);
      }
    });
  }

  it('is positive when a key is dropped even if its weight underflows (δ = e^−800)', () => {
    const delta = droppedMassHighPrecision(exactLogits([1], [[0], [-800]], 1), [0]);
    expect(delta.gt(0)).toBe(true);
    for (const kind of kinds) expect(certify([1], [[0], [-800]], [0], 1, 1, kind)).toBeGreaterThan(0);
  });

  it('stays in [0, 1] and above δ at the ends of the double range (huge, subnormal, zero query)', () => {
    const max = Number.MAX_VALUE;
    const cases = [
      { q: [max, -max], K: [[max, max], [-max, max], [0, 5e-324]], scale: max },
      { q: [5e-324, 5e-324], K: [[5e-324, 0], [1e-320, -5e-324], [0, 0]], scale: 1e300 },
      { q: [0, 0], K: [[max, -max], [-max, max], [1, 2]], scale: 1 },
      { q: [1e300, 1e-300], K: [[1e-300, 1e300], [-1e-300, 1e300], [1e-300, -1e300]], scale: -1e-10 },
    ];
    for (const c of cases) {
      const delta = exact(c.q, c.K, [2], c.scale);
      for (const kind of kinds) {
        for (const pageSize of [1, 2, 3]) {
          const bound = certify(c.q, c.K, [2], pageSize, c.scale, kind);
          expect(Number.isNaN(bound)).toBe(false);
          expect(big(bound).gte(delta)).toBe(true);
          expect(bound).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('is tight on an ordinary head: within a factor 1 + 10⁻¹² of the exact δ when every page is a single key', () => {
    const q = [0.3, -1.2, 0.7];
    const rows = [[1, 0.5, -0.25], [0.125, -2, 1], [-1, 1, 1], [2, 0, 0.5]];
    const scale = defaultScale(3);
    const delta = exact(q, rows, [1, 3], scale);
    for (const kind of kinds) {
      const bound = certify(q, rows, [1, 3], 1, scale, kind);
      expect(big(bound).gte(delta)).toBe(true);
      expect(bound).toBeLessThanOrEqual(delta.toNumber() * (1 + 1e-12));
    }
  });
});

describe('pageLogitUpperBound', () => {
  /** The per-call form the native kernels run: scaledProductUp for every term. */
  function perCall(q: number[], page: ReturnType<typeof pageSummaries>[number], scale: number, kind: PageBoundKind): number {
    let minmax = 0;
    q.forEach((x, c) => (minmax = up(minmax + Math.max(scaledProductUp(scale, x, page.min[c]!), scaledProductUp(scale, x, page.max[c]!)))));
    if (kind === 'minmax' || scale < 0) return minmax;
    let centre = 0;
    q.forEach((x, c) => (centre = up(centre + scaledProductUp(scale, x, page.center[c]!))));
    const ball = up(centre + ballTerm(scale, normUp(q), page.radius));
    return kind === 'ball' ? ball : Math.min(minmax, ball);
  }

  it('equals the kernels per-call form bit for bit, over the whole double range', () => {
    const anyDouble = fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: -1074, max: 1023 })).map(([m, e]) => m * 2 ** e);
    fc.assert(
      fc.property(fc.array(anyDouble, { minLength: 3, maxLength: 3 }), fc.array(anyDouble, { minLength: 6, maxLength: 6 }), anyDouble, fc.constantFrom<PageBoundKind>('minmax', 'ball', 'min'), (q, k, scale, kind) => {
        const [page] = pageSummaries(matrixFromRows('K', [k.slice(0, 3), k.slice(3)]), 2);
        expect(Object.is(pageLogitUpperBound(q, page!, scale, kind), perCall(q, page!, scale, kind))).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
