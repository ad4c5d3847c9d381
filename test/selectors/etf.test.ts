/**
 * PrHS ETF (theory/etf.md): at layer ℓ the E_ℓ(t) earliest tokens are frozen and ranked with the
 * key of the layer where they froze, f(j) = min{ℓ′ ≥ ℓs : j < E_ℓ′(t)} (ℓ itself when none is
 * below ℓ); the B best of these partly stale logits are kept.
 */
import { describe, expect, it } from 'vitest';
import { EtfSelector, freezeLayer } from '../../src/selectors/etf.js';
import { scheduleCount } from '../../src/selectors/schedule.js';
import { keyOffset, type Trace } from '../../src/traces/trace.js';
import { handTrace, headStepAt, randomTrace, runSelect, sortedKept } from './harness.js';

// L = 3, ℓs = 0, ψ = 0.5, γ = 1, t = 10: E_0 = 0, E_1 = ⌊0.2063·10⌋ = 2, E_2 = ⌊0.3700·10⌋ = 3.
const schedule = { layers: 3, startLayer: 0, base: 0.5, rate: 1 };

describe('freezeLayer', () => {
  it('is the first layer at or after ℓs whose frozen prefix holds the position, below ℓ', () => {
    expect(freezeLayer(schedule, 2, 0, 10)).toBe(1);
    expect(freezeLayer(schedule, 2, 1, 10)).toBe(1);
    expect(freezeLayer(schedule, 2, 2, 10)).toBe(2);
    expect(freezeLayer(schedule, 1, 0, 10)).toBe(1);
    expect(freezeLayer(schedule, 0, 0, 10)).toBe(0);
  });
  it('starts freezing only after ℓs (E_ℓs = 0)', () => {
    // ℓs = 1 of L = 4: E_1 = 0, E_2 = ⌊(1 − 0.5^{1/3})·10⌋ = 2, E_3 = 3.
    const late = { layers: 4, startLayer: 1, base: 0.5, rate: 1 };
    expect(freezeLayer(late, 3, 0, 10)).toBe(2);
    expect(freezeLayer(late, 3, 2, 10)).toBe(3);
    expect(freezeLayer({ layers: 3, startLayer: 1, base: 1e-9, rate: 1 }, 2, 0, 10)).toBe(2);
  });
});

/**
 * d = 2, scale 2, ten positions, queries (1, 0). Layer 2's true logits: −10, −8, −6, 0.2, 0.4,
 * 0.6, 0.8, 0.9, 0.4, 1.0. Positions 0 and 1 froze at layer 1, whose keys give them 20 and 1.6;
 * position 2 freezes at layer 2 itself, so layer 1's 200 for it must not be used; layer 0 is never
 * a freeze layer (E_0 = 0).
 */
function frozenTrace(): Trace {
  const row = (xs: number[]) => xs.map((x) => [x, 0]);
  const layer0 = row(Array(10).fill(-50));
  const layer1 = row([10, 0.8, 100, 0, 0, 0, 0, 0, 0, 0]);
  const layer2 = row([-5, -4, -3, 0.1, 0.2, 0.3, 0.4, 0.45, 0.2, 0.5]);
  const q = [[[[1, 0]]]];
  return handTrace({ keys: [[layer0], [layer1], [layer2]], queries: [q[0]!, q[0]!, q[0]!], scale: 2 });
}

function etfAt(trace: Trace, budget: number, layer: number, options = { startLayer: 0 }) {
  const etf = new EtfSelector(budget, options);
  etf.begin(trace);
  return runSelect(etf, headStepAt(trace, layer, 0, 0));
}

describe('ETF selector on a hand-made trace', () => {
  it('ranks frozen positions by the key of their freeze layer (scaled like every logit)', () => {
    expect(sortedKept(etfAt(frozenTrace(), 2, 2))).toEqual([0, 1]);
    expect(sortedKept(etfAt(frozenTrace(), 3, 2))).toEqual([0, 1, 9]);
  });
  it('uses the true logits at a layer with nothing frozen below it', () => {
    // Layer 1: E_0 = 0, so every logit is layer 1's own: 20, 1.6, 200, 0, …
    expect(sortedKept(etfAt(frozenTrace(), 2, 1))).toEqual([0, 2]);
    expect(sortedKept(etfAt(frozenTrace(), 2, 0))).toEqual([0, 1]);
  });
  it('scores every visible key and reports a retrieval', () => {
    const out = etfAt(frozenTrace(), 3, 2);
    expect(out).toMatchObject({ keysScored: 10, retrieved: true, metadataBytes: 0 });
    expect(new EtfSelector(3).name).toBe('etf');
  });
  it('uses the default schedule when given none (ℓs = ⌊3/4⌋ = 0)', () => {
    const etf = new EtfSelector(2);
    const trace = frozenTrace();
    etf.begin(trace);
    expect(sortedKept(runSelect(etf, headStepAt(trace, 2, 0, 0)))).toEqual([0, 1]);
  });
});

/** The rule written out: score_j = s·q·k_j^{(f(j))} with f from the schedule counts, then the B best (ties low). */
function etfReference(
  trace: Trace,
  layer: number,
  step: number,
  head: number,
  budget: number,
  sched: typeof schedule,
): number[] {
  const view = headStepAt(trace, layer, step, head);
  const d = trace.headDim;
  const scores = Array.from(view.logits.subarray(0, view.length));
  for (let j = 0; j < view.length; j++) {
    let f = layer;
    for (let l = sched.startLayer; l < layer; l++) {
      if (j < scheduleCount(sched, l, view.length)) {
        f = l;
        break;
      }
    }
    if (f === layer) continue;
    const base = keyOffset(trace, f, view.kvHead);
    let dot = 0;
    for (let c = 0; c < d; c++) dot += trace.queries[view.queryOffset + c]! * trace.keys[base + j * d + c]!;
    scores[j] = trace.scale * dot;
  }
  return [...scores.keys()]
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, budget)
    .sort((a, b) => a - b);
}

describe('ETF against the rule written out', () => {
  // ℓs = 0: at layer 3 positions froze at layers 1 and 2 (E_0 = 0 < E_1 < E_2), each with its own key.
  const schedules = [
    { layers: 4, startLayer: 1, base: 0.05, rate: 1.5 },
    { layers: 4, startLayer: 0, base: 0.5, rate: 1 },
  ];
  for (const sched of schedules) {
    it(`agrees on every head-step of a four-layer GQA trace (ℓs = ${sched.startLayer}, ψ = ${sched.base})`, () => {
      const trace = randomTrace({
        layers: 4,
        queryHeads: 4,
        kvHeads: 2,
        prefix: 17,
        steps: 3,
        d: 3,
        seed: 31,
        scale: 0.9,
      });
      const etf = new EtfSelector(7, sched);
      etf.begin(trace);
      for (let step = 0; step < trace.steps; step++) {
        for (let layer = 0; layer < trace.layers; layer++) {
          for (let head = 0; head < trace.queryHeads; head++) {
            const out = runSelect(etf, headStepAt(trace, layer, step, head));
            expect(sortedKept(out), `step ${step} layer ${layer} head ${head}`).toEqual(
              etfReference(trace, layer, step, head, 7, sched),
            );
          }
        }
      }
    });
  }
});
