/**
 * What the simulator computes for one head-step, given the row LogitBlocks scored ahead (logits,
 * e_i = exp(z_i − max z), their total in index order and the oracle threshold at the selector's
 * budget): during the observed prompt tail, the dense weights the selector is shown; afterwards,
 * the selector's kept set and every number recorded for it (δ, δ*, recall, ‖o − ô‖, δ̂, cost).
 * The flat buffers are allocated once per run and reused for every head-step.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { CertifiedBoundWorkspace } from '../selectors/certifiedBound.js';
import { PageCache } from '../selectors/pageCache.js';
import {
  BYTES_PER_ELEMENT,
  createSelection,
  type HeadStep,
  type Selection,
  type Selector,
} from '../selectors/selector.js';
import { keyOffset, kvHeadOf, queryOffset, valueOffset, type Trace } from '../traces/trace.js';
import { kthLargestInPlace } from './kthLargest.js';
import { ROW_STAT } from './scoreBlock.js';
import type { SimulationRecord } from './simulate.js';

type MutableHeadStep = { -readonly [K in keyof HeadStep]: HeadStep[K] };

/** The per-head-step arrays of a record, written at index r. */
export type RecordArrays = Pick<
  SimulationRecord,
  | 'delta'
  | 'deltaStar'
  | 'certified'
  | 'recall'
  | 'outputError'
  | 'size'
  | 'keysScored'
  | 'bytes'
  | 'denseBytes'
  | 'retrieved'
>;

export interface HeadStepRecorderOptions {
  readonly trace: Trace;
  readonly selector: Selector;
  readonly record: RecordArrays;
  /** LogitBlocks' per-row statistics (ROW_STAT fields). */
  readonly rowStats: Float64Array;
  readonly certify: boolean;
  readonly pageSize: number;
  readonly outputError: boolean;
}

/** The oracle's threshold v (the |S|-th largest e_i) and how the row's e_i fall around it. */
interface OracleCounts {
  threshold: number;
  greater: number;
  below: number;
  equal: number;
  /** Kept positions with e_i > v. */
  hits: number;
}

export class HeadStepRecorder {
  private readonly trace: Trace;
  private readonly selector: Selector;
  private readonly record: RecordArrays;
  private readonly rowStats: Float64Array;
  private readonly pageSize: number;
  private readonly withError: boolean;
  private readonly observe: Selector['observe'];
  /** The head-step the selector sees; `point` moves it. */
  private readonly view: MutableHeadStep;
  readonly logits: Float64Array;
  readonly exps: Float64Array;
  private readonly scratch: Float64Array;
  private readonly weights: Float64Array;
  private readonly mask: Uint8Array;
  private readonly dense: Float64Array;
  private readonly sparse: Float64Array;
  private readonly selection: Selection;
  private readonly pages: PageCache | undefined;
  private readonly workspace: CertifiedBoundWorkspace | undefined;
  private readonly counts: OracleCounts = { threshold: 0, greater: 0, below: 0, equal: 0, hits: 0 };

  constructor(options: HeadStepRecorderOptions) {
    const { trace, selector } = options;
    const { positions: N, headDim: d, valueDim: dv } = trace;
    this.trace = trace;
    this.selector = selector;
    this.record = options.record;
    this.rowStats = options.rowStats;
    this.pageSize = options.pageSize;
    this.withError = options.outputError;
    this.observe = selector.observe?.bind(selector);
    this.logits = new Float64Array(N);
    this.exps = new Float64Array(N);
    this.scratch = new Float64Array(N);
    this.weights = new Float64Array(N);
    this.mask = new Uint8Array(N);
    this.dense = new Float64Array(dv);
    this.sparse = new Float64Array(dv);
    this.selection = createSelection(N);
    this.pages = options.certify ? new PageCache(trace, options.pageSize) : undefined;
    this.workspace = options.certify ? new CertifiedBoundWorkspace(N, d, options.pageSize) : undefined;
    this.view = {
      trace,
      step: 0,
      layer: 0,
      head: 0,
      kvHead: 0,
      length: 0,
      queryOffset: 0,
      keyOffset: 0,
      valueOffset: 0,
      logits: this.logits,
    };
  }

  /** Moves the selector's view to head h of `layer` at step t, which sees `length` positions. */
  point(t: number, layer: number, h: number, length: number): void {
    const view = this.view;
    const kv = kvHeadOf(this.trace, h);
    view.step = t;
    view.layer = layer;
    view.head = h;
    view.kvHead = kv;
    view.length = length;
    view.queryOffset = queryOffset(this.trace, layer, t, h);
    view.keyOffset = keyOffset(this.trace, layer, kv);
    view.valueOffset = valueOffset(this.trace, layer, kv);
  }

  /** A prompt-tail head-step: shows the selector the dense weights e_i / total (row `at`). */
  observeDense(at: number): void {
    if (!this.observe) return;
    const { exps, weights } = this;
    const length = this.view.length;
    const total = this.rowStats[at + ROW_STAT.total]!;
    for (let i = 0; i < length; i++) weights[i] = exps[i]! / total;
    this.observe(this.view, weights, true);
    weights.fill(0, 0, length);
  }

  /** A recorded head-step: asks the selector for its kept set and records it at index r. */
  recordSelection(at: number, r: number): void {
    const { record, selection } = this;
    this.selector.select(this.view, selection);
    this.markKept();
    const total = this.rowStats[at + ROW_STAT.total]!;
    const keptSum = this.recordDroppedMass(total, r);
    this.recordOracle(at, total, r);
    if (this.withError) record.outputError[r] = this.outputError(total, keptSum);
    if (this.pages && this.workspace) record.certified[r] = this.certifiedBound(this.pages, this.workspace);
    this.recordCost(r);
    if (this.observe) this.showKept(keptSum);
    const S = selection.indices;
    for (let j = 0; j < selection.size; j++) this.mask[S[j]!] = 0;
  }

  /** Marks the kept positions, refusing any out of range or repeated. */
  private markKept(): void {
    const { mask, view } = this;
    const { size, indices: S } = this.selection;
    for (let j = 0; j < size; j++) {
      const i = S[j]!;
      if (i < 0 || i >= view.length || mask[i]) {
        throw new InvalidArgumentError(
          `${this.selector.name} selection`,
          `distinct positions in [0, ${view.length})`,
          `position ${i} at step ${view.step}, layer ${view.layer}, head ${view.head}`,
          'range',
        );
      }
      mask[i] = 1;
    }
  }

  /** δ = dropped sum / total (the dropped sum in index order); returns the kept sum (list order). */
  private recordDroppedMass(total: number, r: number): number {
    const { exps, mask } = this;
    const { size, indices: S } = this.selection;
    const length = this.view.length;
    let keptSum = 0;
    let dropped = 0;
    for (let i = 0; i < length; i++) if (!mask[i]) dropped += exps[i]!;
    for (let j = 0; j < size; j++) keptSum += exps[S[j]!]!;
    this.record.delta[r] = dropped / total;
    return keptSum;
  }

  /** δ* and recall: the oracle at the same actual budget |S|, ties kept in index order. */
  private recordOracle(at: number, total: number, r: number): void {
    const { record, exps, mask } = this;
    const { size, indices: S } = this.selection;
    const length = this.view.length;
    if (size === 0 || size >= length) {
      record.deltaStar[r] = size === 0 ? 1 : 0;
      record.recall[r] = 1;
      return;
    }
    const counts = this.oracleCounts(at, size, length);
    const v = counts.threshold;
    // The oracle keeps the first tiesKept positions (index order) whose e_i equals v.
    const tiesKept = size - counts.greater;
    let hits = counts.hits;
    if (tiesKept === counts.equal) {
      for (let j = 0; j < size; j++) if (exps[S[j]!] === v) hits++;
    } else {
      for (let i = 0, seen = 0; i < length && seen < tiesKept; i++) {
        if (exps[i] === v) {
          seen++;
          hits += mask[i]!;
        }
      }
    }
    record.deltaStar[r] = (counts.below + (counts.equal - tiesKept) * v) / total;
    record.recall[r] = hits / size;
  }

  /** The threshold at |S| = size and the counts around it: precomputed when LogitBlocks chose that size. */
  private oracleCounts(at: number, size: number, length: number): OracleCounts {
    const { rowStats, exps, mask, counts } = this;
    const S = this.selection.indices;
    counts.greater = 0;
    counts.below = 0;
    counts.equal = 0;
    counts.hits = 0;
    if (rowStats[at + ROW_STAT.size] === size) {
      // Only the kept positions need looking at.
      const v = rowStats[at + ROW_STAT.threshold]!;
      counts.threshold = v;
      counts.greater = rowStats[at + ROW_STAT.greater]!;
      counts.below = rowStats[at + ROW_STAT.below]!;
      counts.equal = rowStats[at + ROW_STAT.equal]!;
      for (let j = 0; j < size; j++) if (exps[S[j]!]! > v) counts.hits++;
      return counts;
    }
    this.scratch.set(exps.subarray(0, length));
    const v = kthLargestInPlace(this.scratch, length, size);
    counts.threshold = v;
    for (let i = 0; i < length; i++) {
      const e = exps[i]!;
      if (e > v) {
        counts.greater++;
        counts.hits += mask[i]!;
      } else if (e < v) counts.below += e;
      else counts.equal++;
    }
    return counts;
  }

  /** ‖o − ô‖₂: the dense output against the kept set's renormalised output. */
  private outputError(total: number, keptSum: number): number {
    const { exps, mask, dense, sparse } = this;
    const V = this.trace.values;
    const dv = this.trace.valueDim;
    const vo = this.view.valueOffset;
    const size = this.selection.size;
    dense.fill(0);
    sparse.fill(0);
    for (let i = 0; i < this.view.length; i++) {
      const w = exps[i]!;
      if (w === 0) continue;
      const row = vo + i * dv;
      if (mask[i]) for (let c = 0; c < dv; c++) sparse[c]! += w * V[row + c]!;
      for (let c = 0; c < dv; c++) dense[c]! += w * V[row + c]!;
    }
    let error = 0;
    for (let c = 0; c < dv; c++) error += (dense[c]! / total - (size > 0 ? sparse[c]! / keptSum : 0)) ** 2;
    return Math.sqrt(error);
  }

  /** The certified δ̂ of the kept set from page summaries and the kept logits. */
  private certifiedBound(pages: PageCache, workspace: CertifiedBoundWorkspace): number {
    const { view, selection } = this;
    const Q = this.trace.queries;
    for (let c = 0; c < this.trace.headDim; c++) workspace.query[c] = Q[view.queryOffset + c]!;
    const summaries = pages.summaries(view.layer, view.kvHead, view.length);
    const bounds = workspace.pageBounds(summaries, this.trace.scale, 'min');
    if (selection.size === 0) return 1;
    return workspace.bound(
      this.logits,
      view.length,
      selection.indices,
      selection.size,
      summaries,
      bounds,
      this.pageSize,
      this.mask,
    );
  }

  /** Size, keys scored, bytes read (scored keys, kept K and V, proxies) and the retrieval flag. */
  private recordCost(r: number): void {
    const { record, selection } = this;
    const { headDim: d, valueDim: dv } = this.trace;
    const size = selection.size;
    record.size[r] = size;
    record.keysScored[r] = selection.keysScored;
    record.bytes[r] = (selection.keysScored * d + size * (d + dv)) * BYTES_PER_ELEMENT + selection.metadataBytes;
    record.denseBytes[r] = this.view.length * (d + dv) * BYTES_PER_ELEMENT;
    record.retrieved[r] = selection.retrieved ? 1 : 0;
  }

  /** Shows the selector the weights it kept, renormalised over the kept set. */
  private showKept(keptSum: number): void {
    const { weights, exps } = this;
    const { size, indices: S } = this.selection;
    for (let j = 0; j < size; j++) weights[S[j]!] = exps[S[j]!]! / keptSum;
    this.observe!(this.view, weights, false);
    for (let j = 0; j < size; j++) weights[S[j]!] = 0;
  }
}
