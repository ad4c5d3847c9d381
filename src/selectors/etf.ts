/**
 * PrHS ETF (early token freezing across layers): at layer ℓ the E_ℓ(t) earliest tokens are
 * frozen, their keys taken from the layer where they froze, f(j) = min{ℓ′ ≥ ℓ_s : j < E_ℓ′(t)}.
 * The selector ranks positions by these (partly stale) logits and keeps the B best; δ is then
 * measured with the true logits, so δ − δ* is the cost of freezing. theory/etf.md bounds the
 * logit perturbation: |z̃_j − z_j| ≤ |s|·‖q‖·‖k_j^{(f)} − k_j^{(ℓ)}‖.
 */
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { scheduleCountUnchecked, scheduleForLayers, type DepthSchedule, type ScheduleConstraints } from './schedule.js';
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import { keyOffset, type Trace } from '../traces/trace.js';

/** ETF's schedule: ψ = base, γ = rate, ℓ_s = startLayer. */
export type EtfConstraints = ScheduleConstraints;

/** The layer whose key a frozen position j uses at layer ℓ (ℓ itself when j is not frozen). */
export function freezeLayer(schedule: DepthSchedule, layer: number, position: number, tokens: number): number {
  for (let l = schedule.startLayer; l < layer; l++)
    if (position < scheduleCountUnchecked(schedule, l, tokens)) return l;
  return layer;
}

export class EtfSelector implements Selector {
  readonly name = 'etf';
  private schedule: DepthSchedule | undefined;
  private builder = new IndexSetBuilder(0);
  private heap: Int32Array;
  private scores = new Float64Array(0);
  private counts = new Int32Array(0);
  constructor(
    readonly budget: number,
    private readonly options: EtfConstraints = {},
  ) {
    this.heap = new Int32Array(budget);
  }
  begin(trace: Trace): void {
    this.schedule = scheduleForLayers(trace.layers, this.options);
    this.builder = new IndexSetBuilder(trace.positions);
    this.scores = new Float64Array(trace.positions);
    this.counts = new Int32Array(trace.layers);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const schedule = this.schedule!;
    const trace = view.trace;
    const d = trace.headDim;
    for (let l = 0; l < trace.layers; l++) this.counts[l] = scheduleCountUnchecked(schedule, l, view.length);
    const frozen = this.counts[view.layer]!;
    this.scores.set(view.logits.subarray(0, view.length));
    // Positions frozen at layer l < ℓ (j < E_l) use layer l's key: walk the layers upwards.
    let done = 0;
    for (let l = schedule.startLayer; l < view.layer && done < frozen; l++) {
      const upto = Math.min(this.counts[l]!, frozen);
      const base = keyOffset(trace, l, view.kvHead);
      for (let j = done; j < upto; j++) {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += trace.queries[view.queryOffset + c]! * trace.keys[base + j * d + c]!;
        this.scores[j] = trace.scale * dot;
      }
      done = Math.max(done, upto);
    }
    this.builder.start(out, this.budget);
    addTopScores(this.builder, this.scores, view.length, this.budget, this.heap);
    out.keysScored = view.length;
    out.retrieved = true;
  }
}
