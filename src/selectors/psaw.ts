/**
 * PrHS PSAW (depth): at layer ℓ the P_ℓ(t) oldest non-sink tokens are pruned from the candidate
 * pool (src/selectors/schedule.ts); the sinks are always kept. The kept set is the B best exact
 * logits within the pool, so the pool shrinks what has to be scored and δ − δ* measures what
 * pruning costs.
 */
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { scheduleCountUnchecked, checkSchedule, type DepthSchedule } from './schedule.js';
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export interface PsawConstraints {
  /** φ (default 0.5), α (default 1), ℓ_s (default ⌊L/4⌋), sinks kept (default 4). */
  readonly base?: number;
  readonly rate?: number;
  readonly startLayer?: number;
  readonly sinks?: number;
}

/** The PSAW candidate pool at a layer: sinks ∪ [sinks + P, t). Returns the first unpruned position. */
export function psawPoolStart(schedule: DepthSchedule, layer: number, tokens: number, sinks: number): number {
  const keptSinks = Math.min(sinks, tokens);
  const pruned = Math.min(scheduleCountUnchecked(schedule, layer, tokens), tokens - keptSinks);
  return keptSinks + pruned;
}

export class PsawSelector implements Selector {
  readonly name = 'psaw';
  readonly sinks: number;
  private schedule: DepthSchedule | undefined;
  private builder = new IndexSetBuilder(0);
  private heap: Int32Array;
  constructor(
    readonly budget: number,
    private readonly options: PsawConstraints = {},
  ) {
    this.sinks = options.sinks ?? 4;
    this.heap = new Int32Array(budget);
  }
  begin(trace: Trace): void {
    this.schedule = checkSchedule({
      layers: trace.layers,
      startLayer: Math.min(trace.layers - 1, this.options.startLayer ?? Math.floor(trace.layers / 4)),
      base: this.options.base ?? 0.5,
      rate: this.options.rate ?? 1,
    });
    this.builder = new IndexSetBuilder(trace.positions);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const start = psawPoolStart(this.schedule!, view.layer, view.length, this.sinks);
    const keptSinks = Math.min(this.sinks, view.length);
    this.builder.start(out, this.budget);
    this.builder.addRange(0, keptSinks);
    addTopScores(this.builder, view.logits, view.length, this.budget - out.size, this.heap, (i) => i >= start);
    out.keysScored = view.length - start + keptSinks;
    out.retrieved = true;
  }
}
