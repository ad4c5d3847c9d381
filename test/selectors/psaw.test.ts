/**
 * PrHS PSAW (theory/etf.md, depth schedule): at layer ℓ the P_ℓ(t) oldest non-sink tokens leave
 * the candidate pool; the sinks are always kept; the rest of the budget goes to the best exact
 * logits of the pool [sinks + P, t).
 */
import { describe, expect, it } from 'vitest';
import { psawPoolStart, PsawSelector } from '../../src/selectors/psaw.js';
import { headStepAt, randomTrace, runSelect, sortedKept } from './harness.js';

// L = 2, ℓs = 0, φ = 0.5, α = 1: P_0(t) = 0 and P_1(t) = ⌊(1 − 0.5^{1/2})·t⌋ = ⌊0.2929·t⌋.
const schedule = { layers: 2, startLayer: 0, base: 0.5, rate: 1 };

describe('psawPoolStart', () => {
  it('is sinks + P_ℓ(t)', () => {
    expect(psawPoolStart(schedule, 0, 10, 2)).toBe(2);
    expect(psawPoolStart(schedule, 1, 10, 2)).toBe(4);
    expect(psawPoolStart(schedule, 1, 20, 4)).toBe(9);
  });
  it('never prunes past the last token, and keeps at most t sinks', () => {
    const steep = { layers: 2, startLayer: 0, base: 0.01, rate: 1 }; // P_1(3) = ⌊0.9·3⌋ = 2 > 3 − 2
    expect(psawPoolStart(steep, 1, 3, 2)).toBe(3);
    expect(psawPoolStart(schedule, 1, 3, 5)).toBe(3);
    expect(psawPoolStart(schedule, 0, 1, 4)).toBe(1);
  });
});

function psawAt(selector: PsawSelector, layer: number, logits: number[]) {
  const trace = randomTrace({
    layers: 2,
    queryHeads: 1,
    kvHeads: 1,
    prefix: logits.length - 1,
    steps: 1,
    d: 2,
    seed: 19,
  });
  selector.begin(trace);
  return runSelect(selector, { ...headStepAt(trace, layer, 0, 0), logits: Float64Array.from(logits) });
}

describe('PSAW selector', () => {
  // Ten positions; the pruned ones (2, 3 at layer 1 with two sinks) hold the largest logits.
  const logits = [-5, -6, 9, 8, 1, 4, 0, 3, 2, -1];
  it('keeps the sinks and the best logits of the pool, never a pruned position', () => {
    const out = psawAt(new PsawSelector(5, { ...schedule, sinks: 2 }), 1, logits);
    expect(sortedKept(out)).toEqual([0, 1, 5, 7, 8]);
    expect(out).toMatchObject({ keysScored: 8, retrieved: true, metadataBytes: 0 });
  });
  it('prunes nothing before the start layer', () => {
    const out = psawAt(new PsawSelector(4, { ...schedule, sinks: 2 }), 0, logits);
    expect(sortedKept(out)).toEqual([0, 1, 2, 3]);
    expect(out.keysScored).toBe(10);
  });
  it('defaults to four sinks and the default schedule (ℓs = ⌊L/4⌋ = 0, φ = 0.5, α = 1)', () => {
    const selector = new PsawSelector(6);
    expect(selector.sinks).toBe(4);
    // P_1(10) = 2: the pool is [6, 10), and positions 4, 5 are pruned.
    const out = psawAt(selector, 1, [-5, -6, -7, -8, 9, 8, 1, 3, 0, 2]);
    expect(sortedKept(out)).toEqual([0, 1, 2, 3, 7, 9]);
    expect(out.keysScored).toBe(8);
  });
  it('keeps fewer than B when sinks and pool together are smaller', () => {
    const steep = { layers: 2, startLayer: 0, base: 0.01, rate: 1, sinks: 1 }; // P_1(10) = 9 → capped at 9
    const out = psawAt(new PsawSelector(4, steep), 1, logits);
    expect(sortedKept(out)).toEqual([0]);
    expect(out.keysScored).toBe(1);
  });
  it('keeps only sinks when the budget is the sink count', () => {
    expect(sortedKept(psawAt(new PsawSelector(2, { ...schedule, sinks: 2 }), 1, logits))).toEqual([0, 1]);
    expect(new PsawSelector(2).name).toBe('psaw');
  });
});
