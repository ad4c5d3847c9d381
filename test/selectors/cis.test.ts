/**
 * PrHS CIS (theory/cis.md) on hand-made head-steps: an anchor step scores everything and keeps
 * sinks, window and the best logits; a reuse step (cos(q_t, q_anchor) > τ) scores nothing and
 * keeps sinks, window, the anchor's top m positions widened by ±r, then the rest of its ranking.
 */
import { describe, expect, it } from 'vitest';
import type { InvalidArgumentError } from '../../src/core/errors.js';
import { CisSelector, type CisConstraints } from '../../src/selectors/cis.js';
import { queryOffset } from '../../src/traces/trace.js';
import { headStep, headStepAt, randomTrace, runSelect, sortedKept, writableTrace } from './harness.js';

/** Twenty visible positions at step 0 (21 at step 1); logits 9, 8, 7, 6, 5, 4, 3 at 10, 5, 15, 3, 12, 7, 17. */
function anchorLogits(length: number): Float64Array {
  const logits = new Float64Array(length);
  [10, 5, 15, 3, 12, 7, 17].forEach((p, j) => (logits[p] = 9 - j));
  return logits;
}

function twoSteps(options: CisConstraints, second: number[] = [1, 0]) {
  const trace = writableTrace({ heads: 1, prefix: 19, steps: 2, d: 2, seed: 83 });
  trace.queries.set([1, 0], 0);
  trace.queries.set(second, 2);
  const cis = new CisSelector(8, options);
  cis.begin(trace);
  const first = runSelect(cis, { ...headStep(trace, 0, 0), logits: anchorLogits(20) });
  const reused = runSelect(cis, { ...headStep(trace, 1, 0), logits: new Float64Array(21).fill(100) });
  return { first, reused, cis, trace };
}

describe('CIS on hand-made head-steps', () => {
  const options = { sinks: 1, window: 1, dilated: 1, radius: 1 };
  it('an anchor step keeps sinks, window and the best logits, scoring every key', () => {
    const { first } = twoSteps(options);
    expect(sortedKept(first)).toEqual([0, 3, 5, 7, 10, 12, 15, 19]);
    expect(first).toMatchObject({ keysScored: 20, retrieved: true });
  });
  it('a reuse step dilates the top m anchor positions by ±r; the rest of the ranking fills the budget', () => {
    const { reused } = twoSteps(options);
    // The step-1 logits (all 100) are never read: the anchor's ranking decides.
    expect(sortedKept(reused)).toEqual([0, 3, 5, 9, 10, 11, 15, 20]);
    expect(reused).toMatchObject({ keysScored: 0, retrieved: false });
  });
  it('dilation reaches r positions on each side, and m anchors', () => {
    expect(sortedKept(twoSteps({ ...options, radius: 2 }).reused)).toEqual([0, 5, 8, 9, 10, 11, 12, 20]);
    expect(sortedKept(twoSteps({ ...options, dilated: 2 }).reused)).toEqual([0, 4, 5, 6, 9, 10, 11, 20]);
    expect(sortedKept(twoSteps({ ...options, dilated: 0 }).reused)).toEqual([0, 3, 5, 7, 10, 12, 15, 20]);
  });
  it('re-anchors on a query whose cosine is not above τ', () => {
    const { reused, cis } = twoSteps(options, [0, 1]);
    expect(reused.retrieved).toBe(true);
    expect(reused.keysScored).toBe(21);
    expect(cis.anchorStep[0]).toBe(1);
    // All step-1 logits tie: the lowest positions after sink 0 and window 20.
    expect(sortedKept(reused)).toEqual([0, 1, 2, 3, 4, 5, 6, 20]);
  });
  it('measures the cosine against the anchor query', () => {
    const trace = writableTrace({ heads: 1, prefix: 3, steps: 2, d: 2, seed: 89 });
    trace.queries.set([3, 0], 0);
    trace.queries.set([2, 2], 2);
    const cis = new CisSelector(4);
    cis.begin(trace);
    expect(cis.anchorCosine(headStep(trace, 0, 0))).toBe(-Infinity);
    runSelect(cis, headStep(trace, 0, 0));
    expect(cis.anchorCosine(headStep(trace, 1, 0))).toBeCloseTo(Math.SQRT1_2, 15);
    expect(cis.anchorCosine(headStep(trace, 0, 0))).toBeCloseTo(1, 15);
  });
  it('a zero query never reuses (its cosine is −∞), even with τ = −1', () => {
    const trace = writableTrace({ heads: 1, prefix: 3, steps: 2, d: 2, seed: 97 });
    trace.queries.set([1, 0], 0);
    const cis = new CisSelector(4, { gate: -1 });
    cis.begin(trace);
    runSelect(cis, headStep(trace, 0, 0));
    expect(cis.anchorCosine(headStep(trace, 1, 0))).toBe(-Infinity);
    expect(runSelect(cis, headStep(trace, 1, 0)).retrieved).toBe(true);
  });
});

describe('CIS options', () => {
  it('defaults: τ = 0.8, four sinks, window ⌊B/8⌋, k = B − sinks − window, m = ⌊k/3⌋, r = 1', () => {
    const cis = new CisSelector(24);
    expect([cis.gate, cis.sinks, cis.window, cis.topK, cis.dilated, cis.radius, cis.name]).toEqual([
      0.8,
      4,
      3,
      17,
      5,
      1,
      'cis',
    ]);
    expect(new CisSelector(4).topK).toBe(0);
    expect(new CisSelector(8, { sinks: 2, window: 2 }).dilated).toBe(1);
  });
  it('accepts τ in [−1, 1] and refuses anything else, naming gate', () => {
    expect(new CisSelector(8, { gate: -1 }).gate).toBe(-1);
    expect(new CisSelector(8, { gate: 1 }).gate).toBe(1);
    expect(() => new CisSelector(8, { gate: 1.5 })).toThrow('gate: expected a cosine in [-1, 1], received 1.5');
    expect(() => new CisSelector(8, { gate: -1.01 })).toThrow('gate: expected a cosine in [-1, 1], received -1.01');
    expect(() => new CisSelector(8, { gate: Number.NaN })).toThrow('gate: expected a cosine in [-1, 1], received NaN');
  });
});

describe('CIS state per (layer, head) and at the edges of the cache', () => {
  it('starts every head without an anchor (anchorStep −1) and refuses τ as a range problem', () => {
    const cis = new CisSelector(8);
    cis.begin(writableTrace({ heads: 2, prefix: 3, steps: 1, d: 2, seed: 101 }));
    expect(Array.from(cis.anchorStep)).toEqual([-1, -1]);
    try {
      new CisSelector(8, { gate: 2 });
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidArgumentError).problem).toBe('range');
    }
  });
  it('keeps one anchor per (layer, head): a repeated query reuses at every layer and head', () => {
    const trace = randomTrace({ layers: 2, queryHeads: 2, kvHeads: 1, prefix: 12, steps: 2, d: 2, seed: 103 });
    for (let l = 0; l < 2; l++) {
      for (let h = 0; h < 2; h++) {
        for (const step of [0, 1]) trace.queries.set([1 + l, 2 - h], queryOffset(trace, l, step, h));
      }
    }
    const cis = new CisSelector(6, { gate: 0.99 });
    cis.begin(trace);
    for (const step of [0, 1]) {
      for (let l = 0; l < 2; l++) {
        for (let h = 0; h < 2; h++)
          expect(runSelect(cis, headStepAt(trace, l, step, h)).retrieved, `step ${step} layer ${l} head ${h}`).toBe(
            step === 0,
          );
      }
    }
  });
  it('dilation reaches position 0 and stops below the cache length', () => {
    // No sinks, no window; the anchor's best is position 1, then the last position 19; radius 2.
    // Reuse at 21 positions: 1, 0, 2, 3, then 19, 18, 20, 17 (21 is past the cache), then the ranking.
    const trace = writableTrace({ heads: 1, prefix: 19, steps: 2, d: 2, seed: 107 });
    trace.queries.set([1, 0], 0);
    trace.queries.set([1, 0], 2);
    const cis = new CisSelector(9, { sinks: 0, window: 0, dilated: 2, radius: 2 });
    cis.begin(trace);
    const logits = new Float64Array(20);
    logits[1] = 9;
    logits[19] = 8;
    runSelect(cis, { ...headStep(trace, 0, 0), logits });
    const reused = runSelect(cis, headStep(trace, 1, 0));
    const kept = sortedKept(reused);
    expect(kept).toEqual([0, 1, 2, 3, 4, 17, 18, 19, 20]);
  });
  it('keeps the whole cache, once each, when the budget exceeds it', () => {
    const trace = writableTrace({ heads: 1, prefix: 4, steps: 2, d: 2, seed: 109 });
    trace.queries.set([1, 0], 0);
    trace.queries.set([1, 0], 2);
    const cis = new CisSelector(8, { sinks: 0, window: 0 });
    cis.begin(trace);
    const first = runSelect(cis, headStep(trace, 0, 0));
    expect(first.size).toBe(5);
    expect(sortedKept(first)).toEqual([0, 1, 2, 3, 4]);
    const reused = runSelect(cis, headStep(trace, 1, 0));
    expect(reused.retrieved).toBe(false);
    expect(reused.size).toBe(6);
    expect(sortedKept(reused)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
