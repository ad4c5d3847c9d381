import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ballTerm,
  boundFromExponents,
  certifiedDroppedMass,
  pageLogitUpperBound,
  pageSummaries,
  type PageBoundKind,
} from '../../src/core/certifiedDroppedMass.js';
import type { InvalidArgumentError } from '../../src/core/errors.js';
import { normUp, scaledProductUp, up } from '../../src/numeric/directedRounding.js';
import { defaultScale } from '../../src/core/attention.js';
import { matrixFromRows } from '../../src/core/matrix.js';
import { big, droppedMassHighPrecision, exactLogits } from '../../src/verify/highPrecision.js';
import { rejectionMessage as message } from './rejectionMessage.js';

const kinds: PageBoundKind[] = ['minmax', 'ball', 'min'];

function certify(
  q: number[],
  rows: number[][],
  keep: number[],
  pageSize: number,
  scale: number,
  kind: PageBoundKind,
): number {
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
      {
        q: [max, -max],
        K: [
          [max, max],
          [-max, max],
          [0, 5e-324],
        ],
        scale: max,
      },
      {
        q: [5e-324, 5e-324],
        K: [
          [5e-324, 0],
          [1e-320, -5e-324],
          [0, 0],
        ],
        scale: 1e300,
      },
      {
        q: [0, 0],
        K: [
          [max, -max],
          [-max, max],
          [1, 2],
        ],
        scale: 1,
      },
      {
        q: [1e300, 1e-300],
        K: [
          [1e-300, 1e300],
          [-1e-300, 1e300],
          [1e-300, -1e300],
        ],
        scale: -1e-10,
      },
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

  it('bounds a kept logit from below where its rounded value is too high (1e16 + 3 − 1e16 rounds to 4)', () => {
    // Kept key 0 has exact logit 3 but fl(fl(1e16 + 3) − 1e16) = 4; dropped key 1 has logit 3: δ = 1/2.
    const q = [1, 1, 1];
    const rows = [
      [1e16, 3, -1e16],
      [0, 3, 0],
    ];
    const delta = exact(q, rows, [0], 1);
    expect(delta.toNumber()).toBe(0.5);
    for (const kind of kinds) {
      const bound = certify(q, rows, [0], 1, 1, kind);
      expect(big(bound).gte(delta), `${kind}: δ̂ = ${bound}`).toBe(true);
    }
  });

  it('is tight on an ordinary head: within a factor 1 + 10⁻¹² of the exact δ when every page is a single key', () => {
    const q = [0.3, -1.2, 0.7];
    const rows = [
      [1, 0.5, -0.25],
      [0.125, -2, 1],
      [-1, 1, 1],
      [2, 0, 0.5],
    ];
    const scale = defaultScale(3);
    const delta = exact(q, rows, [1, 3], scale);
    for (const kind of kinds) {
      const bound = certify(q, rows, [1, 3], 1, scale, kind);
      expect(big(bound).gte(delta)).toBe(true);
      expect(bound).toBeLessThanOrEqual(delta.toNumber() * (1 + 1e-12));
    }
  });
});

/** The per-call form the native kernels run: scaledProductUp for every term. */
function perCall(
  q: number[],
  page: ReturnType<typeof pageSummaries>[number],
  scale: number,
  kind: PageBoundKind,
): number {
  let minmax = 0;
  q.forEach(
    (x, c) =>
      (minmax = up(
        minmax + Math.max(scaledProductUp(scale, x, page.min[c]!), scaledProductUp(scale, x, page.max[c]!)),
      )),
  );
  if (kind === 'minmax' || scale < 0) return minmax;
  let centre = 0;
  q.forEach((x, c) => (centre = up(centre + scaledProductUp(scale, x, page.center[c]!))));
  const ball = up(centre + ballTerm(scale, normUp(q), page.radius));
  return kind === 'ball' ? ball : Math.min(minmax, ball);
}

describe('pageLogitUpperBound', () => {
  it('equals the kernels per-call form bit for bit, over the whole double range', () => {
    const anyDouble = fc
      .tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: -1074, max: 1023 }))
      .map(([m, e]) => m * 2 ** e);
    fc.assert(
      fc.property(
        fc.array(anyDouble, { minLength: 3, maxLength: 3 }),
        fc.array(anyDouble, { minLength: 6, maxLength: 6 }),
        anyDouble,
        fc.constantFrom<PageBoundKind>('minmax', 'ball', 'min'),
        (q, k, scale, kind) => {
          const [page] = pageSummaries(matrixFromRows('K', [k.slice(0, 3), k.slice(3)]), 2);
          expect(Object.is(pageLogitUpperBound(q, page!, scale, kind), perCall(q, page!, scale, kind))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/**
 * Hand values. Every computed bound is compared with the exact value it bounds: it must lie above
 * it and within the relative slack of outward rounding, 10⁻¹² (theory/certified.md, "Tightness").
 */
function expectTightAbove(bound: number, exactValue: number, slack = 1e-12): void {
  expect(bound).toBeGreaterThanOrEqual(exactValue);
  // Plus a few subnormal steps of 2⁻¹⁰⁷⁴ (1e-320 is about two thousand of them, far below any value compared).
  expect(bound).toBeLessThanOrEqual(exactValue + Math.abs(exactValue) * slack + 1e-320);
}

describe('pageSummaries on hand values', () => {
  const K = matrixFromRows('K', [
    [1, 2],
    [3, -4],
    [5, 0],
  ]);

  it('splits into pages of pageSize keys, the last shorter, with min, max, mean and a radius above max ‖k − c‖', () => {
    const pages = pageSummaries(K, 2);
    expect(pages.map((p) => [p.start, p.end])).toEqual([
      [0, 2],
      [2, 3],
    ]);
    expect([Array.from(pages[0]!.min), Array.from(pages[0]!.max), Array.from(pages[0]!.center)]).toEqual([
      [1, -4],
      [3, 2],
      [2, -1],
    ]);
    expectTightAbove(pages[0]!.radius, Math.sqrt(10)); // ‖(±1, ∓3)‖
    expect([Array.from(pages[1]!.min), Array.from(pages[1]!.max), Array.from(pages[1]!.center)]).toEqual([
      [5, 0],
      [5, 0],
      [5, 0],
    ]);
    expectTightAbove(pages[1]!.radius, 0);
    const whole = pageSummaries(K, 3);
    expect(whole.map((p) => [p.start, p.end])).toEqual([[0, 3]]);
    expect(Array.from(whole[0]!.center)).toEqual([3, -2 / 3]);
    expectTightAbove(whole[0]!.radius, 10 / 3); // ‖(−2, 8/3)‖ = ‖(0, −10/3)‖ = 10/3 > ‖(2, 2/3)‖
    expect(pageSummaries(K, 1).map((p) => [p.start, p.end, p.center[0]])).toEqual([
      [0, 1, 1],
      [1, 2, 3],
      [2, 3, 5],
    ]);
    expect(pageSummaries({ data: new Float64Array(0), rows: 0, columns: 2 }, 1)).toEqual([]);
  });

  it('the mean is the correctly rounded mean of an exact sum, and stays finite when the sum overflows', () => {
    // 9 − 1 + 12 = 20 exactly: the mean is fl(20/3), where 9/3 − 1/3 + 12/3 rounds one ulp lower.
    expect(pageSummaries(matrixFromRows('K', [[9], [-1], [12]]), 3)[0]!.center[0]).toBe(20 / 3);
    const max = Number.MAX_VALUE;
    expect(pageSummaries(matrixFromRows('K', [[max], [max]]), 2)[0]!.center[0]).toBe(max);
    expect(pageSummaries(matrixFromRows('K', [[max], [max], [-max]]), 3)[0]!.center[0]).toBeCloseTo(max / 3, -293);
  });

  it('rejects a bad matrix or page size, naming it', () => {
    expect(message(() => pageSummaries(null as never, 1))).toBe(
      'K: expected a matrix {data: Float64Array, rows, columns}, received null',
    );
    expect(message(() => pageSummaries(K, 0))).toBe('pageSize: expected an integer in [1, 3], received 0');
    expect(message(() => pageSummaries(K, 4))).toBe('pageSize: expected an integer in [1, 3], received 4');
    expect(message(() => pageSummaries(K, 1.5))).toBe('pageSize: expected an integer in [1, 3], received 1.5');
  });
});

describe('pageLogitUpperBound on hand values', () => {
  // Keys (1, 0), (0, 1), (0, 0): box [0, 1]², centre (1/3, 1/3), radius √5/3.
  const [page] = pageSummaries(
    matrixFromRows('K', [
      [1, 0],
      [0, 1],
      [0, 0],
    ]),
    3,
  );

  it('minmax, ball and the smaller of the two, each above the exact bound it computes', () => {
    // q = (1, 1): minmax 1 + 1 = 2; ball 2/3 + √2·√5/3 = (2 + √10)/3 ≈ 1.72, the smaller.
    expectTightAbove(pageLogitUpperBound([1, 1], page!, 1, 'minmax'), 2);
    expectTightAbove(pageLogitUpperBound([1, 1], page!, 1, 'ball'), (2 + Math.sqrt(10)) / 3);
    expect(pageLogitUpperBound([1, 1], page!, 1, 'min')).toBe(pageLogitUpperBound([1, 1], page!, 1, 'ball'));
    // q = (1, −1): minmax max(0, 1) + max(0, −1) = 1, the exact largest logit; ball 0 + √10/3.
    expectTightAbove(pageLogitUpperBound([1, -1], page!, 1, 'minmax'), 1);
    expectTightAbove(pageLogitUpperBound([1, -1], page!, 1, 'ball'), Math.sqrt(10) / 3);
    expect(pageLogitUpperBound([1, -1], page!, 1, 'min')).toBe(pageLogitUpperBound([1, -1], page!, 1, 'minmax'));
    // Scale 2 doubles every bound.
    expectTightAbove(pageLogitUpperBound([1, 1], page!, 2, 'minmax'), 4);
    expectTightAbove(pageLogitUpperBound([1, 1], page!, 2, 'ball'), (4 + 2 * Math.sqrt(10)) / 3);
  });

  it('a negative scale uses minmax for every kind (the ball term needs s ≥ 0)', () => {
    // s = −1, q = (1, −1): s·q = (−1, 1), max over the box: 0 + 1 = 1.
    for (const kind of kinds) expectTightAbove(pageLogitUpperBound([1, -1], page!, -1, kind), 1);
    // s = −1, q = (−1, −1): s·q = (1, 1): minmax 2, where the ball would give (2 + √10)/3.
    for (const kind of kinds) expectTightAbove(pageLogitUpperBound([-1, -1], page!, -1, kind), 2);
  });

  it('rejects a query of the wrong length', () => {
    const error = (() => {
      try {
        pageLogitUpperBound([1], page!, 1, 'min');
      } catch (e) {
        return e as InvalidArgumentError;
      }
      return undefined;
    })();
    expect(error?.message).toBe('q: expected length 2, received length 1');
    expect(error?.problem).toBe('length');
  });
});

describe('pageLogitUpperBound equals the kernels per-call form bit for bit on the edge cases', () => {
  // perCall at zero factors, negative scales and zero pages, where the shared bracket of s·q_c
  // must give exactly what the native kernels compute.
  it('scale 0, ±0.5 and 3, queries with zero entries, pages with zero entries', () => {
    const pages = pageSummaries(
      matrixFromRows('K', [
        [0, 2, -1],
        [0, -3, 0.5],
        [1, 0, 0],
        [0, 0, 0],
      ]),
      2,
    );
    for (const scale of [0, 0.5, -0.5, 3]) {
      for (const q of [
        [0, 0, 0],
        [0, 1, -2],
        [1.5, 0, 0.25],
        [-1, -1, 1],
      ]) {
        for (const page of pages) {
          for (const kind of kinds) {
            expect(
              Object.is(pageLogitUpperBound(q, page, scale, kind), perCall(q, page, scale, kind)),
              `${scale} ${q} ${kind}`,
            ).toBe(true);
          }
        }
      }
    }
  });
});

describe('certifiedDroppedMass on hand values', () => {
  // Keys (1, 0), (0, 1), (0, 0) in page 0 and (0, 0) in page 1; keep {3}; q = (1, 1), scale 1.
  const K = matrixFromRows('K', [
    [1, 0],
    [0, 1],
    [0, 0],
    [0, 0],
  ]);
  const pages = pageSummaries(K, 3);
  const e = Math.E;

  it('bounds page by page: δ̂ = 3e^U/(3e^U + e⁰) with U the page bound of the kind', () => {
    const byKind = (kind: PageBoundKind) => certifiedDroppedMass([1, 1], K, [3], pages, { scale: 1, kind });
    const exactDelta = exact(
      [1, 1],
      [
        [1, 0],
        [0, 1],
        [0, 0],
        [0, 0],
      ],
      [3],
      1,
    ).toNumber(); // (2e + 1)/(2e + 2)
    expect(exactDelta).toBeCloseTo((2 * e + 1) / (2 * e + 2), 15);
    const ball = Math.exp((2 + Math.sqrt(10)) / 3);
    expectTightAbove(byKind('minmax').bound, (3 * e * e) / (3 * e * e + 1));
    expectTightAbove(byKind('ball').bound, (3 * ball) / (3 * ball + 1));
    expect(byKind('min').bound).toBe(byKind('ball').bound);
    expect(certifiedDroppedMass([1, 1], K, [3], pages, { scale: 1 }).bound).toBe(byKind('min').bound);
    for (const kind of kinds) expect(byKind(kind).bound).toBeGreaterThan(exactDelta);
    // pageBounds: U for the page with dropped keys, NaN for the page whose only key is kept.
    const { pageBounds } = byKind('minmax');
    expect(pageBounds.length).toBe(2);
    expectTightAbove(pageBounds[0]!, 2);
    expect(pageBounds[1]).toBeNaN();
  });

  it('counts only the dropped keys of a page, and bounds the kept logits from the keys', () => {
    // keep {0, 3}: page 0 drops 2 keys (U = 2 by minmax), kept logits 1 and 0.
    const { bound } = certifiedDroppedMass([1, 1], K, [0, 3], pages, { scale: 1, kind: 'minmax' });
    expectTightAbove(bound, (2 * e * e) / (2 * e * e + e + 1));
    // keep {1, 2}: page 0 drops key 0 (U = 2), page 1 drops key 3 (U = 0); kept logits 1 and 0.
    const two = certifiedDroppedMass([1, 1], K, [1, 2], pages, { scale: 1, kind: 'minmax' });
    expectTightAbove(two.bound, (e * e + 1) / (e * e + 1 + e + 1));
    expectTightAbove(two.pageBounds[1]!, 0);
  });

  it('is 0 exactly when nothing is dropped, and uses the scale 1/√d by default', () => {
    const all = certifiedDroppedMass([1, 1], K, [0, 1, 2, 3], pages);
    expect(all.bound).toBe(0);
    expect(Array.from(all.pageBounds).every(Number.isNaN)).toBe(true);
    const byDefault = certifiedDroppedMass([1, 1], K, [3], pages, { kind: 'minmax' }).bound;
    expect(byDefault).toBe(
      certifiedDroppedMass([1, 1], K, [3], pages, { kind: 'minmax', scale: 1 / Math.sqrt(2) }).bound,
    );
    expectTightAbove(byDefault, (3 * Math.exp(Math.SQRT2)) / (3 * Math.exp(Math.SQRT2) + 1));
  });

  it('single-key pages on a negative scale are tight (each page bound is the exact logit)', () => {
    const q = [0.5, -2];
    const rows = [
      [1, 0.25],
      [-1, 1],
      [2, 0.5],
      [0, -1],
    ];
    const delta = exact(q, rows, [0, 2], -0.75);
    for (const kind of kinds) {
      const bound = certify(q, rows, [0, 2], 1, -0.75, kind);
      expect(big(bound).gte(delta)).toBe(true);
      expect(bound).toBeLessThanOrEqual(delta.toNumber() * (1 + 1e-12));
    }
  });

  it('rejects bad arguments and pages that do not tile [0, N) in order, naming them', () => {
    expect(message(() => certifiedDroppedMass([1, 1], null as never, [3], pages))).toBe(
      'K: expected a matrix {data: Float64Array, rows, columns}, received null',
    );
    expect(message(() => certifiedDroppedMass([1, 1, 1], K, [3], pages))).toBe(
      'q: expected length 2, received length 3',
    );
    expect(message(() => certifiedDroppedMass([1, 1], K, [4], pages))).toBe(
      'keep[0]: expected an index in [0, 4), received 4',
    );
    expect(message(() => certifiedDroppedMass([1, 1], K, [3], pages, { scale: Number.NaN }))).toBe(
      'scale: expected a number in [-1.7976931348623157e+308, 1.7976931348623157e+308], received NaN',
    );
    const tile = 'pages: expected contiguous pages covering [0, N) in order, received';
    expect(message(() => certifiedDroppedMass([1, 1], K, [3], [pages[1]!]))).toBe(`${tile} a page [3, 4) after 0`);
    expect(message(() => certifiedDroppedMass([1, 1], K, [3], [pages[0]!, pages[0]!]))).toBe(
      `${tile} a page [0, 3) after 3`,
    );
    expect(message(() => certifiedDroppedMass([1, 1], K, [3], [{ ...pages[0]!, end: 0 }, ...pages]))).toBe(
      `${tile} a page [0, 0) after 0`,
    );
    expect(message(() => certifiedDroppedMass([1, 1], K, [3], [pages[0]!]))).toBe(
      'pages: expected pages covering all 4 keys, received pages covering 3',
    );
    expect(message(() => certifiedDroppedMass([1, 1], K, [3], []))).toBe(
      'pages: expected pages covering all 4 keys, received pages covering 0',
    );
  });
});

describe('boundFromExponents on hand values', () => {
  const f = (values: number[]) => new Float64Array(values);

  it('weighs each page bound by its number of dropped keys and uses the first keptCount lower bounds', () => {
    expectTightAbove(boundFromExponents(f([0]), [3], f([0]), 1), 3 / 4);
    expectTightAbove(boundFromExponents(f([0, 0]), [1, 2], f([0, 0]), 2), 3 / 5);
    expectTightAbove(boundFromExponents(f([0, 50]), [1, 0], f([0, 5]), 1), 1 / 2);
    expectTightAbove(boundFromExponents(f([Math.log(2)]), [1], f([0, Math.log(3)]), 2), 2 / 6);
  });

  it('is 0 when nothing is dropped and 1 when a dropped bound is +∞', () => {
    expect(boundFromExponents(f([5, 7]), [0, 0], f([0]), 1)).toBe(0);
    expect(boundFromExponents(f([0, Infinity]), [1, 1], f([0]), 1)).toBe(1);
    expectTightAbove(boundFromExponents(f([0, Infinity]), [1, 0], f([0]), 1), 1 / 2);
    expect(boundFromExponents(f([0]), [1], f([]), 0)).toBe(1);
  });

  it('shifts by the largest exponent, kept ones included, so neither side overflows', () => {
    // δ = e⁰/(e⁰ + e⁷¹⁰) = e^−710 (subnormal): e⁷¹⁰ itself overflows a double.
    const tiny = exact([1], [[0], [710]], [1], 1).toNumber();
    expectTightAbove(boundFromExponents(f([0]), [1], f([710]), 1), tiny);
    // δ = e⁷⁰⁹/(e⁷⁰⁹ + e⁰): the dropped side is the large one.
    expectTightAbove(boundFromExponents(f([709.5]), [2], f([0]), 1), 1 - Math.exp(-709.5) / 2);
  });
});

describe('the corner cases the first mutation run left open', () => {
  it('ballTerm is 0 when a factor is 0, so an infinite factor never meets a zero one (no ∞·0 = NaN)', () => {
    expect(ballTerm(0, Infinity, 1)).toBe(0);
    expect(ballTerm(1, 0, Infinity)).toBe(0);
    expect(ballTerm(1, Infinity, 0)).toBe(0);
    expect(ballTerm(0, 3, 4)).toBe(0);
    expect(ballTerm(2, 0, 4)).toBe(0);
    expect(ballTerm(2, 3, 0)).toBe(0);
    expectTightAbove(ballTerm(-2, 3, 4), 24);
    expect(ballTerm(1, Infinity, 1)).toBe(Infinity);
  });

  it('a zero query on keys whose radius overflows, and a zero scale on a query whose norm overflows, give finite bounds', () => {
    const max = Number.MAX_VALUE;
    const wide = matrixFromRows('K', [[max], [-max], [0]]);
    const [page] = pageSummaries(wide, 3);
    expect(page!.radius).toBe(Infinity);
    for (const kind of kinds) expectTightAbove(pageLogitUpperBound([0], page!, 1, kind), 0);
    expectTightAbove(certifiedDroppedMass([0], wide, [2], [page!], { scale: 1 }).bound, 2 / 3);
    const [unit] = pageSummaries(
      matrixFromRows('K', [
        [1, 0],
        [0, 1],
      ]),
      2,
    );
    for (const kind of kinds) expectTightAbove(pageLogitUpperBound([max, max], unit!, 0, kind), 0);
  });

  it('the mean of a later column stays finite when its sum overflows', () => {
    const max = Number.MAX_VALUE;
    const [page] = pageSummaries(
      matrixFromRows('K', [
        [1, max],
        [2, max],
        [6, -max],
      ]),
      3,
    );
    expect(page!.center[0]).toBe(3);
    expect(page!.center[1]).toBeCloseTo(max / 3, -293);
  });

  it('refuses a query of the wrong length even when nothing is dropped', () => {
    const K = matrixFromRows('K', [
      [1, 0],
      [0, 1],
    ]);
    const pages = pageSummaries(K, 1);
    expect(message(() => certifiedDroppedMass([1, 1, 1], K, [0, 1], pages))).toBe(
      'q: expected length 2, received length 3',
    );
    expect(message(() => certifiedDroppedMass([1], K, [0, 1], pages))).toBe('q: expected length 2, received length 1');
  });
});

describe('rejections of the page list carry the problem kind', () => {
  it('is a shape problem: pages out of order, and pages not covering the keys', () => {
    const K = matrixFromRows('K', [
      [1, 0],
      [0, 1],
    ]);
    const pages = pageSummaries(K, 1);
    const problem = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return (error as InvalidArgumentError).problem;
      }
      return undefined;
    };
    expect(problem(() => certifiedDroppedMass([1, 1], K, [0], [pages[1]!, pages[0]!]))).toBe('shape');
    expect(problem(() => certifiedDroppedMass([1, 1], K, [0], [pages[0]!]))).toBe('shape');
  });
});
