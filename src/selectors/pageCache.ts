/**
 * Per-page key summaries of a trace (Quest's per-dimension min/max and a bounding ball), built
 * with the reference's pageSummaries as pages fill up during decoding and kept per (layer, KV
 * head). Only complete pages are summarised; the partial last page holds the newest keys, which
 * every page-based selector keeps (and reads exactly).
 */
import { pageSummaries, type PageSummary } from '../core/certifiedDroppedMass.js';
import { keyOffset, type Trace } from '../traces/trace.js';

export class PageCache {
  private readonly pages: PageSummary[][];
  constructor(
    readonly trace: Trace,
    readonly pageSize: number,
  ) {
    this.pages = Array.from({ length: trace.layers * trace.kvHeads }, () => []);
  }

  /** Complete pages among the first `length` positions. */
  completePages(length: number): number {
    return Math.floor(length / this.pageSize);
  }

  /** The summaries of the complete pages of a (layer, KV head) among the first `length` positions. */
  summaries(layer: number, kvHead: number, length: number): readonly PageSummary[] {
    const list = this.pages[layer * this.trace.kvHeads + kvHead]!;
    const want = this.completePages(length);
    const d = this.trace.headDim;
    const base = keyOffset(this.trace, layer, kvHead);
    while (list.length < want) {
      const start = list.length * this.pageSize;
      const data = Float64Array.from(this.trace.keys.subarray(base + start * d, base + (start + this.pageSize) * d));
      const [summary] = pageSummaries({ data, rows: this.pageSize, columns: d }, this.pageSize);
      list.push({ ...summary!, start, end: start + this.pageSize });
    }
    return list;
  }
}
