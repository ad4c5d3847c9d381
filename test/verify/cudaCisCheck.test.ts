/**
 * The GPU check of the fused CIS step (src/verify/cudaCisCheck.ts) without a GPU: a stand-in addon
 * that runs its own CisSelector from the arguments the check passes (what a faithful kernel
 * computes) must give no mismatch on any case, and stand-ins with one planted bug each (a flag
 * flipped, two kept positions swapped, a missing -1 pad, one position lost) must be reported.
 */
import { describe, expect, it } from 'vitest';
import { CisSelector } from '../../src/selectors/cis.js';
import { createSelection, type HeadStep } from '../../src/selectors/selector.js';
import { uniformSource } from '../../src/random/index.js';
import type { Trace } from '../../src/traces/trace.js';
import { runCisCheck, type CisAddon } from '../../src/verify/cudaCisCheck.js';

interface StepArguments {
  readonly rows: number;
  readonly headDim: number;
  readonly length: number;
  readonly budget: number;
  readonly sinks: number;
  readonly window: number;
  readonly dilated: number;
  readonly radius: number;
  readonly gate: number;
  readonly query: Float32Array;
  readonly scores: Float32Array;
  readonly anchorQuery: Float32Array;
  readonly reanchor: Uint8Array;
  readonly indices: Int32Array;
  readonly sizes: Int32Array;
}

/** What the stand-in writes for one head before a planted bug alters it. */
type Bug = (a: StepArguments, head: number, step: number) => void;

/**
 * A CPU stand-in for native/cuda/cis.cu: one CisSelector per case (a case is recognised by its
 * own state arrays), fed the step's queries and fp32 logits, writing the kept set padded with -1.
 */
function standIn(bug: Bug = () => undefined): CisAddon {
  const cases = new Map<Float32Array, { selector: CisSelector; step: number }>();
  return {
    cisStep(options) {
      const a = options as unknown as StepArguments;
      let state = cases.get(a.anchorQuery);
      if (!state) {
        const selector = new CisSelector(a.budget, {
          gate: a.gate,
          sinks: a.sinks,
          window: a.window,
          dilated: a.dilated,
          radius: a.radius,
        });
        selector.begin(traceOf(a, new Float32Array(0)));
        state = { selector, step: 0 };
        cases.set(a.anchorQuery, state);
      }
      const trace = traceOf(a, a.query);
      const selection = createSelection(a.budget);
      for (let h = 0; h < a.rows; h++) {
        const view: HeadStep = {
          trace,
          step: state.step,
          layer: 0,
          head: h,
          kvHead: h,
          length: a.length,
          queryOffset: h * a.headDim,
          keyOffset: 0,
          valueOffset: 0,
          logits: Float64Array.from(a.scores.subarray(h * a.length, (h + 1) * a.length)),
        };
        state.selector.select(view, selection);
        a.indices.fill(-1, h * a.budget, (h + 1) * a.budget);
        a.indices.set(selection.indices.subarray(0, selection.size), h * a.budget);
        a.sizes[h] = selection.size;
        a.reanchor[h] = selection.retrieved ? 1 : 0;
        bug(a, h, state.step);
      }
      state.step++;
    },
  };
}

function traceOf(a: StepArguments, queries: Float32Array): Trace {
  return {
    layers: 1,
    steps: 1,
    queryHeads: a.rows,
    kvHeads: a.rows,
    positions: 1 << 15, // above every case's cache (the tiled case grows past 20000)
    headDim: a.headDim,
    valueDim: 1,
    scale: 1,
    queries,
    keys: new Float32Array(0),
    values: new Float32Array(0),
  };
}

const totalMismatches = (addon: CisAddon) => runCisCheck(addon).reduce((s, r) => s + r.mismatches, 0);

describe('runCisCheck', () => {
  it('a faithful step matches the reference on every head step of every case, with retrievals and reuses', () => {
    const results = runCisCheck(standIn());
    expect(results.map((r) => r.label)).toEqual([
      'B256 d128 N≈1K',
      'B64 short cache (N < B early)',
      'B2048 d64 N≈8K r=2',
      'heavy ties, no sinks/window',
      'gate -1 (always reuse)',
      'gate 1 (always re-anchor)',
      'budget 1',
      'B16384 d128 N≈20K (tiled set build)',
    ]);
    expect(results.map((r) => r.headSteps)).toEqual([8 * 40, 4 * 90, 4 * 12, 6 * 30, 3 * 20, 3 * 10, 2 * 10, 2 * 6]);
    for (const r of results) {
      expect(r.mismatches, r.label).toBe(0);
      expect(r.firstMismatch, r.label).toBeNull();
      expect(r.retrievals, r.label).toBeGreaterThan(0);
    }
    const byLabel = new Map(results.map((r) => [r.label, r]));
    // τ = −1: cos > −1 almost surely, so each head retrieves once (its first step) and reuses after.
    expect(byLabel.get('gate -1 (always reuse)')!.retrievals).toBe(3);
    // τ = 1: cos > 1 never holds, so every head step retrieves.
    expect(byLabel.get('gate 1 (always re-anchor)')!.retrievals).toBe(3 * 10);
    // Drifting queries: some steps pass the gate and some do not.
    const first = byLabel.get('B256 d128 N≈1K')!;
    expect(first.retrievals).toBeGreaterThan(8);
    expect(first.retrievals).toBeLessThan(8 * 40);
  });

  it('the seed base moves every case to other inputs (the same verdicts)', () => {
    const a = runCisCheck(standIn(), 1000);
    const b = runCisCheck(standIn(), 2000);
    expect(b.every((r) => r.mismatches === 0)).toBe(true);
    expect(a.map((r) => r.retrievals)).not.toEqual(b.map((r) => r.retrievals));
    expect(runCisCheck(standIn()).map((r) => r.retrievals)).toEqual(a.map((r) => r.retrievals));
  });

  it('reports a re-anchor flag that disagrees with the reference', () => {
    const results = runCisCheck(
      standIn((a, h, step) => {
        if (step === 3 && h === 1) a.reanchor[h] = 1 - a.reanchor[h]!;
      }),
    );
    for (const r of results) expect(r.mismatches, r.label).toBe(1);
    expect(results[0]!.firstMismatch).toMatch(
      /^step 3 head 1: retrieved (true vs flag 0|false vs flag 1), sizes \d+ vs \d+/,
    );
  });

  it('reports the same positions in another order, and where they first differ', () => {
    const results = runCisCheck(
      standIn((a, h, step) => {
        if (step !== 5 || h !== 0 || a.sizes[0]! < 2) return;
        const first = a.indices[0]!;
        a.indices[0] = a.indices[1]!;
        a.indices[1] = first;
      }),
    );
    expect(results[0]!.mismatches).toBe(1);
    expect(results[0]!.firstMismatch).toMatch(/^step 5 head 0: .* first difference at 0: expected \[/);
    expect(results.find((r) => r.label === 'budget 1')!.mismatches).toBe(0);
  });

  it('reports a set whose unused slots are not padded with -1', () => {
    expect(
      totalMismatches(
        standIn((a, h, step) => {
          if (step === 0 && a.sizes[h]! < a.budget) a.indices[h * a.budget + a.sizes[h]!] = 0;
        }),
      ),
    ).toBeGreaterThan(0);
    const short = runCisCheck(
      standIn((a, h, step) => {
        if (step === 0 && h === 0 && a.sizes[0]! < a.budget) a.indices[a.budget - 1] = 7;
      }),
    ).find((r) => r.label === 'B64 short cache (N < B early)')!;
    expect(short.mismatches).toBe(1);
  });

  it('reports a set one position short, with both sizes', () => {
    const results = runCisCheck(
      standIn((a, h, step) => {
        if (step === 2 && h === 0) {
          a.sizes[0] = a.sizes[0]! - 1;
          a.indices[a.sizes[0]!] = -1;
        }
      }),
    );
    for (const r of results) expect(r.mismatches, r.label).toBe(1);
    const budget1 = results.find((r) => r.label === 'budget 1')!;
    expect(budget1.firstMismatch).toMatch(/^step 2 head 0: .*, sizes 1 vs 0, first difference at 0:/);
  });
});

/** The cases of the check, as documented there (heads, head dim, cache prefix, steps, budget, gate, options, levels). */
const documentedCases = [
  { heads: 8, headDim: 128, prefix: 1000, steps: 40, budget: 256, gate: 0.8, levels: 64 },
  { heads: 4, headDim: 32, prefix: 5, steps: 90, budget: 64, gate: 0.9, levels: 8 },
  { heads: 4, headDim: 64, prefix: 8000, steps: 12, budget: 2048, gate: 0.5, radius: 2, levels: 256 },
  { heads: 6, headDim: 16, prefix: 300, steps: 30, budget: 48, gate: 0.7, sinks: 0, window: 0, levels: 3 },
  { heads: 3, headDim: 8, prefix: 200, steps: 20, budget: 40, gate: -1, levels: 16 },
  { heads: 3, headDim: 8, prefix: 200, steps: 10, budget: 40, gate: 1, levels: 16 },
  { heads: 2, headDim: 4, prefix: 50, steps: 10, budget: 1, gate: 0.8, levels: 4 },
  { heads: 2, headDim: 128, prefix: 20000, steps: 6, budget: 16384, gate: 0.6, levels: 512 },
];

/**
 * The draws of one case, in the check's order: per head a start query uniform in [-1, 1)^d, then per
 * step a drift of strength 1.5 (probability 0.3) or 0.15 times a uniform in [-1, 1)^d; then per
 * step the fp32 logits of every head, ⌊levels·u⌋/8.
 */
function documentedDraws(c: (typeof documentedCases)[number], seed: number) {
  const random = uniformSource(seed);
  const { heads, headDim: d, prefix, steps } = c;
  const queries = new Float32Array(steps * heads * d);
  for (let h = 0; h < heads; h++) {
    const q = Array.from({ length: d }, () => random() * 2 - 1);
    for (let t = 0; t < steps; t++) {
      const strength = random() < 0.3 ? 1.5 : 0.15;
      for (let e = 0; e < d; e++) {
        q[e] = q[e]! + strength * (random() * 2 - 1);
        queries[(t * heads + h) * d + e] = q[e]!;
      }
    }
  }
  const scores = Array.from({ length: steps }, (_, t) =>
    Float32Array.from({ length: heads * (prefix + t + 1) }, () => Math.floor(random() * c.levels) / 8),
  );
  return { queries, scores };
}

describe('runCisCheck: what it hands the kernel', () => {
  it("each case's documented queries, logits, cache lengths, options and state arrays, seeded seedBase + i", () => {
    const calls: Record<string, unknown>[] = [];
    const faithful = standIn();
    runCisCheck(
      {
        cisStep(options) {
          calls.push({ ...options, stateSizes: stateSizes(options) });
          faithful.cisStep(options);
        },
      },
      500,
    );
    let call = 0;
    documentedCases.forEach((c, i) => {
      const { queries, scores } = documentedDraws(c, 500 + i);
      const selector = new CisSelector(c.budget, { gate: c.gate, sinks: c.sinks, window: c.window, radius: c.radius });
      const { heads, headDim: d } = c;
      for (let t = 0; t < c.steps; t++) {
        const a = calls[call++]!;
        const where = `case ${i} step ${t}`;
        expect(a, where).toMatchObject({
          rows: heads,
          headDim: d,
          length: c.prefix + t + 1,
          budget: c.budget,
          gate: c.gate,
          sinks: c.sinks ?? 4,
          window: c.window ?? Math.floor(c.budget / 8),
          dilated: selector.dilated,
          radius: c.radius ?? 1,
        });
        expect(Array.from(a.query as Float32Array), where).toEqual(
          Array.from(queries.subarray(t * heads * d, (t + 1) * heads * d)),
        );
        expect(a.scores as Float32Array, where).toEqual(scores[t]);
        expect(a.stateSizes, where).toEqual({
          anchorQuery: heads * d,
          anchorNorm: heads,
          anchored: heads,
          ranking: heads * c.budget,
          rankingSize: heads,
          reanchor: heads,
          indices: heads * c.budget,
          sizes: heads,
        });
      }
    });
    expect(call).toBe(calls.length);
  });
});

function stateSizes(options: Record<string, unknown>): Record<string, number> {
  const names = ['anchorQuery', 'anchorNorm', 'anchored', 'ranking', 'rankingSize', 'reanchor', 'indices', 'sizes'];
  return Object.fromEntries(names.map((n) => [n, (options[n] as ArrayLike<number>).length]));
}

describe('runCisCheck: how a mismatch is reported', () => {
  it('a set one position too long is a mismatch, though its first positions agree', () => {
    const results = runCisCheck(
      standIn((a, h, step) => {
        if (step === 2 && h === 0 && a.sizes[0]! < a.budget) a.indices[a.sizes[0]!++] = 0;
      }),
    );
    const short = results.find((r) => r.label === 'B64 short cache (N < B early)')!;
    expect(short.mismatches).toBe(1);
    expect(short.firstMismatch).toMatch(/^step 2 head 0: .*, sizes (\d+) vs (\d+), first difference at -1:/);
  });

  it('names the step, head, flags, sizes, the first differing position and the first twelve positions of each', () => {
    let message = '';
    const results = runCisCheck(
      standIn((a, h, step) => {
        if (step !== 4 || h !== 1 || a.budget !== 256) return;
        const kept = Array.from(a.indices.subarray(a.budget, a.budget + a.sizes[1]!));
        const swapped = kept.slice();
        [swapped[13], swapped[14]] = [kept[14]!, kept[13]!];
        a.indices.set(swapped, a.budget);
        const retrieved = a.reanchor[1] === 1;
        const list = (x: number[]) => `[${x.slice(0, 12).join(', ')}…]`;
        message =
          `step 4 head 1: retrieved ${retrieved} vs flag ${a.reanchor[1]}, sizes ${kept.length} vs ${kept.length}, ` +
          `first difference at 13: expected ${list(kept)} got ${list(swapped)}`;
      }),
    );
    expect(results[0]!.mismatches).toBe(1);
    expect(message).not.toBe('');
    expect(results[0]!.firstMismatch).toBe(message);
  });
});
