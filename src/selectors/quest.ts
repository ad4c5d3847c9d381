/**
 * Quest: per page of keys, the per-dimension min/max bound U_P = s·Σ_c max(q_c·min_c, q_c·max_c)
 * ≥ every logit of the page; keep the partial last page and the full pages with the largest U_P,
 * at a fixed page budget of ⌊(B − |last page|)/page size⌋ pages. Re-selects every step from page
 * metadata only (no key is scored).
 */
import { pageLogitUpperBound } from '../core/certifiedDroppedMass.js';
import { addTopScores, IndexSetBuilder } from './indexSetBuilder.js';
import { PageCache } from './pageCache.js';
import { BYTES_PER_ELEMENT, resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export class QuestSelector implements Selector {
  readonly name = 'quest';
  private cache: PageCache | undefined;
  private bounds = new Float64Array(0);
  private query = new Float64Array(0);
  private pageBuilder = new IndexSetBuilder(0);
  private pageSelection = { indices: new Int32Array(0), size: 0, keysScored: 0, metadataBytes: 0, retrieved: false };
  private heap = new Int32Array(0);
  constructor(
    readonly budget: number,
    readonly pageSize = 16,
  ) {}
  begin(trace: Trace): void {
    this.cache = new PageCache(trace, this.pageSize);
    const pages = Math.ceil(trace.positions / this.pageSize);
    this.bounds = new Float64Array(pages);
    this.query = new Float64Array(trace.headDim);
    this.pageBuilder = new IndexSetBuilder(pages);
    this.pageSelection = { indices: new Int32Array(pages), size: 0, keysScored: 0, metadataBytes: 0, retrieved: false };
    this.heap = new Int32Array(pages);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const trace = view.trace;
    const summaries = this.cache!.summaries(view.layer, view.kvHead, view.length);
    const full = summaries.length;
    for (let c = 0; c < trace.headDim; c++) this.query[c] = trace.queries[view.queryOffset + c]!;
    for (let p = 0; p < full; p++)
      this.bounds[p] = pageLogitUpperBound(this.query, summaries[p]!, trace.scale, 'minmax');
    const partialStart = full * this.pageSize;
    const partial = view.length - partialStart;
    const pageBudget = Math.max(0, Math.floor((this.budget - partial) / this.pageSize));
    this.pageBuilder.start(this.pageSelection, pageBudget);
    addTopScores(this.pageBuilder, this.bounds, full, pageBudget, this.heap);
    for (let i = partialStart; i < view.length && out.size < this.budget; i++) out.indices[out.size++] = i;
    for (let j = 0; j < this.pageSelection.size; j++) {
      const start = this.pageSelection.indices[j]! * this.pageSize;
      for (let i = start; i < start + this.pageSize; i++) out.indices[out.size++] = i;
    }
    out.metadataBytes = full * 2 * trace.headDim * BYTES_PER_ELEMENT;
    out.retrieved = true;
  }
}
