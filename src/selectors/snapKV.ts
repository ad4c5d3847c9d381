/**
 * SnapKV: after the prompt, each head votes with the attention of its observation window (the
 * observation steps the driver shows it densely), the votes are average-pooled over a kernel of
 * neighbouring positions, and the best-voted prompt positions are kept for the rest of decoding
 * together with the most recent ⌊B/8⌋ (at least one) positions. Posterior: the choice is fixed
 * once, by queries that came before.
 */
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export class SnapKVSelector implements Selector {
  readonly name = 'snapkv';
  readonly recent: number;
  private positions = 0;
  private queryHeads = 0;
  private votes = new Float64Array(0);
  private pooled = new Float64Array(0);
  /** Chosen prompt positions per head (budget − recent of them), fixed at the first decode step. */
  private chosen = new Int32Array(0);
  private chosenCount = new Int32Array(0);
  private builder = new IndexSetBuilder(0);
  private heap: Int32Array;
  constructor(
    readonly budget: number,
    readonly kernel = 7,
  ) {
    this.recent = Math.max(1, Math.floor(budget / 8));
    this.heap = new Int32Array(budget);
  }
  begin(trace: Trace): void {
    const heads = trace.layers * trace.queryHeads;
    this.positions = trace.positions;
    this.queryHeads = trace.queryHeads;
    this.votes = new Float64Array(heads * trace.positions);
    this.pooled = new Float64Array(trace.positions);
    this.chosen = new Int32Array(heads * this.budget);
    this.chosenCount = new Int32Array(heads).fill(-1);
    this.builder = new IndexSetBuilder(trace.positions);
  }
  observe(view: HeadStep, weights: Float64Array, dense: boolean): void {
    if (!dense) return;
    const base = (view.layer * this.queryHeads + view.head) * this.positions;
    for (let i = 0; i < view.length; i++) this.votes[base + i]! += weights[i]!;
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const slot = view.layer * this.queryHeads + view.head;
    const room = Math.max(0, this.budget - this.recent);
    if (this.chosenCount[slot]! < 0) {
      // Compress once: pool the votes, keep the best `room` positions older than the recent window.
      const base = slot * this.positions;
      const half = Math.floor(this.kernel / 2);
      const prompt = Math.max(0, view.length - this.recent);
      for (let i = 0; i < prompt; i++) {
        let sum = 0;
        let count = 0;
        for (let j = Math.max(0, i - half); j <= Math.min(prompt - 1, i + half); j++) {
          sum += this.votes[base + j]!;
          count++;
        }
        this.pooled[i] = sum / count;
      }
      this.builder.start(out, room);
      addTopScores(this.builder, this.pooled, prompt, room, this.heap);
      this.chosen.set(out.indices.subarray(0, out.size), slot * this.budget);
      this.chosenCount[slot] = out.size;
      out.retrieved = true;
    }
    this.builder.start(out, this.budget);
    const count = this.chosenCount[slot]!;
    for (let j = 0; j < count; j++) this.builder.add(this.chosen[slot * this.budget + j]!);
    this.builder.fillRecent(view.length);
  }
}
