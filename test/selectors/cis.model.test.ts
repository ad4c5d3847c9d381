/**
 * Model-based test of CIS's anchors (fc.commands): a model remembers each head's anchor query and
 * ranking; every step the real selector must re-anchor exactly when the model's gate says so and
 * keep sinks, window and the dilated anchor positions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK } from '../../src/core/index.js';
import { CisSelector } from '../../src/selectors/cis.js';
import { headStep, runSelect, setOf, writableTrace } from './harness.js';

const D = 4;
const HEADS = 2;
const STEPS = 40;
const BUDGET = 24;

interface Model {
  step: number;
  anchors: (null | { q: number[]; ranking: number[] })[];
}
interface Real {
  trace: ReturnType<typeof writableTrace>;
  cis: CisSelector;
}

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0,
    na = 0,
    nb = 0;
  a.forEach((x, i) => {
    dot += x * b[i]!;
    na += x * x;
    nb += b[i]! ** 2;
  });
  return na === 0 || nb === 0 ? -Infinity : dot / Math.sqrt(na * nb);
}

class SelectCommand implements fc.Command<Model, Real> {
  constructor(
    readonly head: number,
    readonly query: number[],
  ) {}
  check(m: Readonly<Model>) {
    return m.step < STEPS;
  }
  run(m: Model, r: Real): void {
    const { trace, cis } = r;
    const q = this.query.map((x) => Math.fround(x));
    trace.queries.set(q, (m.step * HEADS + this.head) * D);
    const view = headStep(trace, m.step, this.head);
    const anchor = m.anchors[this.head];
    const reuse = anchor !== null && anchor !== undefined && cosine(q, anchor.q) > cis.gate;
    const out = runSelect(cis, view);
    expect(out.retrieved).toBe(!reuse);
    expect(out.keysScored).toBe(reuse ? 0 : view.length);
    if (!reuse) m.anchors[this.head] = { q, ranking: Array.from(topK(view.logits, Math.min(BUDGET, view.length))) };
    const set = setOf(out);
    expect(out.size).toBe(Math.min(BUDGET, view.length));
    expect(set.size).toBe(out.size);
    for (let i = 0; i < Math.min(cis.sinks, view.length); i++) expect(set.has(i)).toBe(true);
    for (let i = Math.max(0, view.length - cis.window); i < view.length; i++) expect(set.has(i)).toBe(true);
    const ranking = m.anchors[this.head]!.ranking;
    if (reuse) {
      for (const p of ranking.slice(0, cis.dilated))
        for (const o of [-1, 0, 1]) if (p + o >= 0 && p + o < view.length) expect(set.has(p + o)).toBe(true);
    } else {
      for (const p of ranking.slice(0, cis.topK)) expect(set.has(p)).toBe(true);
    }
    expect(cis.anchorStep[this.head]).toBe(reuse ? cis.anchorStep[this.head] : m.step);
  }
  toString() {
    return `select(head ${this.head}, q = [${this.query.map((x) => x.toFixed(2)).join(', ')}])`;
  }
}

class AdvanceCommand implements fc.Command<Model, Real> {
  check(m: Readonly<Model>) {
    return m.step < STEPS - 1;
  }
  run(m: Model): void {
    m.step++;
  }
  toString() {
    return 'advance';
  }
}

describe('CIS anchors (model-based)', () => {
  it('re-anchors exactly when the cosine gate fails and keeps sinks, window and dilation', () => {
    const base = fc.array(
      fc.integer({ min: -100, max: 100 }).map((x) => x / 10),
      { minLength: D, maxLength: D },
    );
    const commands = [
      fc.tuple(fc.integer({ min: 0, max: HEADS - 1 }), base).map(([h, q]) => new SelectCommand(h, q)),
      // Small perturbations of a fixed direction (gate passes) and scaled copies (cosine 1, other norm).
      fc
        .tuple(fc.integer({ min: 0, max: HEADS - 1 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: -3, max: 3 }))
        .map(([h, scale, wiggle]) => new SelectCommand(h, [scale, scale / 2 + wiggle / 10, 1, -1])),
      fc.constant(new AdvanceCommand()),
    ];
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 80 }), (cmds) => {
        const trace = writableTrace({ heads: HEADS, prefix: 30, steps: STEPS, d: D, seed: 11 });
        const cis = new CisSelector(BUDGET, { sinks: 2, window: 3 });
        cis.begin(trace);
        fc.modelRun(
          () => ({ model: { step: 0, anchors: Array.from({ length: HEADS }, () => null) }, real: { trace, cis } }),
          cmds,
        );
      }),
      { numRuns: 60 },
    );
  });
});
