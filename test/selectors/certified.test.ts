/**
 * Certified adaptive selector (theory/certified.md): keep the partial last page, then whole pages
 * in decreasing U_P (ties to the lower page) until the running δ̂ = Σ_{dropped} m_P e^{U_P} /
 * (that + Σ_kept e^{z}) is ≤ ε, or the next page would exceed B. Reads only page metadata
 * (2d + d + 1 elements per complete page).
 */
import { describe, expect, it } from 'vitest';
import { pageLogitUpperBound, pageSummaries } from '../../src/core/certifiedDroppedMass.js';
import { CertifiedSelector } from '../../src/selectors/certified.js';
import type { Trace } from '../../src/traces/trace.js';
import { handTrace, headStepAt, randomTrace, runSelect, sortedKept } from './harness.js';

/**
 * d = 1, scale 1, query 1: pages of two identical keys [0, 0 | 5, 5 | 1, 1] (U = 0, 5, 1) and a
 * partial page [3]. Running δ̂ with every page dropped: (2e⁻⁵ + 2 + 2e⁻⁴)/(… + e⁻²) ≈ 0.94;
 * after page 1: (2e⁻⁵ + 2e⁻⁴)/(… + e⁻² + 2) ≈ 0.0228; after page 2 as well: ≈ 0.00619.
 */
function pagedTrace(): Trace {
  const keys = [0, 0, 5, 5, 1, 1, 3].map((k) => [k]);
  return handTrace({ keys: [[keys]], queries: [[[[1]]]], scale: 1 });
}

function certifiedAt(trace: Trace, budget: number, epsilon?: number, pageSize?: number) {
  const selector = new CertifiedSelector(budget, epsilon, pageSize);
  selector.begin(trace);
  return runSelect(selector, headStepAt(trace, 0, 0, 0));
}

describe('certified selector on hand-made pages', () => {
  it('adds pages by decreasing bound until δ̂ ≤ ε', () => {
    expect(sortedKept(certifiedAt(pagedTrace(), 7, 0.05, 2))).toEqual([2, 3, 6]);
    expect(sortedKept(certifiedAt(pagedTrace(), 7, 0.01, 2))).toEqual([2, 3, 4, 5, 6]);
    expect(sortedKept(certifiedAt(pagedTrace(), 7, 0.001, 2))).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
  it('stops at the partial page when it alone meets ε', () => {
    expect(sortedKept(certifiedAt(pagedTrace(), 7, 0.95, 2))).toEqual([6]);
    expect(sortedKept(certifiedAt(pagedTrace(), 7, 0.9, 2))).toEqual([2, 3, 6]);
  });
  it('stops before a page that would exceed the budget', () => {
    expect(sortedKept(certifiedAt(pagedTrace(), 5, 0.001, 2))).toEqual([2, 3, 4, 5, 6]);
    expect(sortedKept(certifiedAt(pagedTrace(), 4, 0.001, 2))).toEqual([2, 3, 6]);
    expect(sortedKept(certifiedAt(pagedTrace(), 3, 0.001, 2))).toEqual([2, 3, 6]);
    expect(sortedKept(certifiedAt(pagedTrace(), 2, 0.001, 2))).toEqual([6]);
  });
  it('keeps at most B keys of the partial page', () => {
    // Page size 4: one complete page [0, 0, 5, 5] and a partial page [1, 1, 3].
    const out = certifiedAt(pagedTrace(), 2, 0.001, 4);
    expect(Array.from(out.indices.subarray(0, out.size))).toEqual([4, 5]);
  });
  it('breaks equal bounds to the lower page', () => {
    const keys = [2, 2, 2, 2, 2, 2, 2].map((k) => [k]);
    const trace = handTrace({ keys: [[keys]], queries: [[[[1]]]], scale: 1 });
    expect(sortedKept(certifiedAt(trace, 5, 0.001, 2))).toEqual([0, 1, 2, 3, 6]);
  });
  it('reports page metadata only, and a retrieval', () => {
    const out = certifiedAt(pagedTrace(), 7, 0.05, 2);
    expect(out).toMatchObject({ keysScored: 0, retrieved: true, metadataBytes: 3 * (2 + 1 + 1) * 2 });
  });
  it('defaults to ε = 0.05 and pages of 16', () => {
    const selector = new CertifiedSelector(8);
    expect([selector.epsilon, selector.pageSize, selector.name]).toEqual([0.05, 16, 'certified']);
    const trace = randomTrace({ layers: 1, queryHeads: 1, kvHeads: 1, prefix: 36, steps: 1, d: 2, seed: 73 });
    const out = certifiedAt(trace, 8);
    // 37 positions: two pages of 16 and a partial page of five, all kept; no page fits B = 8.
    expect(sortedKept(out)).toEqual([32, 33, 34, 35, 36]);
    expect(out.metadataBytes).toBe(2 * (4 + 2 + 1) * 2);
  });
});

describe('certified selector across heads and layers', () => {
  it('reads each head’s own query and its KV head’s pages', () => {
    // Two layers, two KV heads, d = 1: KV head (ℓ, h) has one hot page; each query points at it.
    const cold = [0, 0, 0, 0, 0, 0];
    const hot = (p: number) => cold.map((_, i) => (Math.floor(i / 2) === p ? [9] : [0]));
    const keys = [
      [hot(0), hot(1)],
      [hot(2), hot(1)],
    ];
    const q = [[[[1], [1], [1], [1]]], [[[1], [1], [1], [1]]]];
    const trace = handTrace({ keys: keys.map((l) => l.map((h) => [...h, [0]])), queries: q, scale: 1 });
    const selector = new CertifiedSelector(3, 0.05, 2);
    selector.begin(trace);
    const expected = [
      [0, 1],
      [2, 3],
      [4, 5],
      [2, 3],
    ];
    for (const [n, [layer, head]] of [
      [0, 0],
      [0, 2],
      [1, 0],
      [1, 3],
    ].entries()) {
      const kept = sortedKept(runSelect(selector, headStepAt(trace, layer!, 0, head!)));
      expect(kept, `layer ${layer} head ${head}`).toEqual([...expected[n]!, 6]);
    }
  });
});

/** The rule written out, with U_P from the reference's page summaries and 'min' bound. */
function certifiedReference(
  trace: Trace,
  layer: number,
  step: number,
  head: number,
  budget: number,
  epsilon: number,
  pageSize: number,
): number[] {
  const view = headStepAt(trace, layer, step, head);
  const d = trace.headDim;
  const q = Array.from(trace.queries.subarray(view.queryOffset, view.queryOffset + d));
  const pages = Math.floor(view.length / pageSize);
  const data = Float64Array.from(trace.keys.subarray(view.keyOffset, view.keyOffset + pages * pageSize * d));
  const summaries = pages > 0 ? pageSummaries({ data, rows: pages * pageSize, columns: d }, pageSize) : [];
  const bounds = summaries.map((s) => pageLogitUpperBound(q, s, trace.scale, 'min'));
  const partial = [...Array(view.length - pages * pageSize).keys()].map((j) => pages * pageSize + j);
  const reference = Math.max(...bounds, ...partial.map((i) => view.logits[i]!));
  let numerator = bounds.reduce((a, u) => a + pageSize * Math.exp(u - reference), 0);
  const kept = partial.slice(0, budget);
  let keptMass = kept.reduce((a, i) => a + Math.exp(view.logits[i]! - reference), 0);
  for (const p of [...bounds.keys()].sort((a, b) => bounds[b]! - bounds[a]! || a - b)) {
    if (numerator <= epsilon * (numerator + keptMass) || kept.length + pageSize > budget) break;
    for (let i = p * pageSize; i < (p + 1) * pageSize; i++) {
      kept.push(i);
      keptMass += Math.exp(view.logits[i]! - reference);
    }
    numerator = Math.max(0, numerator - pageSize * Math.exp(bounds[p]! - reference));
  }
  return kept.sort((a, b) => a - b);
}

describe('certified selector against the rule written out', () => {
  for (const epsilon of [0.5, 0.2]) {
    it(`agrees on every head-step of a two-layer GQA trace with page locality (ε = ${epsilon})`, () => {
      // Keys drift slowly along positions (page locality), so pages have informative bounds.
      const base = randomTrace({
        layers: 2,
        queryHeads: 4,
        kvHeads: 2,
        prefix: 22,
        steps: 4,
        d: 3,
        seed: 79,
        scale: 2,
      });
      const keys = Float32Array.from(base.keys, (x, i) => Math.sin(Math.floor(i / 9) * 0.7 + (i % 3)) * 2 + x * 0.05);
      const trace = { ...base, keys };
      const selector = new CertifiedSelector(12, epsilon, 3);
      selector.begin(trace);
      let sizes = 0;
      for (let step = 0; step < trace.steps; step++) {
        for (let layer = 0; layer < trace.layers; layer++) {
          for (let head = 0; head < trace.queryHeads; head++) {
            const out = runSelect(selector, headStepAt(trace, layer, step, head));
            expect(sortedKept(out), `step ${step} layer ${layer} head ${head}`).toEqual(
              certifiedReference(trace, layer, step, head, 12, epsilon, 3),
            );
            sizes += out.size;
          }
        }
      }
      // The sets are neither all minimal nor all full: the stopping rule decided.
      expect(sizes).toBeGreaterThan(32 * 2);
      expect(sizes).toBeLessThan(32 * 12);
    });
  }
});

describe('certified selector at the edges of its rule', () => {
  it('stops when δ̂ equals ε exactly (δ̂ ≤ ε)', () => {
    // q = 0: every logit and every page bound is 0 (to the rounding of exp). One page of three keys
    // and a partial page of one: δ̂ = 3/(3 + 1) = 0.75.
    const keys = [1, -1, 3, 2].map((k) => [k]);
    const trace = handTrace({ keys: [[keys]], queries: [[[[0]]]], scale: 1 });
    expect(sortedKept(certifiedAt(trace, 4, 0.75, 3))).toEqual([3]);
    expect(sortedKept(certifiedAt(trace, 4, 0.74, 3))).toEqual([0, 1, 2, 3]);
  });
  it('is invariant under a shift of every logit, even to −1000 where e^z underflows', () => {
    const shifted = [0, 0, 5, 5, 1, 1, 3].map((k) => [k - 1000]);
    const trace = handTrace({ keys: [[shifted]], queries: [[[[1]]]], scale: 1 });
    expect(sortedKept(certifiedAt(trace, 7, 0.05, 2))).toEqual([2, 3, 6]);
    expect(sortedKept(certifiedAt(trace, 7, 0.01, 2))).toEqual([2, 3, 4, 5, 6]);
  });
  it('measures against the largest page bound when the partial page is far below the pages', () => {
    // Pages [0, 0 | 1, 1], partial [−1000]: δ̂ starts near 1; after page 1 it is
    // 2e⁻¹/(2e⁻¹ + 2) = 0.27 ≤ 0.3. Measured from −1000 instead, every page weight overflows.
    const keys = [0, 0, 1, 1, -1000].map((k) => [k]);
    const trace = handTrace({ keys: [[keys]], queries: [[[[1]]]], scale: 1 });
    expect(sortedKept(certifiedAt(trace, 5, 0.3, 2))).toEqual([2, 3, 4]);
    expect(sortedKept(certifiedAt(trace, 5, 0.2, 2))).toEqual([0, 1, 2, 3, 4]);
  });
  it('takes equal-bound pages lowest first, among many', () => {
    const keys = Array.from({ length: 11 }, () => [2]);
    const trace = handTrace({ keys: [[keys]], queries: [[[[1]]]], scale: 1 });
    expect(sortedKept(certifiedAt(trace, 5, 0.001, 2))).toEqual([0, 1, 2, 3, 10]);
  });
});
