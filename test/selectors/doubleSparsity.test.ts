/**
 * DoubleSparsity (Yang et al., "Post-Training Sparse Attention with Double Sparsity"): an offline
 * channel subset per (layer, KV head), the r channels of largest Σ |q_c|·mean_i |k_ic| over the
 * calibration queries (the dense observation steps, else the first decode query), then every step
 * the B best proxy scores Σ_{c∈C} q_c·k_ic.
 */
import { describe, expect, it } from 'vitest';
import { DoubleSparsitySelector } from '../../src/selectors/doubleSparsity.js';
import { keyOffset, type Trace } from '../../src/traces/trace.js';
import { handTrace, headStepAt, lcg, randomTrace, runSelect, sortedKept } from './harness.js';

/**
 * d = 4, seven positions. Keys 1 and 3 are large on channels 1 and 2; keys 0, 2, 4, 5 carry
 * channels 0 and 3; key 6 is `lastKey` (zero unless a test says otherwise). Observation query
 * (1, 0, 0, 1); decode query (1, 5, 5, 1).
 */
function calibrationTrace(lastKey: number[] = [0, 0, 0, 0]): Trace {
  const keys = [[1, 0, 0, 0], [0, 9, 9, 0], [0, 0, 0, 2], [0, 9, 9, 0], [0.5, 0, 0, 0], [0, 0, 0, 0.1], lastKey];
  return handTrace({ keys: [[keys]], queries: [[[[1, 0, 0, 1]], [[1, 5, 5, 1]]]], scale: 0.5 });
}

describe('DoubleSparsity on a hand-made trace', () => {
  it('calibrates on the observation query: channels {3, 0}, so keys 2 and 0 win', () => {
    // importance: c0 = 1·1.5/6, c3 = 1·2.1/6, c1 = c2 = 0. Proxy k_0 + k_3: 1, 0, 2, 0, 0.5, 0.1, 0.
    const trace = calibrationTrace();
    const ds = new DoubleSparsitySelector(2, 2);
    ds.begin(trace);
    ds.observe(headStepAt(trace, 0, 0, 0), new Float64Array(7), true);
    const out = runSelect(ds, headStepAt(trace, 0, 1, 0));
    expect(sortedKept(out)).toEqual([0, 2]);
    expect(out).toMatchObject({ keysScored: 0, retrieved: true, metadataBytes: 7 * 2 * 2 });
  });
  it('calibrates on the first decode query when nothing was observed densely', () => {
    // importance from (1, 5, 5, 1) over seven keys: channels 1 and 2 lead, so keys 1 and 3 win.
    const trace = calibrationTrace();
    const ds = new DoubleSparsitySelector(2, 2);
    ds.begin(trace);
    ds.observe(headStepAt(trace, 0, 0, 0), new Float64Array(7), false);
    expect(sortedKept(runSelect(ds, headStepAt(trace, 0, 1, 0)))).toEqual([1, 3]);
  });
  it('keeps its calibration: a later query does not change the channels', () => {
    const trace = calibrationTrace();
    const ds = new DoubleSparsitySelector(2, 2);
    ds.begin(trace);
    ds.observe(headStepAt(trace, 0, 0, 0), new Float64Array(7), true);
    runSelect(ds, headStepAt(trace, 0, 1, 0));
    ds.observe(headStepAt(trace, 0, 1, 0), new Float64Array(7), true);
    expect(sortedKept(runSelect(ds, headStepAt(trace, 0, 1, 0)))).toEqual([0, 2]);
  });
  it('defaults to max(2, ⌊d/8⌋) channels and never reads more than d', () => {
    const wide = randomTrace({ layers: 1, queryHeads: 1, kvHeads: 1, prefix: 9, steps: 1, d: 32, seed: 47 });
    const ds = new DoubleSparsitySelector(3);
    ds.begin(wide);
    expect(runSelect(ds, headStepAt(wide, 0, 0, 0)).metadataBytes).toBe(10 * 4 * 2);
    const narrow = calibrationTrace();
    const small = new DoubleSparsitySelector(3);
    small.begin(narrow);
    expect(runSelect(small, headStepAt(narrow, 0, 1, 0)).metadataBytes).toBe(7 * 2 * 2);
    const many = new DoubleSparsitySelector(3, 6);
    many.begin(narrow);
    const out = runSelect(many, headStepAt(narrow, 0, 1, 0));
    expect(out.metadataBytes).toBe(7 * 4 * 2);
    // All four channels: the proxy is the exact q·k, so the exact top 3 (keys 1, 3, then key 2).
    expect(sortedKept(out)).toEqual([1, 2, 3]);
    expect(ds.name).toBe('doublesparsity');
  });
});

/** The rule written out, per (layer, KV head). */
class DoubleSparsityReference {
  private importance = new Map<number, number[]>();
  private channels = new Map<number, number[]>();
  constructor(
    readonly trace: Trace,
    readonly budget: number,
    readonly r: number,
  ) {}
  private accumulate(layer: number, step: number, head: number): void {
    const t = this.trace;
    const view = headStepAt(t, layer, step, head);
    const slot = layer * t.kvHeads + view.kvHead;
    const imp = this.importance.get(slot) ?? Array<number>(t.headDim).fill(0);
    const base = keyOffset(t, layer, view.kvHead);
    for (let c = 0; c < t.headDim; c++) {
      let mean = 0;
      for (let i = 0; i < view.length; i++) mean += Math.abs(t.keys[base + i * t.headDim + c]!);
      imp[c]! += (Math.abs(t.queries[view.queryOffset + c]!) * mean) / view.length;
    }
    this.importance.set(slot, imp);
  }
  observe(layer: number, step: number, head: number): void {
    this.accumulate(layer, step, head);
  }
  select(layer: number, step: number, head: number): number[] {
    const t = this.trace;
    const view = headStepAt(t, layer, step, head);
    const slot = layer * t.kvHeads + view.kvHead;
    if (!this.channels.has(slot)) {
      if (!(this.importance.get(slot) ?? []).some((x) => x > 0)) this.accumulate(layer, step, head);
      const imp = this.importance.get(slot)!;
      const order = [...imp.keys()].sort((a, b) => Math.abs(imp[b]!) - Math.abs(imp[a]!) || a - b);
      this.channels.set(slot, order.slice(0, this.r));
    }
    const chosen = this.channels.get(slot)!;
    const base = keyOffset(t, layer, view.kvHead);
    const scores = [...Array(view.length).keys()].map((i) =>
      chosen.reduce((s, c) => s + t.queries[view.queryOffset + c]! * t.keys[base + i * t.headDim + c]!, 0),
    );
    return [...scores.keys()]
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, this.budget)
      .sort((a, b) => a - b);
  }
}

describe('DoubleSparsity against the rule written out', () => {
  for (const observed of [true, false]) {
    it(`agrees on every head-step of a two-layer GQA trace (${observed ? 'with' : 'without'} observation steps)`, () => {
      const trace = randomTrace({
        layers: 2,
        queryHeads: 4,
        kvHeads: 2,
        prefix: 20,
        steps: 5,
        d: 6,
        seed: observed ? 53 : 59,
      });
      const ds = new DoubleSparsitySelector(6, 2);
      const reference = new DoubleSparsityReference(trace, 6, 2);
      const weights = Float64Array.from({ length: trace.positions }, lcg(61));
      ds.begin(trace);
      for (let step = 0; step < trace.steps; step++) {
        for (let layer = 0; layer < trace.layers; layer++) {
          for (let head = 0; head < trace.queryHeads; head++) {
            const view = headStepAt(trace, layer, step, head);
            if (step < 2) {
              ds.observe(view, weights, observed);
              if (observed) reference.observe(layer, step, head);
              continue;
            }
            expect(sortedKept(runSelect(ds, view)), `step ${step} layer ${layer} head ${head}`).toEqual(
              reference.select(layer, step, head),
            );
          }
        }
      }
    });
  }
});

describe('DoubleSparsity calibration details', () => {
  it('averages |k| over the visible keys only (a key not yet visible does not count)', () => {
    // r = 1. Observation at six positions: importance c0 = 1.5/6 < c3 = 2.1/6, so channel 3; key 6
    // (visible from step 1 on, large on channel 0) must not tip the choice to channel 0.
    const trace = calibrationTrace([3, 0, 0, 0]);
    const ds = new DoubleSparsitySelector(2, 1);
    ds.begin(trace);
    ds.observe(headStepAt(trace, 0, 0, 0), new Float64Array(7), true);
    expect(sortedKept(runSelect(ds, headStepAt(trace, 0, 1, 0)))).toEqual([2, 5]);
  });
  it('weighs each observation step by its mean, whatever its length', () => {
    // Step 0 (six keys) sees channel 0 with Σ|k_0| = 6.6; step 1 (seven keys) channel 1 with Σ|k_1| = 7:
    // importance 1.1 against 1.0, so channel 0, and key 0 wins on (1, 1).
    const keys = [
      [6.6, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 7],
      [0, 0],
    ];
    const trace = handTrace({ keys: [[keys]], queries: [[[[1, 0]], [[0, 1]], [[1, 1]]]], scale: 1 });
    const ds = new DoubleSparsitySelector(1, 1);
    ds.begin(trace);
    ds.observe(headStepAt(trace, 0, 0, 0), new Float64Array(8), true);
    ds.observe(headStepAt(trace, 0, 1, 0), new Float64Array(8), true);
    expect(sortedKept(runSelect(ds, headStepAt(trace, 0, 2, 0)))).toEqual([0]);
  });
  it('calibrates each KV head on its own observations, or on its own first query', () => {
    // Two KV heads (query head h reads KV head h). Only KV head 1 is observed, with (1, 0): channel 0.
    // KV head 0 calibrates on its decode query (0, 1): channel 1. KV head 1 keeps channel 0 although
    // its decode query (0, 10) would prefer channel 1.
    const keys = [
      [5, 0],
      [0, 5],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const trace = handTrace({
      keys: [[keys, keys]],
      queries: [
        [
          [
            [0, 0],
            [1, 0],
          ],
          [
            [0, 1],
            [0, 10],
          ],
        ],
      ],
      scale: 1,
    });
    const ds = new DoubleSparsitySelector(1, 1);
    ds.begin(trace);
    ds.observe(headStepAt(trace, 0, 0, 1), new Float64Array(7), true);
    expect(sortedKept(runSelect(ds, headStepAt(trace, 0, 1, 0)))).toEqual([1]);
    expect(sortedKept(runSelect(ds, headStepAt(trace, 0, 1, 1)))).toEqual([0]);
  });
});
