/**
 * Quest (Tang et al., "Quest: Query-Aware Sparsity for Efficient Long-Context LLM Inference"):
 * per complete page the min/max bound U_P = s·Σ_c max(q_c·min_c, q_c·max_c); keep the partial last
 * page and the ⌊(B − |partial|)/page⌋ pages with the largest U_P (ties to the lower page), reading
 * only page metadata (2·d elements per complete page).
 */
import { describe, expect, it } from 'vitest';
import { QuestSelector } from '../../src/selectors/quest.js';
import type { Trace } from '../../src/traces/trace.js';
import { handTrace, headStepAt, randomTrace, runSelect, sortedKept } from './harness.js';

/** d = 1, scale 1: pages of 2 keys [1, 2 | 5, −1 | 0, 0 | 3, 3] and a partial page [7]. */
function pagedTrace(query: number): Trace {
  const keys = [1, 2, 5, -1, 0, 0, 3, 3, 7].map((k) => [k]);
  return handTrace({ keys: [[keys]], queries: [[[[query]]]], scale: 1 });
}

function questAt(trace: Trace, budget: number, pageSize?: number, at = { layer: 0, step: 0, head: 0 }) {
  const quest = new QuestSelector(budget, pageSize);
  quest.begin(trace);
  return runSelect(quest, headStepAt(trace, at.layer, at.step, at.head));
}

describe('Quest on hand-made pages', () => {
  it('keeps the partial page and the pages with the largest upper bound (q > 0: U = the page max)', () => {
    // U = 2, 5, 0, 3; budget 5: the partial key and ⌊(5 − 1)/2⌋ = 2 pages, pages 1 and 3.
    const out = questAt(pagedTrace(1), 5, 2);
    expect(sortedKept(out)).toEqual([2, 3, 6, 7, 8]);
    expect(out.indices[0]).toBe(8);
    expect(out).toMatchObject({ keysScored: 0, retrieved: true, metadataBytes: 4 * 2 * 1 * 2 });
  });
  it('uses the page minimum for a negative query coordinate', () => {
    // U = −1, 1, 0, −3: pages 1 and 2.
    expect(sortedKept(questAt(pagedTrace(-1), 5, 2))).toEqual([2, 3, 4, 5, 8]);
  });
  it('keeps only whole pages: a budget one short of another page leaves it out', () => {
    expect(sortedKept(questAt(pagedTrace(1), 4, 2))).toEqual([2, 3, 8]);
    expect(sortedKept(questAt(pagedTrace(1), 7, 2))).toEqual([0, 1, 2, 3, 6, 7, 8]);
  });
  it('keeps every page when the budget covers the cache', () => {
    expect(sortedKept(questAt(pagedTrace(1), 20, 2))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });
  it('breaks equal bounds to the lower page', () => {
    const keys = [1, 1, 1, 1, 1, 1].map((k) => [k]);
    const trace = handTrace({ keys: [[keys]], queries: [[[[1]]]], scale: 1 });
    expect(sortedKept(questAt(trace, 4, 2))).toEqual([0, 1, 2, 3]);
  });
  it('keeps the first B keys of the partial page, and no page, when the budget is smaller than it', () => {
    // Page size 6: one complete page [0, 6) and a partial page [6, 9) of three keys.
    const out = questAt(pagedTrace(1), 2, 6);
    expect(Array.from(out.indices.subarray(0, out.size))).toEqual([6, 7]);
    expect(sortedKept(questAt(pagedTrace(1), 3, 6))).toEqual([6, 7, 8]);
  });
  it('has a default page size of 16', () => {
    const trace = randomTrace({ layers: 1, queryHeads: 1, kvHeads: 1, prefix: 40, steps: 1, d: 2, seed: 23 });
    const quest = new QuestSelector(25);
    expect(quest.pageSize).toBe(16);
    const out = questAt(trace, 25);
    // 41 positions: two pages of 16 and nine partial keys; ⌊(25 − 9)/16⌋ = 1 page.
    expect(out.size).toBe(25);
    expect(sortedKept(out).slice(16)).toEqual([32, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect(quest.name).toBe('quest');
  });
});

/** The rule written out: U_P from the keys of the page, sorted, the partial page first. */
function questReference(
  trace: Trace,
  layer: number,
  step: number,
  head: number,
  budget: number,
  pageSize: number,
): number[] {
  const view = headStepAt(trace, layer, step, head);
  const d = trace.headDim;
  const q = trace.queries.subarray(view.queryOffset, view.queryOffset + d);
  const full = Math.floor(view.length / pageSize);
  const bounds: number[] = [];
  for (let p = 0; p < full; p++) {
    let u = 0;
    for (let c = 0; c < d; c++) {
      let lo = Infinity,
        hi = -Infinity;
      for (let i = p * pageSize; i < (p + 1) * pageSize; i++) {
        const k = trace.keys[view.keyOffset + i * d + c]!;
        lo = Math.min(lo, k);
        hi = Math.max(hi, k);
      }
      u += Math.max(trace.scale * q[c]! * lo, trace.scale * q[c]! * hi);
    }
    bounds.push(u);
  }
  const partial = [...Array(view.length - full * pageSize).keys()].map((j) => full * pageSize + j).slice(0, budget);
  const pageBudget = Math.max(0, Math.floor((budget - partial.length) / pageSize));
  const pages = [...Array(full).keys()].sort((a, b) => bounds[b]! - bounds[a]! || a - b).slice(0, pageBudget);
  return [...partial, ...pages.flatMap((p) => [...Array(pageSize).keys()].map((j) => p * pageSize + j))].sort(
    (a, b) => a - b,
  );
}

describe('Quest against the rule written out', () => {
  it('agrees on every head-step of a trace with two layers, GQA and growing pages', () => {
    const trace = randomTrace({
      layers: 2,
      queryHeads: 4,
      kvHeads: 2,
      prefix: 21,
      steps: 6,
      d: 4,
      seed: 29,
      scale: 0.7,
    });
    const quest = new QuestSelector(11, 4);
    quest.begin(trace);
    for (let step = 0; step < trace.steps; step++) {
      for (let layer = 0; layer < trace.layers; layer++) {
        for (let head = 0; head < trace.queryHeads; head++) {
          const out = runSelect(quest, headStepAt(trace, layer, step, head));
          expect(sortedKept(out), `step ${step} layer ${layer} head ${head}`).toEqual(
            questReference(trace, layer, step, head, 11, 4),
          );
          expect(out.metadataBytes).toBe(Math.floor((22 + step) / 4) * 2 * 4 * 2);
        }
      }
    }
  });
});
