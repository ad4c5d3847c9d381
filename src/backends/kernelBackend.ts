/**
 * The kernel interface every backend implements (reference, cpu, cuda). Tensors are flat,
 * row-major typed arrays in a storage dtype; every result is fp32 (δ̂ is float64) whatever the
 * backend computes internally, so one test suite and one error model serve all backends.
 *
 * Layouts: query [batch, queryHeads, headDim]; keys [batch, kvHeads, tokens, headDim];
 * values [batch, kvHeads, tokens, valueDim]; outputs [batch, queryHeads, valueDim]; index lists
 * [batch, queryHeads, selected] (-1 = padding, skipped; no duplicates within a row). Query head h
 * reads KV head ⌊h / (queryHeads / kvHeads)⌋ (grouped-query attention).
 */
import type { StorageArray, StorageDtype } from '../numeric/storage.js';

export type BackendName = 'reference' | 'cpu' | 'cuda';
export const backendNames: readonly BackendName[] = ['reference', 'cpu', 'cuda'];

export interface AttentionShape {
  readonly batch: number;
  readonly queryHeads: number;
  readonly kvHeads: number;
  readonly tokens: number;
  readonly headDim: number;
  readonly valueDim: number;
}

/** Query and cache of one decode step. `scale` defaults to nothing: pass 1/√headDim explicitly. */
export interface AttentionInputs {
  readonly dtype: StorageDtype;
  readonly shape: AttentionShape;
  readonly query: StorageArray;
  readonly keys: StorageArray;
  /** Unused by scores, droppedMass and certifiedDroppedMass (pass an empty array there). */
  readonly values: StorageArray;
  readonly scale: number;
}

/** Per-(batch, queryHead) index lists: [batch, queryHeads, selected]. */
export interface IndexLists {
  readonly indices: Int32Array;
  readonly selected: number;
}

/** Per-page key summaries: minimum/maximum/center [batch, kvHeads, pages, headDim], radius [batch, kvHeads, pages]. */
export interface PageSummaryTensors {
  readonly pageSize: number;
  readonly pages: number;
  readonly minimum: Float32Array;
  readonly maximum: Float32Array;
  readonly center: Float32Array;
  /** Rounded up: ‖k_i − center‖ ≤ radius holds exactly for every key of the page. */
  readonly radius: Float32Array;
}

export type PageBoundKind = 'minmax' | 'ball' | 'min';

/**
 * What the error model needs to know about how a backend rounds (theory/kernel-error.md).
 * All quantities are relative errors or counts of roundings.
 */
export interface BackendPrecision {
  /** Unit roundoff of the arithmetic (2^-24 for fp32 accumulation, 2^-53 for float64). */
  readonly unitRoundoff: number;
  /** Relative error of one exp evaluation. */
  readonly expError: number;
  /** Relative rounding of the probabilities before P·V (0 when P stays in the arithmetic precision). */
  readonly probabilityRoundoff: number;
  /** Relative rounding of results to fp32 at the end (0 when the arithmetic already is fp32). */
  readonly outputRoundoff: number;
  /** Most roundings one term goes through in a sum of n terms (the summation tree's depth). */
  readonly sumDepth: (n: number) => number;
  /** Most roundings one logit goes through (d products and adds, the scale, the multiply); headDim + 2 when absent. */
  readonly logitDepth?: (headDim: number) => number;
  /** Smallest normal of the precision P is rounded to, where that is above fp32's (fp16 P: 2^-14); absent: none. */
  readonly probabilitySmallestNormal?: number;
}

/** One backend: the same kernels, the same semantics, its own precision. */
export interface KernelBackend {
  /** `reference`, `cpu` or `cuda` for ours; any name for a user's own (`check-kernels --backend-module`). */
  readonly name: string;
  readonly description: string;
  readonly precision: BackendPrecision;
  /** Precision of dense decodeAttention per storage dtype, where it differs from `precision` (a tensor-core kernel). */
  readonly decodePrecision?: (dtype: StorageDtype) => BackendPrecision;
  /** Logits z = scale·q·k for every key: [batch, queryHeads, tokens]. */
  scores(inputs: AttentionInputs): Float32Array;
  /** Dense decode attention: [batch, queryHeads, valueDim]. */
  decodeAttention(inputs: AttentionInputs): Float32Array;
  /** Attention over each head's index list: [batch, queryHeads, valueDim]. Each row needs one real index. */
  sparseAttention(inputs: AttentionInputs, lists: IndexLists): Float32Array;
  /** δ = attention weight outside each head's index list: [batch, queryHeads]. */
  droppedMass(inputs: AttentionInputs, lists: IndexLists): Float32Array;
  /** Top-k of each row of scores [rows, columns], sorted by (score desc, index asc): [rows, k]. Scores must not be NaN. */
  topK(scores: Float32Array, rows: number, columns: number, k: number): Int32Array;
  /** Page summaries of the keys (fp32; center rounded, radius rounded up). */
  pageSummaries(inputs: AttentionInputs, pageSize: number): PageSummaryTensors;
  /** Certified upper bound δ̂ ≥ δ per (batch, queryHead), float64. */
  certifiedDroppedMass(
    inputs: AttentionInputs,
    lists: IndexLists,
    summaries: PageSummaryTensors,
    kind: PageBoundKind,
  ): Float64Array;
}

/** The kernels every backend implements (the native addons export an entry point of each name). */
export const kernelMethods = [
  'scores',
  'decodeAttention',
  'sparseAttention',
  'droppedMass',
  'topK',
  'pageSummaries',
  'certifiedDroppedMass',
] as const satisfies readonly (keyof KernelBackend)[];

/** Outcome of trying to load a backend: never throws, says why not. */
export type BackendLoad =
  | { readonly loaded: true; readonly backend: KernelBackend; readonly detail: Readonly<Record<string, unknown>> }
  | { readonly loaded: false; readonly name: BackendName; readonly reason: string };
