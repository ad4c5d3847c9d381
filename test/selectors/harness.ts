/** A tiny single-layer trace whose queries a test writes step by step, and a driver for one head-step. */
import { attentionLogits } from '../../src/core/index.js';
import { createSelection, type HeadStep, type Selection, type Selector } from '../../src/selectors/selector.js';
import { keyOffset, kvHeadOf, queryOffset, valueOffset, visibleLength, type Trace } from '../../src/traces/trace.js';
import { ansiCLcg } from '../../src/random/index.js';

export function writableTrace(options: { heads: number; prefix: number; steps: number; d: number; seed: number }): Trace {
  const { heads, prefix, steps, d } = options;
  const uniform = ansiCLcg(options.seed);
  const next = () => uniform() * 2 - 1;
  const positions = prefix + steps;
  return {
    layers: 1,
    steps,
    queryHeads: heads,
    kvHeads: 1,
    positions,
    headDim: d,
    valueDim: 1,
    queries: new Float32Array(steps * heads * d),
    keys: Float32Array.from({ length: positions * d }, next),
    values: Float32Array.from({ length: positions }, next),
    scale: 1 / Math.sqrt(d),
  };
}

export function headStep(trace: Trace, step: number, head: number): HeadStep {
  const length = visibleLength(trace, step);
  const kv = kvHeadOf(trace, head);
  const ko = keyOffset(trace, 0, kv);
  const K = { data: Float64Array.from(trace.keys.subarray(ko, ko + length * trace.headDim)), rows: length, columns: trace.headDim };
  const qo = queryOffset(trace, 0, step, head);
  const logits = attentionLogits(Array.from(trace.queries.subarray(qo, qo + trace.headDim)), K, trace.scale);
  return { trace, step, layer: 0, head, kvHead: kv, length, queryOffset: qo, keyOffset: ko, valueOffset: valueOffset(trace, 0, kv), logits };
}

export function runSelect(selector: Selector, view: HeadStep): Selection {
  const out = createSelection(view.trace.positions);
  selector.select(view, out);
  return out;
}

export function setOf(selection: Selection): Set<number> {
  return new Set(Array.from(selection.indices.subarray(0, selection.size)));
}
