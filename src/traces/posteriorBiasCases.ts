/**
 * Hand-built traces on which a posterior selector keeps a set with δ ≥ 0.5 while the oracle at
 * the same budget has δ* ≤ 0.05 (the posterior bias of theory/posterior-bias.md).
 * One layer, one head, scale 1. The last step is the decisive one; earlier steps are either
 * observation steps (the selector sees their dense attention) or repeat the decisive query.
 * A "needle" key carries logit L ≥ ln(19·N) + margin at the decisive step, so whatever keeps it
 * has δ ≤ 0.05 at budget ≥ 1 and whatever drops it has δ ≥ 0.95 (theory: e^L ≥ 19(N − 1)e^{max other}).
 */
import type { Trace } from './trace.js';

export interface BiasCase {
  readonly trace: Trace;
  /** Budget B to build the selector with. */
  readonly budget: number;
  /** Observation steps to pass to the simulator. */
  readonly observeSteps: number;
}

function blankTrace(positions: number, steps: number, d: number): Trace {
  return {
    layers: 1,
    steps,
    queryHeads: 1,
    kvHeads: 1,
    positions,
    headDim: d,
    valueDim: 2,
    queries: new Float32Array(steps * d),
    keys: new Float32Array(positions * d),
    values: Float32Array.from({ length: positions * 2 }, (_, i) => (i % 2 === 0 ? Math.cos(i) : Math.sin(i))),
    scale: 1,
  };
}

/** The needle logit for N positions when the other logits are ≤ `others`. */
export function needleLogit(positions: number, others: number, margin: number): number {
  return others + Math.log(19 * positions) + 1 + margin;
}

/** StreamingLLM: a needle in the middle, outside the 4 sinks and the recent window. */
export function streamingCase(p: { prefix: number; budget: number; margin: number }): BiasCase {
  const budget = Math.max(5, Math.min(p.budget, Math.floor(p.prefix / 2)));
  const positions = Math.max(p.prefix, 2 * budget + 8) + 1;
  const trace = blankTrace(positions, 1, 2);
  const needle = 4 + Math.floor((positions - budget - 4) / 2);
  const L = needleLogit(positions, 0, p.margin);
  trace.keys[needle * 2] = L;
  trace.queries[0] = 1;
  return { trace, budget, observeSteps: 0 };
}

/**
 * H2O and SnapKV: `observe` early queries attend to a decoy block right after the sinks; the
 * decisive query wants a needle 16 positions after the block (beyond SnapKV's pooling kernel).
 */
export function evictionCase(p: { budget: number; extra: number; observe: number; margin: number }): BiasCase {
  const budget = Math.max(4, p.budget);
  const decoys = budget + p.extra;
  const needle = 4 + decoys + 16;
  const steps = p.observe + 1;
  const positions = needle + 2 * budget + 8 + steps;
  const trace = blankTrace(positions, steps, 2);
  for (let i = 4; i < 4 + decoys; i++) trace.keys[i * 2] = 4;
  const L = needleLogit(positions, 0, p.margin);
  trace.keys[needle * 2 + 1] = L;
  for (let t = 0; t < p.observe; t++) trace.queries[t * 2] = 1;
  trace.queries[p.observe * 2 + 1] = 1;
  return { trace, budget, observeSteps: p.observe };
}

/**
 * Quest (page size 16): decoy pages alternate keys (a, −a) and (−a, a), so their min/max box
 * bound is 2a while their logits are 0; the needle page holds (b, b) with 2b = L < 2a. The page
 * budget ⌊(B − 1)/16⌋ is smaller than the number of decoy pages.
 */
export function questCase(p: {
  pages: number;
  extraDecoyPages: number;
  backgroundPages: number;
  margin: number;
}): BiasCase {
  const pageSize = 16;
  const decoyPages = p.pages + p.extraDecoyPages;
  const fullPages = decoyPages + 1 + p.backgroundPages;
  const positions = fullPages * pageSize + 1; // one key in the partial last page (the current token)
  const trace = blankTrace(positions, 1, 2);
  const L = needleLogit(positions, 0, p.margin);
  const b = L / 2;
  const a = b + 1;
  for (let page = 0; page < decoyPages; page++) {
    for (let i = page * pageSize; i < (page + 1) * pageSize; i++) {
      const sign = i % 2 === 0 ? 1 : -1;
      trace.keys[i * 2] = sign * a;
      trace.keys[i * 2 + 1] = -sign * a;
    }
  }
  const needle = decoyPages * pageSize + 3;
  trace.keys[needle * 2] = b;
  trace.keys[needle * 2 + 1] = b;
  trace.queries[0] = 1;
  trace.queries[1] = 1;
  return { trace, budget: p.pages * pageSize + 1, observeSteps: 0 };
}

/**
 * HShare and DoubleSparsity (d = 8, r = 2 proxy channels): the query is large on channels 0 and
 * 1, where `decoys` keys have small entries x; the needle lives in channel 2 where the query is
 * small. Proxy scores rank every decoy above the needle (proxy 0); calibration |q_c|·mean|k_c|
 * favours channels 0 and 1 because decoys outnumber the needle's logit.
 */
export function channelCase(p: { budget: number; extra: number; margin: number }): BiasCase {
  const d = 8;
  const budget = Math.max(8, p.budget);
  const x = 0.05;
  const decoyLogit = 20 * x; // q = (10, 10, 1, 0 …), decoy key (x, x, 0 …)
  const decoys = budget + p.extra + 8;
  const positions0 = decoys + 2 * budget + 16;
  const L = needleLogit(positions0, decoyLogit, p.margin);
  const decoyCount = Math.max(decoys, Math.ceil(L / (10 * x)) * 4);
  const positions = decoyCount + 2 * budget + 16;
  const trace = blankTrace(positions, 1, d);
  for (let i = 4; i < 4 + decoyCount; i++) {
    trace.keys[i * d] = x;
    trace.keys[i * d + 1] = x;
  }
  const needle = 4 + decoyCount + 2;
  trace.keys[needle * d + 2] = needleLogit(positions, decoyLogit, p.margin);
  trace.queries[0] = 10;
  trace.queries[1] = 10;
  trace.queries[2] = 1;
  return { trace, budget, observeSteps: 0 };
}
