/**
 * The one interface every selector implements (README, "Selectors and the simulator"). A driver (the simulator, or a
 * test) walks a trace step by step, layer by layer, head by head, and for each (step, layer,
 * head) asks the selector for the kept index set and what choosing it cost.
 *
 * The driver computes the exact logits of every visible key once per head-step (it needs them
 * for δ anyway) and hands them over in `HeadStep.logits`; a selector that scores keys exactly
 * reads them there and reports how many it scored in `Selection.keysScored`, so the cost
 * accounting is the selector's, not the driver's. Selectors that score proxies (channel subsets,
 * page summaries) compute those themselves from the trace.
 */
import type { Trace } from '../traces/trace.js';

/** One (step, layer, head) of a trace, as the driver presents it. Reused between calls: do not keep it. */
export interface HeadStep {
  readonly trace: Trace;
  readonly step: number;
  readonly layer: number;
  readonly head: number;
  readonly kvHead: number;
  /** Visible cache length N_t (positions 0 … N_t − 1). */
  readonly length: number;
  /** Offsets into trace.queries (this query), trace.keys and trace.values (key/value 0 of this KV head). */
  readonly queryOffset: number;
  readonly keyOffset: number;
  readonly valueOffset: number;
  /** Exact logits z_i = scale·q·k_i of the visible keys (entries ≥ length are stale). */
  readonly logits: Float64Array;
}

/** A selector's answer for one head-step. The driver allocates it once; selectors overwrite it. */
export interface Selection {
  /** Kept positions, distinct, in [0, length): the first `size` entries are used. */
  readonly indices: Int32Array;
  size: number;
  /** Keys whose exact logit the selector computed to choose the set. */
  keysScored: number;
  /** Bytes of proxies read to choose the set (page summaries, channel subsets), beyond scored keys. */
  metadataBytes: number;
  /** True when this head-step re-selected from the whole cache (a retrieval). */
  retrieved: boolean;
}

export interface Selector {
  /** Registry name, e.g. 'cis'. */
  readonly name: string;
  /** The actual budget |S| the selector keeps (fewer only when the cache is shorter, or as documented). */
  readonly budget: number;
  /** Clears all state before a trace is walked. */
  begin(trace: Trace): void;
  /** Chooses the kept set for one head-step. */
  select(view: HeadStep, out: Selection): void;
  /**
   * Feedback after a head-step: the attention weights the model actually used (renormalised
   * over the kept set; dense during observation steps), indexed by position. Posterior selectors
   * (H2O, SnapKV, DoubleSparsity's calibration) learn from it; others ignore it.
   */
  observe?(view: HeadStep, weights: Float64Array, dense: boolean): void;
}

/** A selection buffer able to hold `capacity` indices. */
export function createSelection(capacity: number): Selection {
  return { indices: new Int32Array(capacity), size: 0, keysScored: 0, metadataBytes: 0, retrieved: false };
}

/** Resets the cost fields and the size (selectors call this first). */
export function resetSelection(out: Selection): void {
  out.size = 0;
  out.keysScored = 0;
  out.metadataBytes = 0;
  out.retrieved = false;
}

/** Bytes per stored key/value element in the cost model (fp16 caches). */
export const BYTES_PER_ELEMENT = 2;
