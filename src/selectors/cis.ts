/**
 * PrHS CIS (temporal query sharing). Per head, the kept set is sinks ∪ local window ∪ top
 * positions. At an anchor step the whole cache is scored exactly and the ranking of the best
 * positions is remembered. At a later step, if cos(q_t, q_anchor) > τ the anchor's ranking is
 * reused without scoring: its top m = ⌊k/3⌋ positions are dilated by ±r, then the rest of the
 * ranking fills the budget; otherwise the head re-anchors (a retrieval).
 *
 * Equal actual budget: the set always has exactly min(B, N_t) entries. Sinks, the window and the
 * dilation all count against B, so on reuse steps dilation displaces the lowest-ranked anchor
 * positions (theory/cis.md).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { topKUnchecked } from '../core/topK.js';
import { IndexSetBuilder } from './indexSetBuilder.js';
import { resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export interface CisConstraints {
  /** Cosine gate τ (default 0.8): reuse when cos(q_t, q_anchor) > τ. */
  readonly gate?: number;
  /** Sink positions always kept (default 4). */
  readonly sinks?: number;
  /** Local window of most recent positions always kept (default ⌊B/8⌋). */
  readonly window?: number;
  /** Dilated anchor positions m (default ⌊k/3⌋ with k = B − sinks − window) and radius r (default 1). */
  readonly dilated?: number;
  readonly radius?: number;
}

export class CisSelector implements Selector {
  readonly name = 'cis';
  readonly gate: number;
  readonly sinks: number;
  readonly window: number;
  readonly topK: number;
  readonly dilated: number;
  readonly radius: number;
  private builder = new IndexSetBuilder(0);
  private headDim = 0;
  private queryHeads = 0;
  private anchorQuery = new Float64Array(0);
  private anchorNorm = new Float64Array(0);
  private ranking = new Int32Array(0);
  private rankingSize = new Int32Array(0);
  /** Step of each head's current anchor, −1 when none (read by the model-based tests). */
  anchorStep = new Int32Array(0);

  constructor(
    readonly budget: number,
    options: CisConstraints = {},
  ) {
    this.gate = options.gate ?? 0.8;
    if (!(this.gate >= -1 && this.gate <= 1))
      throw new InvalidArgumentError('gate', 'a cosine in [-1, 1]', String(this.gate), 'range');
    this.sinks = options.sinks ?? 4;
    this.window = options.window ?? Math.floor(budget / 8);
    this.topK = Math.max(0, budget - this.sinks - this.window);
    this.dilated = options.dilated ?? Math.floor(this.topK / 3);
    this.radius = options.radius ?? 1;
  }

  begin(trace: Trace): void {
    const heads = trace.layers * trace.queryHeads;
    this.builder = new IndexSetBuilder(trace.positions);
    this.headDim = trace.headDim;
    this.queryHeads = trace.queryHeads;
    this.anchorQuery = new Float64Array(heads * trace.headDim);
    this.anchorNorm = new Float64Array(heads);
    this.ranking = new Int32Array(heads * this.budget);
    this.rankingSize = new Int32Array(heads);
    this.anchorStep = new Int32Array(heads).fill(-1);
  }

  /** cos(q_t, q_anchor) of a head; −Infinity when the head has no anchor yet. */
  anchorCosine(view: HeadStep): number {
    const slot = view.layer * this.queryHeads + view.head;
    if (this.anchorStep[slot]! < 0) return -Infinity;
    const q = view.trace.queries;
    const d = this.headDim;
    let dot = 0;
    let norm = 0;
    for (let c = 0; c < d; c++) {
      const x = q[view.queryOffset + c]!;
      dot += x * this.anchorQuery[slot * d + c]!;
      norm += x * x;
    }
    const denominator = Math.sqrt(norm) * this.anchorNorm[slot]!;
    return denominator === 0 ? -Infinity : dot / denominator;
  }

  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const slot = view.layer * this.queryHeads + view.head;
    const d = this.headDim;
    const B = this.budget;
    const reuse = this.anchorCosine(view) > this.gate;
    if (!reuse) {
      // Re-anchor: score everything, remember the query and the ranking of the best B positions.
      const ranked = topKUnchecked(view.logits.subarray(0, view.length), Math.min(B, view.length));
      this.ranking.set(ranked, slot * B);
      this.rankingSize[slot] = ranked.length;
      let norm = 0;
      for (let c = 0; c < d; c++) {
        const x = view.trace.queries[view.queryOffset + c]!;
        this.anchorQuery[slot * d + c] = x;
        norm += x * x;
      }
      this.anchorNorm[slot] = Math.sqrt(norm);
      this.anchorStep[slot] = view.step;
      out.keysScored = view.length;
      out.retrieved = true;
    }
    const builder = this.builder;
    builder.start(out, B);
    builder.addRange(0, Math.min(this.sinks, view.length));
    builder.addRange(view.length - Math.min(this.window, view.length), view.length);
    const base = slot * B;
    const size = this.rankingSize[slot]!;
    if (reuse) {
      for (let j = 0; j < Math.min(this.dilated, size) && !builder.full; j++) {
        const p = this.ranking[base + j]!;
        builder.add(p);
        for (let o = 1; o <= this.radius; o++) {
          if (p - o >= 0) builder.add(p - o);
          if (p + o < view.length) builder.add(p + o);
        }
      }
    }
    for (let j = 0; j < size && !builder.full; j++) builder.add(this.ranking[base + j]!);
    builder.fillRecent(view.length);
  }
}
