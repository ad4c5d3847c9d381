/**
 * SnapKV (Li et al., "SnapKV: LLM Knows What You are Looking for Before Generation"): each head's
 * observation window votes with its dense attention, votes are average-pooled over `kernel`
 * neighbours (clipped to the prompt), the best-voted prompt positions are fixed at the first decode
 * step, and the newest ⌊B/8⌋ (at least one) positions fill the rest of the budget.
 */
import { describe, expect, it } from 'vitest';
import { SnapKVSelector } from '../../src/selectors/snapKV.js';
import type { Trace } from '../../src/traces/trace.js';
import { headStepAt, lcg, randomTrace, runSelect, sortedKept } from './harness.js';

function weightsOf(values: number[], positions: number): Float64Array {
  const w = new Float64Array(positions);
  w.set(values);
  return w;
}

describe('SnapKV on hand-made votes', () => {
  // Prefix 9, three steps: the observation step 0 sees 10 positions, decoding starts at step 1.
  const trace = randomTrace({ layers: 1, queryHeads: 1, kvHeads: 1, prefix: 9, steps: 3, d: 2, seed: 37 });
  function snapKV(budget: number, kernel: number, votes: number[]) {
    const s = new SnapKVSelector(budget, kernel);
    s.begin(trace);
    s.observe(headStepAt(trace, 0, 0, 0), weightsOf(votes, trace.positions), true);
    return s;
  }
  it('keeps the best pooled votes (mean over the clipped kernel) and the newest position', () => {
    // B = 4: recent 1, room 3. Kernel 3 over the 10-position prompt: pooled 3, 4, 5 = 3; pooled 9
    // = (0 + 8)/2 = 4 (only two neighbours inside the prompt); pooled 8 = 8/3.
    const s = snapKV(4, 3, [0, 0, 0, 0, 9, 0, 0, 0, 0, 8]);
    expect(s.recent).toBe(1);
    const out = runSelect(s, headStepAt(trace, 0, 1, 0));
    expect(sortedKept(out)).toEqual([3, 4, 9, 10]);
    expect(out.retrieved).toBe(true);
  });
  it('fixes the chosen prompt positions once; later steps only move the recent window', () => {
    const s = snapKV(4, 3, [0, 0, 0, 0, 9, 0, 0, 0, 0, 8]);
    runSelect(s, headStepAt(trace, 0, 1, 0));
    s.observe(headStepAt(trace, 0, 1, 0), weightsOf([50, 50, 50], trace.positions), true);
    const later = runSelect(s, headStepAt(trace, 0, 2, 0));
    expect(sortedKept(later)).toEqual([3, 4, 9, 11]);
    expect(later.retrieved).toBe(false);
    expect(later).toMatchObject({ keysScored: 0, metadataBytes: 0 });
  });
  it('ignores attention that was not shown densely', () => {
    const s = snapKV(4, 3, [0, 0, 0, 0, 9, 0, 0, 0, 0, 8]);
    s.observe(headStepAt(trace, 0, 0, 0), weightsOf([100, 100, 100], trace.positions), false);
    expect(sortedKept(runSelect(s, headStepAt(trace, 0, 1, 0)))).toEqual([3, 4, 9, 10]);
  });
  it('adds votes of several observation steps', () => {
    const s = snapKV(4, 1, [0, 5, 0, 0, 0, 0, 0, 0, 0, 3]);
    s.observe(headStepAt(trace, 0, 0, 0), weightsOf([0, 0, 4, 0, 0, 0, 0, 1], trace.positions), true);
    // Kernel 1 (no pooling): votes 5 at 1, 4 at 2, 3 at 9, 1 at 7.
    expect(sortedKept(runSelect(s, headStepAt(trace, 0, 1, 0)))).toEqual([1, 2, 9, 10]);
  });
  it('counts only the visible part of a reused weight buffer (entries past the length are stale)', () => {
    // Observation steps 0 (10 positions) and 1 (11); the first buffer carries a stale 50 at position 10,
    // which the prompt of the first decode step (11 positions with recent 1) would include.
    const s = new SnapKVSelector(4, 1);
    s.begin(trace);
    s.observe(headStepAt(trace, 0, 0, 0), weightsOf([0, 5, 0, 0, 0, 0, 0, 0, 0, 3, 50], trace.positions), true);
    s.observe(headStepAt(trace, 0, 1, 0), weightsOf([0, 0, 4], trace.positions), true);
    expect(sortedKept(runSelect(s, headStepAt(trace, 0, 2, 0)))).toEqual([1, 2, 9, 11]);
  });
  it('compresses once even when it keeps no prompt position (B = 1: only the newest)', () => {
    const s = new SnapKVSelector(1, 3);
    s.begin(trace);
    const first = runSelect(s, headStepAt(trace, 0, 1, 0));
    expect(sortedKept(first)).toEqual([10]);
    expect(first.retrieved).toBe(true);
    const second = runSelect(s, headStepAt(trace, 0, 2, 0));
    expect(sortedKept(second)).toEqual([11]);
    expect(second.retrieved).toBe(false);
  });
  it('keeps ⌊B/8⌋ recent positions and defaults to a kernel of 7', () => {
    const s = new SnapKVSelector(16);
    expect(s.recent).toBe(2);
    expect(s.kernel).toBe(7);
    expect(new SnapKVSelector(7).recent).toBe(1);
    expect(s.name).toBe('snapkv');
  });
  it('fills with the newest positions when nothing was voted', () => {
    const s = new SnapKVSelector(4, 3);
    s.begin(trace);
    // Every pooled vote is 0: the three lowest prompt positions win the ties.
    expect(sortedKept(runSelect(s, headStepAt(trace, 0, 1, 0)))).toEqual([0, 1, 2, 10]);
  });
});

/** The rule written out, per (layer, head): votes → pooled means → top (B − recent) → plus the newest. */
class SnapKVReference {
  private votes = new Map<string, number[]>();
  private chosen = new Map<string, number[]>();
  constructor(
    readonly budget: number,
    readonly kernel: number,
    readonly positions: number,
  ) {}
  observe(layer: number, head: number, weights: ArrayLike<number>, length: number): void {
    const key = `${layer}/${head}`;
    const v = this.votes.get(key) ?? Array<number>(this.positions).fill(0);
    for (let i = 0; i < length; i++) v[i]! += weights[i]!;
    this.votes.set(key, v);
  }
  select(layer: number, head: number, length: number): number[] {
    const key = `${layer}/${head}`;
    const recent = Math.max(1, Math.floor(this.budget / 8));
    if (!this.chosen.has(key)) {
      const v = this.votes.get(key) ?? Array<number>(this.positions).fill(0);
      const prompt = Math.max(0, length - recent);
      const half = Math.floor(this.kernel / 2);
      const pooled = [...Array(prompt).keys()].map((i) => {
        const window = v.slice(Math.max(0, i - half), Math.min(prompt, i + half + 1));
        return window.reduce((a, b) => a + b, 0) / window.length;
      });
      const order = [...pooled.keys()].sort((a, b) => pooled[b]! - pooled[a]! || a - b);
      this.chosen.set(key, order.slice(0, Math.max(0, this.budget - recent)));
    }
    const kept = new Set(this.chosen.get(key));
    for (let i = length - 1; i >= 0 && kept.size < this.budget; i--) kept.add(i);
    return [...kept].sort((a, b) => a - b);
  }
}

describe('SnapKV against the rule written out', () => {
  it('agrees on every head of a two-layer GQA trace with two observation steps', () => {
    const trace: Trace = randomTrace({ layers: 2, queryHeads: 4, kvHeads: 2, prefix: 30, steps: 5, d: 2, seed: 41 });
    const next = lcg(43);
    const snap = new SnapKVSelector(16, 5);
    const reference = new SnapKVReference(16, 5, trace.positions);
    snap.begin(trace);
    for (let step = 0; step < trace.steps; step++) {
      for (let layer = 0; layer < trace.layers; layer++) {
        for (let head = 0; head < trace.queryHeads; head++) {
          const view = headStepAt(trace, layer, step, head);
          if (step < 2) {
            const w = Float64Array.from({ length: trace.positions }, () => Math.floor((next() + 1) * 4));
            snap.observe(view, w, true);
            reference.observe(layer, head, w, view.length);
            continue;
          }
          const out = runSelect(snap, view);
          expect(sortedKept(out), `step ${step} layer ${layer} head ${head}`).toEqual(
            reference.select(layer, head, view.length),
          );
          expect(out.retrieved).toBe(step === 2);
        }
      }
    }
  });
});
