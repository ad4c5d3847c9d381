/**
 * Model-based test of H2O's accumulation (fc.commands): the model accumulates the attention the
 * test feeds back; after every step the cache has min(B, N) entries, keeps the recent window,
 * never brings an evicted position back, and only ever evicts a position whose accumulated score
 * is ≤ that of every kept unprotected position.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { H2OSelector } from '../../src/selectors/h2o.js';
import { headStep, runSelect, setOf, writableTrace } from './harness.js';

const STEPS = 30;
const BUDGET = 10;

interface Model {
  step: number;
  scores: number[];
  cached: Set<number>;
  evicted: Set<number>;
}
interface Real {
  trace: ReturnType<typeof writableTrace>;
  h2o: H2OSelector;
}

class StepCommand implements fc.Command<Model, Real> {
  constructor(readonly weights: number[]) {}
  check(m: Readonly<Model>) {
    return m.step < STEPS;
  }
  run(m: Model, r: Real): void {
    const view = headStep(r.trace, m.step, 0);
    const out = runSelect(r.h2o, view);
    const set = setOf(out);
    expect(out.size).toBe(Math.min(BUDGET, view.length));
    for (const e of m.evicted) expect(set.has(e)).toBe(false);
    for (let i = Math.max(0, view.length - r.h2o.recent); i < view.length; i++) expect(set.has(i)).toBe(true);
    const newlyEvicted = [...Array(view.length).keys()].filter((i) => !set.has(i) && !m.evicted.has(i));
    const keptUnprotected = [...set].filter((i) => i < view.length - r.h2o.recent);
    const floor = Math.min(...keptUnprotected.map((i) => m.scores[i] ?? 0));
    for (const e of newlyEvicted) expect(m.scores[e] ?? 0).toBeLessThanOrEqual(floor);
    for (const e of newlyEvicted) m.evicted.add(e);
    // Feed back renormalised weights over the kept set.
    const w = new Float64Array(r.trace.positions);
    const kept = [...set];
    const total = kept.reduce((a, i) => a + this.weights[i % this.weights.length]!, 0);
    for (const i of kept) {
      w[i] = total > 0 ? this.weights[i % this.weights.length]! / total : 1 / kept.length;
      m.scores[i] = (m.scores[i] ?? 0) + w[i]!;
    }
    r.h2o.observe(view, w);
    m.cached = set;
    m.step++;
  }
  toString() {
    return `step(weights ${this.weights.length})`;
  }
}

describe('H2O accumulation (model-based)', () => {
  it('evicts by accumulated attention, keeps the recent window and never re-admits', () => {
    const commands = [
      fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 1, maxLength: 7 }).map((w) => new StepCommand(w)),
    ];
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: STEPS }), (cmds) => {
        const trace = writableTrace({ heads: 1, prefix: 6, steps: STEPS, d: 2, seed: 5 });
        const h2o = new H2OSelector(BUDGET);
        h2o.begin(trace);
        fc.modelRun(
          () => ({
            model: { step: 0, scores: [], cached: new Set<number>(), evicted: new Set<number>() },
            real: { trace, h2o },
          }),
          cmds,
        );
      }),
      { numRuns: 60 },
    );
  });
});
