/** The O(N·d) upper bound on the kept–dropped cross-diameter that `prhs eval` reports. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrixFromRows, norm2 } from '../../src/core/matrix.js';
import { crossDiameterUpperBound, keptDroppedDiameter } from '../../src/core/outputError.js';

const rowsAndKeep = fc
  .record({ n: fc.integer({ min: 2, max: 12 }), d: fc.integer({ min: 1, max: 5 }) })
  .chain(({ n, d }) =>
    fc.record({
      rows: fc.array(fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: d, maxLength: d }), {
        minLength: n,
        maxLength: n,
      }),
      keep: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: n }),
    }),
  );

describe('crossDiameterUpperBound', () => {
  it('lies between the exact cross-diameter and max_D‖v‖ + max_S‖v‖', () => {
    fc.assert(
      fc.property(rowsAndKeep, ({ rows, keep }) => {
        const V = matrixFromRows('V', rows);
        const exact = keptDroppedDiameter(V, keep);
        const bound = crossDiameterUpperBound(V, keep);
        const kept = new Set(keep);
        const maxNorm = (inKept: boolean) =>
          Math.max(0, ...rows.filter((_, i) => kept.has(i) === inKept).map((r) => norm2(Float64Array.from(r))));
        // Each side is a float64 norm (or a sum of two) of d ≤ 5 entries, within (d + 3)·2⁻⁵³ ≈ 1e-15
        // relative of its exact value; 1e-12 relative covers that with room, and no real gap is that small.
        const slack = 1e-12 * (1 + exact);
        expect(bound).toBeGreaterThanOrEqual(exact - slack);
        if (kept.size < rows.length) expect(bound).toBeLessThanOrEqual(maxNorm(false) + maxNorm(true) + slack);
      }),
      { numRuns: 300 },
    );
  });

  it('equals the cross-diameter when the kept and the dropped rows are each one point', () => {
    const V = matrixFromRows('V', [
      [1, 2],
      [1, 2],
      [4, 6],
      [4, 6],
      [4, 6],
    ]);
    expect(keptDroppedDiameter(V, [0, 1])).toBe(5);
    expect(crossDiameterUpperBound(V, [0, 1])).toBe(5);
  });

  it('is zero when nothing is dropped and refuses an empty kept set', () => {
    const V = matrixFromRows('V', [[1], [3]]);
    expect(crossDiameterUpperBound(V, [0, 1])).toBe(0);
    expect(() => crossDiameterUpperBound(V, [])).toThrow(/keep: expected at least one kept index/);
  });
});
