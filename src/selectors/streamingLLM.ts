/** StreamingLLM: the first `sinks` positions plus the most recent ones, B in all. Scores nothing. */
import { IndexSetBuilder } from './indexSetBuilder.js';
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export class StreamingLLMSelector implements Selector {
  readonly name = 'streamingllm';
  private builder = new IndexSetBuilder(0);
  constructor(
    readonly budget: number,
    readonly sinks = 4,
  ) {}
  begin(trace: Trace): void {
    this.builder = new IndexSetBuilder(trace.positions);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    this.builder.start(out, this.budget);
    this.builder.addRange(0, Math.min(this.sinks, view.length));
    this.builder.fillRecent(view.length);
  }
}
