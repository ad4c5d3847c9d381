/** Oracle top-k: the B largest exact logits (ties to the lower index). Optimal δ for |S| = B. */
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export class OracleSelector implements Selector {
  readonly name = 'oracle';
  private builder = new IndexSetBuilder(0);
  private heap: Int32Array;
  constructor(readonly budget: number) {
    this.heap = new Int32Array(budget);
  }
  begin(trace: Trace): void {
    this.builder = new IndexSetBuilder(trace.positions);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    this.builder.start(out, this.budget);
    addTopScores(this.builder, view.logits, view.length, this.budget, this.heap);
    out.keysScored = view.length;
    out.retrieved = true;
  }
}
