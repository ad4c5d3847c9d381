/**
 * A prhs selector (src/selectors: oracle, CIS, PSAW, ETF, H2O, Quest, …) inside the decode loop.
 * Each sequence gets its own selector and a live trace (src/traces/trace.ts) that this policy
 * fills as the model runs: the post-RoPE query of every head at every decode step and the key and
 * value of every position, rounded to fp32 as a trace stores them. At each (position, layer) the
 * selector sees exactly what it would see when simulating that trace offline: the visible cache,
 * the query, the exact float64 logits; posterior selectors observe the weights actually used.
 *
 * Positions before `decodeFrom` are the prompt: attended densely. The last `observeSteps` of them
 * are shown to the selectors through observe() as dense steps (as `prhs simulate` does), so H2O,
 * SnapKV and DoubleSparsity start warm. From `decodeFrom` on, every head attends over the
 * selector's kept set, and each head-step's dropped mass δ (float64, from the trace's values) and
 * costs are recorded.
 */
import { logitsUnchecked } from '../../core/attention.js';
import { droppedMassFromLogitsUnchecked } from '../../core/droppedMass.js';
import { InvalidArgumentError } from '../../core/errors.js';
import { softmaxUnchecked } from '../../core/softmax.js';
import { sparseWeightsUnchecked } from '../../core/sparseAttention.js';
import { createSelection, type HeadStep, type Selection, type Selector } from '../../selectors/selector.js';
import { keyOffset, kvHeadOf, queryOffset, valueOffset, type Trace } from '../../traces/trace.js';
import type { ModelConfig } from '../config.js';
import type { KeptLists, SelectionPolicy, SelectionRequest } from '../decoder.js';
import { attentionScale } from '../numerics/roundedNumerics.js';

export interface SelectorPolicyOptions {
  readonly config: ModelConfig;
  /** One selector per sequence (selectors keep per-trace state); null records the trace and keeps every position. */
  readonly createSelector: (() => Selector) | null;
  readonly sequences: number;
  /** Most positions per sequence. */
  readonly capacity: number;
  /** First position attended sparsely (the prompt length). */
  readonly decodeFrom: number;
  /** Prompt positions before decodeFrom shown to the selector as dense steps (default min(4, decodeFrom − 1)). */
  readonly observeSteps?: number;
}

/** What the sparse head-steps cost and lost, in decode order. */
export interface SelectionStats {
  /** Dropped mass δ of each recorded head-step (index ((step·sequences + b)·L + ℓ)·Hq + h in order of recording). */
  readonly delta: number[];
  readonly keptSize: number[];
  readonly keysScored: number[];
  readonly retrieved: number[];
}

type MutableHeadStep = { -readonly [K in keyof HeadStep]: HeadStep[K] };

export class SelectorPolicy implements SelectionPolicy {
  readonly stats: SelectionStats = { delta: [], keptSize: [], keysScored: [], retrieved: [] };
  readonly traces: Trace[];
  private readonly selectors: Selector[] | null;
  private readonly prefix: number;
  private readonly selection: Selection;
  private readonly scale: number;

  constructor(private readonly options: SelectorPolicyOptions) {
    const { config, sequences, capacity, decodeFrom } = options;
    const observe = options.observeSteps ?? Math.min(4, Math.max(0, decodeFrom - 1));
    if (!Number.isInteger(decodeFrom) || decodeFrom < 1 || decodeFrom >= capacity) {
      throw new InvalidArgumentError(
        'decodeFrom',
        `an integer in [1, ${capacity - 1}] (the prompt length)`,
        String(decodeFrom),
        'range',
      );
    }
    if (!Number.isInteger(observe) || observe < 0 || observe > decodeFrom - 1)
      throw new InvalidArgumentError('observeSteps', `an integer in [0, ${decodeFrom - 1}]`, String(observe), 'range');
    this.prefix = decodeFrom - observe;
    this.scale = attentionScale(config);
    const shape = {
      layers: config.layers,
      steps: capacity - this.prefix,
      queryHeads: config.queryHeads,
      kvHeads: config.kvHeads,
      positions: capacity,
      headDim: config.headDim,
      valueDim: config.headDim,
    };
    this.traces = Array.from({ length: sequences }, () => ({
      ...shape,
      scale: this.scale,
      queries: new Float32Array(shape.layers * shape.steps * shape.queryHeads * shape.headDim),
      keys: new Float32Array(shape.layers * shape.kvHeads * capacity * shape.headDim),
      values: new Float32Array(shape.layers * shape.kvHeads * capacity * shape.headDim),
    }));
    const create = options.createSelector;
    this.selectors =
      create === null
        ? null
        : this.traces.map((trace) => {
            const selector = create();
            selector.begin(trace);
            return selector;
          });
    this.selection = createSelection(this.selectors === null ? 0 : this.selectors[0]!.budget + 1);
  }

  select(request: SelectionRequest): KeptLists | null {
    const { layer, sequence, position } = request;
    const trace = this.traces[sequence]!;
    this.record(trace, request);
    if (position < this.prefix || this.selectors === null) return null;
    const step = position - this.prefix;
    const sparse = position >= this.options.decodeFrom;
    const selector = this.selectors[sequence]!;
    const { queryHeads: Hq, headDim: d } = trace;
    const budget = selector.budget;
    const indices = new Int32Array(Hq * budget).fill(-1);
    const view = this.view(trace, step, layer, position + 1);
    let keys = new Float64Array(0);
    for (let h = 0; h < Hq; h++) {
      view.head = h;
      const kvHead = kvHeadOf(trace, h);
      if (h === 0 || kvHead !== view.kvHead) {
        // The float64 copy of this KV head's visible keys serves every query head of its group.
        keys = Float64Array.from(
          trace.keys.subarray(keyOffset(trace, layer, kvHead), keyOffset(trace, layer, kvHead) + view.length * d),
        );
      }
      view.kvHead = kvHead;
      view.queryOffset = queryOffset(trace, layer, step, h);
      view.keyOffset = keyOffset(trace, layer, kvHead);
      view.valueOffset = valueOffset(trace, layer, kvHead);
      view.logits = logitsUnchecked(
        Float64Array.from(trace.queries.subarray(view.queryOffset, view.queryOffset + d)),
        0,
        keys,
        0,
        view.length,
        d,
        trace.scale,
      );
      if (!sparse) {
        selector.observe?.(view, softmaxUnchecked(view.logits), true);
        continue;
      }
      selector.select(view, this.selection);
      // Position order: a set's attention does not depend on it, and with every position kept the
      // sparse step then sums in the dense step's order (equal bit for bit).
      const kept = this.selection.indices.subarray(0, this.selection.size).sort();
      indices.set(kept, h * budget);
      selector.observe?.(view, sparseWeightsUnchecked(view.logits, kept), false);
      const keepMask = new Uint8Array(view.length);
      for (const i of kept) keepMask[i] = 1;
      this.stats.delta.push(droppedMassFromLogitsUnchecked(view.logits, keepMask));
      this.stats.keptSize.push(kept.length);
      this.stats.keysScored.push(this.selection.keysScored);
      this.stats.retrieved.push(this.selection.retrieved ? 1 : 0);
    }
    return sparse ? { indices, selected: budget } : null;
  }

  private record(trace: Trace, request: SelectionRequest): void {
    const { layer, position, query, key, value } = request;
    const { headDim: d, kvHeads } = trace;
    for (let h = 0; h < kvHeads; h++) {
      trace.keys.set(key.subarray(h * d, (h + 1) * d), keyOffset(trace, layer, h) + position * d);
      trace.values.set(value.subarray(h * d, (h + 1) * d), valueOffset(trace, layer, h) + position * d);
    }
    if (position >= this.prefix) trace.queries.set(query, queryOffset(trace, layer, position - this.prefix, 0));
  }

  private view(trace: Trace, step: number, layer: number, length: number): MutableHeadStep {
    return {
      trace,
      step,
      layer,
      head: 0,
      kvHead: 0,
      length,
      queryOffset: 0,
      keyOffset: 0,
      valueOffset: 0,
      logits: new Float64Array(0),
    };
  }
}
