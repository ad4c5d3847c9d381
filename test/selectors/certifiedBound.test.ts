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
function boundOf(keys: number[], pageSize: number, kept: number[], options: { kind?: 'min' | 'minmax' | 'ball'; logits?: number[] } = {}) {
  const pages = Math.floor(keys.length / pageSize);
  const summaries = pageSummaries({ data: Float64Array.from(keys.slice(0, pages * pageSize)), rows: pages * pageSize, columns: 1 }, pageSize).slice(0, pages);
  const ws = new CertifiedBoundWorkspace(keys.length, 1, pageSize);
  ws.query[0] = 1;
  const bounds = ws.pageBounds(summaries, 1, options.kind ?? 'min');
  const mask = new Uint8Array(keys.length);
  for (const i of kept) mask[i] = 1;
  return ws.bound(Float64Array.from(options.logits ?? keys), keys.length, Int32Array.from(kept), kept.length, summaries, bounds, pageSize, mask);
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
    for (const kind of ['min', 'minmax', 'ball'] as const) expectTight(boundOf(keys, 3, [3, 4, 5, 6, 7], { kind }), exactDelta(keys, [3, 4, 5, 6, 7]));
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
    expect(ws.bound(Float64Array.from([1, 1, 0]), 3, Int32Array.from([2]), 1, summaries, bounds, 2, Uint8Array.from([0, 0, 1]))).toBe(1);
  });
  it('is 1 when nothing is kept', () => {
    expect(boundOf(keys, 3, [])).toBe(1);
  });
  it('reads the walk logits, not the keys, for kept and partial-page keys', () => {
    // Same pages; the walk says the partial page's logits are 5 and 5.
    const logits = [0, 0, 0, 3, 3, 3, 5, 5];
    expectTight(boundOf(keys, 3, [3, 4, 5, 6], { logits }), (3 + Math.exp(5)) / (3 + 3 * Math.exp(3) + 2 * Math.exp(5)));
  });
});
