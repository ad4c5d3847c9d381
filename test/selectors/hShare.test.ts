/**
 * HShare (Wu et al., "HShare: Fast LLM Decoding by Hierarchical Key-Value Sharing"): critical
 * tokens from proxy scores on the r channels of largest |q_c|, plus sinks and a recent window,
 * computed by the first head of a KV group that asks and shared by the group, by a pair of layers
 * and for `period` steps; a reusing head-step keeps its window, the shared set and then the newest
 * positions up to B.
 */
import { describe, expect, it } from 'vitest';
import { HShareSelector, type HShareConstraints } from '../../src/selectors/hShare.js';
import { keyOffset, type Trace } from '../../src/traces/trace.js';
import { handTrace, headStepAt, randomTrace, runSelect, sortedKept } from './harness.js';

/**
 * d = 2, one layer, one KV head, two query heads, prefix 9 and four steps. Channel 0 carries a
 * ramp the proxy prefers on q = (1, 0.1): key 3 (8) then key 6 (7); channel 1 favours keys 1 and 2.
 */
function sharedTrace(): Trace {
  const keys = [
    [0, 0],
    [0, 9],
    [0, 8],
    [8, 0],
    [1, 0],
    [2, 0],
    [7, 0],
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
    [0, 0],
  ];
  const step = [
    [1, 0.1],
    [0.1, 1],
  ];
  return handTrace({ keys: [[keys]], queries: [[step, step, step, step]], scale: 1 });
}

function hshareOn(trace: Trace, budget: number, options: HShareConstraints) {
  const h = new HShareSelector(budget, options);
  h.begin(trace);
  return h;
}

describe('HShare on a hand-made trace', () => {
  const options = { channels: 1, sinks: 1, window: 2, period: 2 };
  it('keeps sinks, the window and the best proxy scores on the top-|q| channels', () => {
    const trace = sharedTrace();
    const out = runSelect(hshareOn(trace, 5, options), headStepAt(trace, 0, 0, 0));
    // Ten positions: sink 0, window 8, 9, and channel 0's best, keys 3 and 6.
    expect(sortedKept(out)).toEqual([0, 3, 6, 8, 9]);
    expect(out).toMatchObject({ retrieved: true, keysScored: 0, metadataBytes: 10 * 1 * 2 });
  });
  it('shares the first head’s set with the other head of its group, window moved', () => {
    const trace = sharedTrace();
    const h = hshareOn(trace, 5, options);
    runSelect(h, headStepAt(trace, 0, 0, 0));
    // Head 1 would prefer channel 1 (keys 1, 2) but reuses head 0's set.
    const reused = runSelect(h, headStepAt(trace, 0, 0, 1));
    expect(sortedKept(reused)).toEqual([0, 3, 6, 8, 9]);
    expect(reused).toMatchObject({ retrieved: false, metadataBytes: 0 });
  });
  it('reuses for `period` steps, then recomputes', () => {
    const trace = sharedTrace();
    const h = hshareOn(trace, 5, options);
    runSelect(h, headStepAt(trace, 0, 0, 1)); // head 1 computes first: channel 1, keys 1 and 2
    const step1 = runSelect(h, headStepAt(trace, 0, 1, 0));
    // Eleven positions: window 9, 10, then the shared set {0, 1, 2, 8, 9} in its stored order up
    // to B = 5, so one of its entries outside the new window does not fit (which one depends on
    // the stored order: the against-the-rule test below follows it exactly).
    expect(step1.retrieved).toBe(false);
    expect(step1.size).toBe(5);
    const kept1 = sortedKept(step1);
    expect(kept1).toEqual(expect.arrayContaining([0, 9, 10]));
    expect(kept1.filter((i) => ![0, 1, 2, 8, 9, 10].includes(i))).toEqual([]);
    const step2 = runSelect(h, headStepAt(trace, 0, 2, 0));
    expect(step2.retrieved).toBe(true);
    expect(sortedKept(step2)).toEqual([0, 3, 6, 10, 11]);
  });
  it('tops a reused set up with the newest positions', () => {
    // B = 12 over ten positions: the computed set is the whole cache; a step later the new
    // position 10 is not in it and comes in as the newest.
    const trace = sharedTrace();
    const h = hshareOn(trace, 12, { channels: 1, sinks: 0, window: 0, period: 3 });
    expect(runSelect(h, headStepAt(trace, 0, 0, 0)).size).toBe(10);
    const later = runSelect(h, headStepAt(trace, 0, 1, 0));
    expect(later.retrieved).toBe(false);
    expect(sortedKept(later)).toEqual([...Array(11).keys()]);
  });
  it('defaults: four sinks, window ⌊B/8⌋, period 2, layer pairs, max(2, ⌊d/8⌋) channels', () => {
    const h = new HShareSelector(24);
    expect([h.sinks, h.window, h.period, h.layerGroup]).toEqual([4, 3, 2, 2]);
    expect(h.name).toBe('hshare');
    const trace = randomTrace({ layers: 1, queryHeads: 1, kvHeads: 1, prefix: 39, steps: 1, d: 32, seed: 67 });
    h.begin(trace);
    expect(runSelect(h, headStepAt(trace, 0, 0, 0)).metadataBytes).toBe(40 * 4 * 2);
    const narrow = new HShareSelector(24);
    const small = randomTrace({ layers: 1, queryHeads: 1, kvHeads: 1, prefix: 39, steps: 1, d: 8, seed: 67 });
    narrow.begin(small);
    expect(runSelect(narrow, headStepAt(small, 0, 0, 0)).metadataBytes).toBe(40 * 2 * 2);
  });
  it('keeps the whole cache when it is shorter than sinks and window', () => {
    const trace = sharedTrace();
    expect(sortedKept(runSelect(hshareOn(trace, 20, { sinks: 30, window: 30 }), headStepAt(trace, 0, 0, 0)))).toEqual([
      ...Array(10).keys(),
    ]);
  });
});

/** The rule written out; the order of a computed set (which a reuse truncates last-first) is read from the selector's output. */
class HShareReference {
  private shared = new Map<number, { order: number[]; step: number }>();
  constructor(
    readonly trace: Trace,
    readonly budget: number,
    readonly o: Required<HShareConstraints>,
  ) {}
  compute(layer: number, step: number, head: number): number[] {
    const t = this.trace;
    const view = headStepAt(t, layer, step, head);
    const q = Array.from(t.queries.subarray(view.queryOffset, view.queryOffset + t.headDim));
    const channels = [...q.keys()].sort((a, b) => Math.abs(q[b]!) - Math.abs(q[a]!) || a - b).slice(0, this.o.channels);
    const base = keyOffset(t, layer, view.kvHead);
    const kept = new Set<number>();
    for (let i = 0; i < Math.min(this.o.sinks, view.length) && kept.size < this.budget; i++) kept.add(i);
    for (let i = view.length - Math.min(this.o.window, view.length); i < view.length && kept.size < this.budget; i++)
      kept.add(i);
    const scores = [...Array(view.length).keys()].map((i) =>
      channels.reduce((s, c) => s + q[c]! * t.keys[base + i * t.headDim + c]!, 0),
    );
    const order = [...scores.keys()].filter((i) => !kept.has(i)).sort((a, b) => scores[b]! - scores[a]! || a - b);
    for (const i of order) if (kept.size < this.budget) kept.add(i);
    return [...kept].sort((a, b) => a - b);
  }
  select(
    layer: number,
    step: number,
    head: number,
    record: (order: number[]) => void,
  ): { kept: number[]; computed: boolean } {
    const view = headStepAt(this.trace, layer, step, head);
    const slot = Math.floor(layer / this.o.layerGroup) * this.trace.kvHeads + view.kvHead;
    const last = this.shared.get(slot);
    if (!last || step - last.step >= this.o.period) {
      record([]);
      return { kept: this.compute(layer, step, head), computed: true };
    }
    const kept: number[] = [];
    const add = (i: number) => {
      if (kept.length < this.budget && !kept.includes(i)) kept.push(i);
    };
    for (let i = view.length - Math.min(this.o.window, view.length); i < view.length; i++) add(i);
    for (const p of last.order) if (p < view.length) add(p);
    for (let i = view.length - 1; i >= 0; i--) add(i);
    return { kept: kept.sort((a, b) => a - b), computed: false };
  }
  remember(layer: number, kvHead: number, step: number, order: number[]): void {
    this.shared.set(Math.floor(layer / this.o.layerGroup) * this.trace.kvHeads + kvHead, { order, step });
  }
}

describe('HShare against the rule written out', () => {
  it('agrees on every head-step of a four-layer GQA trace', () => {
    const trace = randomTrace({ layers: 4, queryHeads: 4, kvHeads: 2, prefix: 25, steps: 6, d: 8, seed: 71 });
    const o = { channels: 3, sinks: 2, window: 3, period: 2, layerGroup: 2 };
    const h = new HShareSelector(10, o);
    const reference = new HShareReference(trace, 10, o);
    h.begin(trace);
    for (let step = 0; step < trace.steps; step++) {
      for (let layer = 0; layer < trace.layers; layer++) {
        for (let head = 0; head < trace.queryHeads; head++) {
          const view = headStepAt(trace, layer, step, head);
          const out = runSelect(h, view);
          const expected = reference.select(layer, step, head, () => {});
          expect(sortedKept(out), `step ${step} layer ${layer} head ${head}`).toEqual(expected.kept);
          expect(out.retrieved).toBe(expected.computed);
          if (expected.computed)
            reference.remember(layer, view.kvHead, step, Array.from(out.indices.subarray(0, out.size)));
        }
      }
    }
  });
});
