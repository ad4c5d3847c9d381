/** A tiny single-layer trace whose queries a test writes step by step, and a driver for one head-step. */
import { attentionLogits } from '../../src/core/index.js';
import { createSelection, type HeadStep, type Selection, type Selector } from '../../src/selectors/selector.js';
import { keyOffset, kvHeadOf, queryOffset, valueOffset, visibleLength, type Trace } from '../../src/traces/trace.js';
import { ansiCLcg } from '../../src/random/index.js';

export function writableTrace(options: {
  heads: number;
  prefix: number;
  steps: number;
  d: number;
  seed: number;
}): Trace {
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
  const K = {
    data: Float64Array.from(trace.keys.subarray(ko, ko + length * trace.headDim)),
    rows: length,
    columns: trace.headDim,
  };
  const qo = queryOffset(trace, 0, step, head);
  const logits = attentionLogits(Array.from(trace.queries.subarray(qo, qo + trace.headDim)), K, trace.scale);
  return {
    trace,
    step,
    layer: 0,
    head,
    kvHead: kv,
    length,
    queryOffset: qo,
    keyOffset: ko,
    valueOffset: valueOffset(trace, 0, kv),
    logits,
  };
}

export function runSelect(selector: Selector, view: HeadStep): Selection {
  const out = createSelection(view.trace.positions);
  selector.select(view, out);
  return out;
}

export function setOf(selection: Selection): Set<number> {
  return new Set(Array.from(selection.indices.subarray(0, selection.size)));
}

/** The shape of a hand-made trace; `keys[layer][kvHead][position]` and `queries[layer][step][head]` are rows of length d. */
export interface HandTraceSpec {
  readonly keys: readonly (readonly (readonly (readonly number[])[])[])[];
  readonly queries: readonly (readonly (readonly (readonly number[])[])[])[];
  readonly scale?: number;
}

/** A trace with every key and query written by the test (values are zero: selectors never read them). */
export function handTrace(spec: HandTraceSpec): Trace {
  const layers = spec.keys.length;
  const kvHeads = spec.keys[0]!.length;
  const positions = spec.keys[0]![0]!.length;
  const headDim = spec.keys[0]![0]![0]!.length;
  const steps = spec.queries[0]!.length;
  const queryHeads = spec.queries[0]![0]!.length;
  return {
    layers,
    steps,
    queryHeads,
    kvHeads,
    positions,
    headDim,
    valueDim: 1,
    queries: Float32Array.from(spec.queries.flat(3)),
    keys: Float32Array.from(spec.keys.flat(3)),
    values: new Float32Array(layers * kvHeads * positions),
    scale: spec.scale ?? 1 / Math.sqrt(headDim),
  };
}

/** The head-step (layer, step, head) of any trace, with its exact logits, as the simulator presents it. */
export function headStepAt(trace: Trace, layer: number, step: number, head: number): HeadStep {
  const length = visibleLength(trace, step);
  const kv = kvHeadOf(trace, head);
  const ko = keyOffset(trace, layer, kv);
  const K = {
    data: Float64Array.from(trace.keys.subarray(ko, ko + length * trace.headDim)),
    rows: length,
    columns: trace.headDim,
  };
  const qo = queryOffset(trace, layer, step, head);
  const logits = attentionLogits(Array.from(trace.queries.subarray(qo, qo + trace.headDim)), K, trace.scale);
  return {
    trace,
    step,
    layer,
    head,
    kvHead: kv,
    length,
    queryOffset: qo,
    keyOffset: ko,
    valueOffset: valueOffset(trace, layer, kv),
    logits,
  };
}

/** The kept positions of a selection, ascending. */
export function sortedKept(selection: Selection): number[] {
  return Array.from(selection.indices.subarray(0, selection.size)).sort((a, b) => a - b);
}

/** A deterministic pseudo-random sequence in [−1, 1) (src/random's ansiCLcg, stretched). */
export function lcg(seed: number): () => number {
  const uniform = ansiCLcg(seed);
  return () => uniform() * 2 - 1;
}

/** A random trace of the given shape with entries from lcg(seed) (rounded to float32). */
export function randomTrace(shape: {
  layers: number;
  queryHeads: number;
  kvHeads: number;
  prefix: number;
  steps: number;
  d: number;
  seed: number;
  scale?: number;
}): Trace {
  const next = lcg(shape.seed);
  const positions = shape.prefix + shape.steps;
  const { layers, kvHeads, queryHeads, steps, d } = shape;
  return {
    layers,
    steps,
    queryHeads,
    kvHeads,
    positions,
    headDim: d,
    valueDim: 1,
    queries: Float32Array.from({ length: layers * steps * queryHeads * d }, next),
    keys: Float32Array.from({ length: layers * kvHeads * positions * d }, next),
    values: new Float32Array(layers * kvHeads * positions),
    scale: shape.scale ?? 1 / Math.sqrt(d),
  };
}
