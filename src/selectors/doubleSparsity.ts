/**
 * DoubleSparsity: an offline-calibrated channel subset per (layer, KV head), the r channels with
 * the largest Σ |q_c|·mean_i |k_ic| over the calibration queries (the observation steps; the
 * first decode query when there are none), then every step the B best proxy scores on those
 * channels. Posterior: the calibration decides which channels can ever matter.
 */
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { proxyScores, topChannels } from './channelProxy.js';
import { BYTES_PER_ELEMENT, resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import { keyOffset, type Trace } from '../traces/trace.js';

export class DoubleSparsitySelector implements Selector {
  readonly name = 'doublesparsity';
  private channelCount = 2;
  private importance = new Float64Array(0);
  private channels = new Int32Array(0);
  private calibrated = new Uint8Array(0);
  private kvHeads = 0;
  private headDim = 0;
  private scores = new Float64Array(0);
  private builder = new IndexSetBuilder(0);
  private heap: Int32Array;
  constructor(
    readonly budget: number,
    private readonly channelOption?: number,
  ) {
    this.heap = new Int32Array(budget);
  }
  begin(trace: Trace): void {
    this.channelCount = this.channelOption ?? Math.max(2, Math.floor(trace.headDim / 8));
    const slots = trace.layers * trace.kvHeads;
    this.kvHeads = trace.kvHeads;
    this.headDim = trace.headDim;
    this.importance = new Float64Array(slots * trace.headDim);
    this.channels = new Int32Array(slots * this.channelCount);
    this.calibrated = new Uint8Array(slots);
    this.scores = new Float64Array(trace.positions);
    this.builder = new IndexSetBuilder(trace.positions);
  }
  private accumulate(view: HeadStep): void {
    const trace = view.trace;
    const d = this.headDim;
    const slot = view.layer * this.kvHeads + view.kvHead;
    const base = keyOffset(trace, view.layer, view.kvHead);
    for (let c = 0; c < d; c++) {
      let mean = 0;
      for (let i = 0; i < view.length; i++) mean += Math.abs(trace.keys[base + i * d + c]!);
      this.importance[slot * d + c]! += (Math.abs(trace.queries[view.queryOffset + c]!) * mean) / view.length;
    }
  }
  observe(view: HeadStep, _weights: Float64Array, dense: boolean): void {
    if (dense) this.accumulate(view);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const trace = view.trace;
    const slot = view.layer * this.kvHeads + view.kvHead;
    const r = this.channelCount;
    if (!this.calibrated[slot]) {
      let any = false;
      for (let c = 0; c < this.headDim; c++) if (this.importance[slot * this.headDim + c]! > 0) any = true;
      if (!any) this.accumulate(view);
      topChannels(
        this.importance.subarray(slot * this.headDim, (slot + 1) * this.headDim),
        r,
        this.channels.subarray(slot * r, (slot + 1) * r),
      );
      this.calibrated[slot] = 1;
    }
    const channels = this.channels.subarray(slot * r, (slot + 1) * r);
    const count = Math.min(r, this.headDim);
    proxyScores(
      trace,
      view.queryOffset,
      keyOffset(trace, view.layer, view.kvHead),
      view.length,
      channels,
      count,
      this.scores,
    );
    this.builder.start(out, this.budget);
    addTopScores(this.builder, this.scores, view.length, this.budget, this.heap);
    out.metadataBytes = view.length * count * BYTES_PER_ELEMENT;
    out.retrieved = true;
  }
}
