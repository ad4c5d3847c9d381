/**
 * H2O (heavy-hitter oracle): an eviction cache of B positions per head. Every position's
 * accumulated attention (the weights the model actually used, observed after each step) is its
 * score; the most recent ⌊B/2⌋ positions are protected; when a new token arrives and the cache
 * is full, the unprotected cached position with the lowest accumulated score (ties: the older)
 * is evicted, for good. Posterior: what was ignored early can never come back.
 */
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export class H2OSelector implements Selector {
  readonly name = 'h2o';
  readonly recent: number;
  private positions = 0;
  private queryHeads = 0;
  /** Accumulated attention per (layer, head, position). */
  scores = new Float64Array(0);
  /** 1 when cached, 2 when evicted, 0 when not seen yet, per (layer, head, position). */
  state = new Uint8Array(0);
  /** Whether a head's cache has been formed (after the observation steps). */
  private formed = new Uint8Array(0);
  private cachedCount = new Int32Array(0);
  constructor(readonly budget: number) {
    this.recent = Math.floor(budget / 2);
  }
  begin(trace: Trace): void {
    const heads = trace.layers * trace.queryHeads;
    this.positions = trace.positions;
    this.queryHeads = trace.queryHeads;
    this.scores = new Float64Array(heads * trace.positions);
    this.state = new Uint8Array(heads * trace.positions);
    this.formed = new Uint8Array(heads);
    this.cachedCount = new Int32Array(heads);
  }

  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const slot = view.layer * this.queryHeads + view.head;
    const base = slot * this.positions;
    const length = view.length;
    // Admit every position not seen yet (the prompt on first use, then the new token).
    for (let i = 0; i < length; i++) {
      if (this.state[base + i] === 0) {
        this.state[base + i] = 1;
        this.cachedCount[slot]!++;
      }
    }
    this.formed[slot] = 1;
    while (this.cachedCount[slot]! > this.budget) {
      let victim = -1;
      for (let i = 0; i < length - this.recent; i++) {
        if (this.state[base + i] !== 1) continue;
        if (victim < 0 || this.scores[base + i]! < this.scores[base + victim]!) victim = i;
      }
      if (victim < 0) break;
      this.state[base + victim] = 2;
      this.cachedCount[slot]!--;
    }
    for (let i = 0; i < length; i++) if (this.state[base + i] === 1) out.indices[out.size++] = i;
  }

  observe(view: HeadStep, weights: Float64Array): void {
    const base = (view.layer * this.queryHeads + view.head) * this.positions;
    for (let i = 0; i < view.length; i++) if (this.state[base + i] !== 2) this.scores[base + i]! += weights[i]!;
  }
}
