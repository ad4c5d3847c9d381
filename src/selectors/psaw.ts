/**
 * PrHS PSAW (depth): at layer ℓ the P_ℓ(t) oldest non-sink tokens are pruned from the candidate
 * pool (src/selectors/schedule.ts); the sinks are always kept. The kept set is the B best exact
 * logits within the pool, so the pool shrinks what has to be scored and δ − δ* measures what
 * pruning costs.
 */
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { scheduleCountUnchecked, scheduleForLayers, type DepthSchedule, type ScheduleConstraints } from './schedule.js';
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

/** PSAW's schedule (φ = base, α = rate, ℓ_s) plus the sink tokens it always keeps (default 4). */
export interface PsawConstraints extends ScheduleConstraints {
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
    this.schedule = scheduleForLayers(trace.layers, this.options);
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
