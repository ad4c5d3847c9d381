/**
 * The walk's δ̂ (theory/certified.md, "Simulator"): complete pages contribute m_P·e^{U_P}, dropped
 * keys of the partial page their own logits, kept keys their logits. On pages of identical keys
 * U_P is the page's logit itself, so δ̂ must equal the exact δ up to the outward rounding:
 * relative 10⁻¹² (theory/certified.md, "Tightness of the walk's δ̂ on constant pages").
 */
import { describe, expect, it } from 'vitest';
import { pageSummaries } from '../../src/core/certifiedDroppedMass.js';
import { CertifiedBoundWorkspace } from '../../src/selectors/certifiedBound.js';

const TOLERANCE = 1e-12;

/** d = 1, scale 1, query 1: the logits are the keys. */
function boundOf(
  keys: number[],
  pageSize: number,
  kept: number[],
  options: { kind?: 'min' | 'minmax' | 'ball'; logits?: number[]; stale?: number[] } = {},
) {
  const pages = Math.floor(keys.length / pageSize);
  const summaries = pageSummaries(
    { data: Float64Array.from(keys.slice(0, pages * pageSize)), rows: pages * pageSize, columns: 1 },
    pageSize,
  ).slice(0, pages);
  const ws = new CertifiedBoundWorkspace(keys.length, 1, pageSize);
  ws.query[0] = 1;
  const bounds = ws.pageBounds(summaries, 1, options.kind ?? 'min');
  const mask = new Uint8Array(keys.length);
  for (const i of kept) mask[i] = 1;
  // Like the simulator's buffer, `indices` may hold stale entries after the first `size`.
  const indices = Int32Array.from([...kept, ...(options.stale ?? [])]);
  return ws.bound(
    Float64Array.from(options.logits ?? keys),
    keys.length,
    indices,
    kept.length,
    summaries,
    bounds,
    pageSize,
    mask,
  );
}

function exactDelta(logits: number[], kept: number[]): number {
  const m = Math.max(...logits);
  const total = logits.reduce((a, z) => a + Math.exp(z - m), 0);
  return logits.reduce((a, z, i) => a + (kept.includes(i) ? 0 : Math.exp(z - m)), 0) / total;
}

function expectTight(value: number, delta: number): void {
  expect(value).toBeGreaterThanOrEqual(delta);
  expect(value).toBeLessThanOrEqual(delta * (1 + TOLERANCE));
}

describe('CertifiedBoundWorkspace.bound', () => {
  // Pages of 3: [0, 0, 0 | 3, 3, 3] and a partial page [2, −1].
  const keys = [0, 0, 0, 3, 3, 3, 2, -1];
  it('is 0 when nothing is dropped', () => {
    expect(boundOf(keys, 3, [0, 1, 2, 3, 4, 5, 6, 7])).toBe(0);
  });
  it('equals δ on constant pages: whole pages dropped', () => {
    expectTight(boundOf(keys, 3, [3, 4, 5, 6, 7]), exactDelta(keys, [3, 4, 5, 6, 7]));
    expectTight(boundOf(keys, 3, [0, 1, 2, 6, 7]), exactDelta(keys, [0, 1, 2, 6, 7]));
  });
  it('counts only the dropped keys of a partly kept page', () => {
    expectTight(boundOf(keys, 3, [4, 2, 6, 7]), exactDelta(keys, [2, 4, 6, 7]));
    expectTight(boundOf(keys, 3, [5, 0, 1, 3, 7]), exactDelta(keys, [0, 1, 3, 5, 7]));
  });
  it('adds the dropped keys of the partial page with their own logits', () => {
    expectTight(boundOf(keys, 3, [0, 1, 2, 3, 4, 5, 6]), exactDelta(keys, [0, 1, 2, 3, 4, 5, 6]));
    expectTight(boundOf(keys, 3, [3, 4, 5]), exactDelta(keys, [3, 4, 5]));
    // The largest logit dropped (partial page, 9 > every kept one): the reference is the dropped one.
    const high = [0, 0, 1, 1, 9];
    expectTight(boundOf(high, 2, [2, 3]), exactDelta(high, [2, 3]));
  });
  it('takes the page bound kind it is given (here all three agree on constant pages)', () => {
    for (const kind of ['min', 'minmax', 'ball'] as const)
      expectTight(boundOf(keys, 3, [3, 4, 5, 6, 7], { kind }), exactDelta(keys, [3, 4, 5, 6, 7]));
  });
  it('is an upper bound, not δ, when a page is not constant', () => {
    // Page [0, 4]: U = 4 stands for both keys although key 0 has logit 0.
    const spread = [0, 4, 5];
    const value = boundOf(spread, 2, [2]);
    expectTight(value, (2 * Math.exp(4)) / (2 * Math.exp(4) + Math.exp(5)));
    expect(value).toBeGreaterThan(exactDelta(spread, [2]));
  });
  it('is 1 when a dropped page bound is +∞', () => {
    const big = [1e308, 1e308, 0];
    const summaries = pageSummaries({ data: Float64Array.from(big.slice(0, 2)), rows: 2, columns: 1 }, 2);
    const ws = new CertifiedBoundWorkspace(3, 1, 2);
    ws.query[0] = 1e308;
    const bounds = ws.pageBounds(summaries, 1, 'minmax');
    expect(bounds[0]).toBe(Infinity);
    expect(
      ws.bound(
        Float64Array.from([1, 1, 0]),
        3,
        Int32Array.from([2]),
        1,
        summaries,
        bounds,
        2,
        Uint8Array.from([0, 0, 1]),
      ),
    ).toBe(1);
  });
  it('is 1 when nothing is kept', () => {
    expect(boundOf(keys, 3, [])).toBe(1);
  });
  it('reads the walk logits, not the keys, for kept and partial-page keys', () => {
    // Same pages; the walk says the partial page's logits are 5 and 5.
    const logits = [0, 0, 0, 3, 3, 3, 5, 5];
    expectTight(
      boundOf(keys, 3, [3, 4, 5, 6], { logits }),
      (3 + Math.exp(5)) / (3 + 3 * Math.exp(3) + 2 * Math.exp(5)),
    );
  });
  it('handles a cache of complete pages only (no partial page)', () => {
    const whole = [0, 0, 0, 3, 3, 3];
    expectTight(boundOf(whole, 3, [3, 4, 5]), exactDelta(whole, [3, 4, 5]));
    expectTight(boundOf([1, 1, 2, 2], 2, [2, 3]), exactDelta([1, 1, 2, 2], [2, 3]));
  });
  it('reads only the first `size` indices', () => {
    expectTight(boundOf(keys, 3, [3, 4, 5, 6, 7], { stale: [0, 1, 2] }), exactDelta(keys, [3, 4, 5, 6, 7]));
    expectTight(boundOf(keys, 3, [3, 4, 6], { stale: [5, 7, 0] }), exactDelta(keys, [3, 4, 6]));
  });
  it('measures from the largest kept logit when e^{z} of the kept keys would overflow from the dropped ones', () => {
    // Kept: the partial key at 710; dropped: a page at 0. δ = 2e⁻⁷¹⁰/(1 + 2e⁻⁷¹⁰) ≈ 8.9e-309.
    const far = [0, 0, 710];
    expectTight(boundOf(far, 2, [2]), exactDelta(far, [2]));
    // Kept: a page at 710; dropped: the partial key at 0.
    expectTight(boundOf(far, 2, [0, 1], { logits: [710, 710, 0] }), exactDelta([710, 710, 0], [0, 1]));
  });
  it('ignores the bound of a page kept whole, even an infinite one', () => {
    // Page 0 has keys of 1e308 (U = +∞ for q = 1e308); it is kept, page 1 is dropped.
    const keysHuge = [1e308, 1e308, 1, 1];
    const pages = pageSummaries({ data: Float64Array.from(keysHuge), rows: 4, columns: 1 }, 2);
    const ws = new CertifiedBoundWorkspace(4, 1, 2);
    ws.query[0] = 1e308;
    const bounds = ws.pageBounds(pages, 1, 'minmax');
    expect(bounds[0]).toBe(Infinity);
    bounds[1] = 0; // the walk's logits of page 1 are 0
    const value = ws.bound(
      Float64Array.from([0, 0, 0, 0]),
      4,
      Int32Array.from([0, 1]),
      2,
      pages,
      bounds,
      2,
      Uint8Array.from([1, 1, 0, 0]),
    );
    expectTight(value, 0.5);
  });
});
