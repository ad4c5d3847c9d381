/**
 * Certified adaptive selector (ours): keep the partial last page (the newest keys), then add
 * complete pages in decreasing order of their logit upper bound U_P (the smaller of Quest's
 * min/max bound and the ball bound) until the certified dropped mass δ̂ ≤ ε or the next page
 * would exceed the budget B. Every step's δ̂ is a sound upper bound on δ (theory/certified.md).
 */
import { IndexSetBuilder } from './indexSetBuilder.js';
import { PageCache } from './pageCache.js';
import { CertifiedBoundWorkspace } from './certifiedBound.js';
import { BYTES_PER_ELEMENT, resetSelection, type HeadStep, type Selection, type Selector } from './selector.js';
import type { Trace } from '../traces/trace.js';

export class CertifiedSelector implements Selector {
  readonly name = 'certified';
  private cache: PageCache | undefined;
  private workspace: CertifiedBoundWorkspace | undefined;
  private order = new Int32Array(0);
  private builder = new IndexSetBuilder(0);
  constructor(
    readonly budget: number,
    readonly epsilon = 0.05,
    readonly pageSize = 16,
  ) {}
  begin(trace: Trace): void {
    this.cache = new PageCache(trace, this.pageSize);
    this.workspace = new CertifiedBoundWorkspace(trace.positions, trace.headDim, this.pageSize);
    this.order = new Int32Array(Math.ceil(trace.positions / this.pageSize));
    this.builder = new IndexSetBuilder(trace.positions);
  }
  select(view: HeadStep, out: Selection): void {
    resetSelection(out);
    const trace = view.trace;
    const ws = this.workspace!;
    for (let c = 0; c < trace.headDim; c++) ws.query[c] = trace.queries[view.queryOffset + c]!;
    const summaries = this.cache!.summaries(view.layer, view.kvHead, view.length);
    const pages = summaries.length;
    const bounds = ws.pageBounds(summaries, trace.scale, 'min');
    const partialStart = pages * this.pageSize;
    let reference = -Infinity;
    for (let p = 0; p < pages; p++) reference = Math.max(reference, bounds[p]!);
    for (let i = partialStart; i < view.length; i++) reference = Math.max(reference, view.logits[i]!);
    // Running (unrounded) δ̂ to decide when to stop; the reported δ̂ is recomputed soundly by the driver.
    let numerator = 0;
    for (let p = 0; p < pages; p++) numerator += this.pageSize * Math.exp(bounds[p]! - reference);
    let kept = 0;
    this.builder.start(out, this.budget);
    for (let i = partialStart; i < view.length && !this.builder.full; i++) {
      this.builder.add(i);
      kept += Math.exp(view.logits[i]! - reference);
    }
    for (let p = 0; p < pages; p++) this.order[p] = p;
    const order = Array.from(this.order.subarray(0, pages)).sort((a, b) => bounds[b]! - bounds[a]! || a - b);
    for (const p of order) {
      if (numerator <= this.epsilon * (numerator + kept)) break;
      if (out.size + this.pageSize > this.budget) break;
      for (let i = p * this.pageSize; i < (p + 1) * this.pageSize; i++) {
        this.builder.add(i);
        kept += Math.exp(view.logits[i]! - reference);
      }
      numerator = Math.max(0, numerator - this.pageSize * Math.exp(bounds[p]! - reference));
    }
    out.metadataBytes = pages * (2 * trace.headDim + trace.headDim + 1) * BYTES_PER_ELEMENT;
    out.retrieved = true;
  }
}
