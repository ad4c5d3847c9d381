/**
 * δ̂ for any kept set during a trace walk (SPEC section 2, certified dropped mass): complete pages
 * contribute m_P·e^{U_P} through their summaries (U_P from the reference's pageLogitUpperBound),
 * dropped keys of the partial last page contribute their exact logits (a trivially valid U), and
 * the kept logits are exact. The final ratio is the reference's soundRatio, rounded so that
 * δ ≤ δ̂ holds in floating point too.
 */
import { pageLogitUpperBound, soundRatio, type PageBoundKind, type PageSummary } from '../core/certifiedDroppedMass.js';

export class CertifiedBoundWorkspace {
  private readonly keptPerPage: Int32Array;
  private readonly bounds: Float64Array;
  readonly query: Float64Array;
  constructor(positions: number, headDim: number, pageSize: number) {
    this.keptPerPage = new Int32Array(Math.ceil(positions / pageSize) + 1);
    this.bounds = new Float64Array(Math.ceil(positions / pageSize) + 1);
    this.query = new Float64Array(headDim);
  }

  /** Per-page upper bounds U_P of the complete pages for the query in `this.query`. */
  pageBounds(summaries: readonly PageSummary[], scale: number, kind: PageBoundKind): Float64Array {
    for (let p = 0; p < summaries.length; p++) this.bounds[p] = pageLogitUpperBound(this.query, summaries[p]!, scale, kind);
    return this.bounds;
  }

  /**
   * δ̂ of the kept set (indices[0..size)) given exact `logits`, the complete pages' summaries and
   * their bounds (from pageBounds). Pages cover [0, pages·pageSize); the rest is the partial page.
   */
  bound(logits: Float64Array, length: number, indices: Int32Array, size: number, summaries: readonly PageSummary[], bounds: Float64Array, pageSize: number, keptMask: Uint8Array): number {
    const pages = summaries.length;
    const partialStart = pages * pageSize;
    this.keptPerPage.fill(0, 0, pages);
    for (let j = 0; j < size; j++) {
      const i = indices[j]!;
      if (i < partialStart) this.keptPerPage[Math.floor(i / pageSize)]!++;
    }
    let reference = -Infinity;
    for (let j = 0; j < size; j++) reference = Math.max(reference, logits[indices[j]!]!);
    let droppedAny = false;
    for (let p = 0; p < pages; p++) {
      if (this.keptPerPage[p]! < pageSize) {
        reference = Math.max(reference, bounds[p]!);
        droppedAny = true;
      }
    }
    for (let i = partialStart; i < length; i++) {
      if (!keptMask[i]) {
        reference = Math.max(reference, logits[i]!);
        droppedAny = true;
      }
    }
    if (!droppedAny) return 0;
    let numerator = 0;
    let terms = 0;
    for (let p = 0; p < pages; p++) {
      const dropped = pageSize - this.keptPerPage[p]!;
      if (dropped > 0) {
        numerator += dropped * Math.exp(bounds[p]! - reference);
        terms++;
      }
    }
    for (let i = partialStart; i < length; i++) {
      if (!keptMask[i]) {
        numerator += Math.exp(logits[i]! - reference);
        terms++;
      }
    }
    let kept = 0;
    for (let j = 0; j < size; j++) kept += Math.exp(logits[indices[j]!]! - reference);
    return soundRatio(numerator, kept, terms + size);
  }
}
