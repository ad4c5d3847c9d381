/**
 * HShare: critical tokens chosen from proxy scores on the r channels with the largest |q_c|, plus
 * sinks and a recent window, and shared hierarchically: one selection per KV group (computed by
 * the first head that asks), per pair of layers, reused for 2 steps. Posterior: a head, layer or
 * step that needs something else gets its neighbour's set.
 */
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { proxyScores, topChannels } from './channelProxy.js';
import { BYTES_PER_ELEMENT, resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import { keyOffset, type Trace } from '../traces/trace.js';

export interface HShareConstraints {
  /** Proxy channels r (default max(2, ⌊d/8⌋)), sinks (default 4), recent window (default ⌊B/8⌋), reuse period in steps (default 2), layers per shared set (default 2). */
  readonly channels?: number;
  readonly sinks?: number;
  readonly window?: number;
  readonly period?: number;
  readonly layerGroup?: number;
}

export class HShareSelector implements Selector {
  readonly name = 'hshare';
  readonly sinks: number;
  readonly window: number;
  readonly period: number;
  readonly layerGroup: number;
  private channelCount = 2;
  private channels = new Int32Array(0);
  private kvHeads = 0;
  private shared = new Int32Array(0);
  private sharedSize = new Int32Array(0);
  private sharedStep = new Int32Array(0);
  private scores = new Float64Array(0);
  private query = new Float64Array(0);
  private builder = new IndexSetBuilder(0);
  private heap: Int32Array;
  constructor(
    readonly budget: number,
    private readonly options: HShareConstraints = {},
  ) {
    this.sinks = options.sinks ?? 4;
    this.window = options.window ?? Math.floor(budget / 8);
    this.period = options.period ?? 2;
    this.layerGroup = options.layerGroup ?? 2;
    this.heap = new Int32Array(budget);
  }
  begin(trace: Trace): void {
    this.channelCount = this.options.channels ?? Math.max(2, Math.floor(trace.headDim / 8));
    this.channels = new Int32Array(this.channelCount);
    this.kvHeads = trace.kvHeads;
    const slots = Math.ceil(trace.layers / this.layerGroup) * trace.kvHeads;
    this.shared = new Int32Array(slots * this.budget);
    this.sharedSize = new Int32Array(slots);
    this.sharedStep = new Int32Array(slots).fill(-1);
    this.scores = new Float64Array(trace.positions);
    this.query = new Float64Array(trace.headDim);
    this.builder = new IndexSetBuilder(trace.positions);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const trace = view.trace;
    const slot = Math.floor(view.layer / this.layerGroup) * this.kvHeads + view.kvHead;
    const last = this.sharedStep[slot]!;
    if (last < 0 || view.step - last >= this.period) {
      for (let c = 0; c < trace.headDim; c++) this.query[c] = trace.queries[view.queryOffset + c]!;
      const count = topChannels(this.query, this.channelCount, this.channels);
      proxyScores(
        trace,
        view.queryOffset,
        keyOffset(trace, view.layer, view.kvHead),
        view.length,
        this.channels,
        count,
        this.scores,
      );
      this.builder.start(out, this.budget);
      this.builder.addRange(0, Math.min(this.sinks, view.length));
      this.builder.addRange(view.length - Math.min(this.window, view.length), view.length);
      addTopScores(this.builder, this.scores, view.length, this.budget - out.size, this.heap);
      this.shared.set(out.indices.subarray(0, out.size), slot * this.budget);
      this.sharedSize[slot] = out.size;
      this.sharedStep[slot] = view.step;
      out.metadataBytes = view.length * count * BYTES_PER_ELEMENT;
      out.retrieved = true;
      return;
    }
    this.builder.start(out, this.budget);
    this.builder.addRange(view.length - Math.min(this.window, view.length), view.length);
    const size = this.sharedSize[slot]!;
    for (let j = 0; j < size; j++) {
      const p = this.shared[slot * this.budget + j]!;
      if (p < view.length) this.builder.add(p);
    }
    this.builder.fillRecent(view.length);
  }
}
