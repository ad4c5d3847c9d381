/**
 * The float64 reference of every kernel, built from src/core's own routines, on inputs decoded
 * exactly from their storage dtype. This is the oracle the harness measures errors against; it
 * validates nothing (callers do) and lets NaN/Inf propagate as plain float64 arithmetic does.
 */
import { logitsUnchecked, weightedSumUnchecked } from '../../core/attention.js';
import { certifiedDroppedMass as coreCertifiedDroppedMass, type PageSummary } from '../../core/certifiedDroppedMass.js';
import { droppedMassFromLogitsUnchecked } from '../../core/droppedMass.js';
import { softmaxUnchecked } from '../../core/softmax.js';
import { decodeStorage } from '../../numeric/storage.js';
import { normUp, up } from '../../numeric/directedRounding.js';
import type {
  AttentionInputs,
  AttentionShape,
  IndexLists,
  PageBoundKind,
  PageSummaryTensors,
} from '../kernelBackend.js';

/** Inputs decoded to float64 (exactly the values the kernel reads). */
export interface DecodedInputs {
  readonly shape: AttentionShape;
  readonly query: Float64Array;
  readonly keys: Float64Array;
  readonly values: Float64Array;
  readonly scale: number;
}

export function decodeInputs(inputs: AttentionInputs): DecodedInputs {
  return {
    shape: inputs.shape,
    query: decodeStorage(inputs.dtype, inputs.query),
    keys: decodeStorage(inputs.dtype, inputs.keys),
    values: decodeStorage(inputs.dtype, inputs.values),
    scale: inputs.scale,
  };
}

/** Offsets of query head h of batch b and of the KV head it reads. */
export function headOffsets(shape: AttentionShape, b: number, h: number): { row: number; cache: number } {
  const group = shape.queryHeads / shape.kvHeads;
  return { row: b * shape.queryHeads + h, cache: b * shape.kvHeads + Math.floor(h / group) };
}

/** Logits of one head against every key. */
export function headLogits(x: DecodedInputs, b: number, h: number): Float64Array {
  const s = x.shape;
  const { row, cache } = headOffsets(s, b, h);
  return logitsUnchecked(x.query, row * s.headDim, x.keys, cache * s.tokens * s.headDim, s.tokens, s.headDim, x.scale);
}

export function referenceScores(x: DecodedInputs): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads * s.tokens);
  for (let b = 0; b < s.batch; b++)
    for (let h = 0; h < s.queryHeads; h++) out.set(headLogits(x, b, h), (b * s.queryHeads + h) * s.tokens);
  return out;
}

export function referenceDecode(x: DecodedInputs): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads * s.valueDim);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      const weights = softmaxUnchecked(headLogits(x, b, h));
      weightedSumUnchecked(
        weights,
        x.values,
        cache * s.tokens * s.valueDim,
        s.tokens,
        s.valueDim,
        out,
        row * s.valueDim,
      );
    }
  }
  return out;
}

/** The real (non-padding) indices of one row. */
export function rowIndices(lists: IndexLists, row: number): Int32Array {
  const slice = lists.indices.subarray(row * lists.selected, (row + 1) * lists.selected);
  return slice.filter((i) => i !== -1);
}

/** Renormalised attention over each head's list, and its weights (for the error model). */
export function referenceSparse(x: DecodedInputs, lists: IndexLists): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads * s.valueDim);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      const kept = rowIndices(lists, row);
      const logits = new Float64Array(kept.length);
      kept.forEach((i, j) => {
        logits[j] = logitsUnchecked(
          x.query,
          row * s.headDim,
          x.keys,
          (cache * s.tokens + i) * s.headDim,
          1,
          s.headDim,
          x.scale,
        )[0]!;
      });
      const weights = softmaxUnchecked(logits);
      // Accumulate in list order, like the kernels (the order does not matter in exact arithmetic).
      for (let c = 0; c < s.valueDim; c++) {
        let sum = 0;
        for (let j = 0; j < kept.length; j++) {
          const w = weights[j]!;
          if (w !== 0) sum += w * x.values[(cache * s.tokens + kept[j]!) * s.valueDim + c]!;
        }
        out[row * s.valueDim + c] = sum;
      }
    }
  }
  return out;
}

export function referenceDroppedMass(x: DecodedInputs, lists: IndexLists): Float64Array {
  const s = x.shape;
  const out = new Float64Array(s.batch * s.queryHeads);
  const mask = new Uint8Array(s.tokens);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const row = b * s.queryHeads + h;
      const kept = rowIndices(lists, row);
      mask.fill(0);
      for (const i of kept) mask[i] = 1;
      out[row] = droppedMassFromLogitsUnchecked(headLogits(x, b, h), mask);
    }
  }
  return out;
}

/** Page summaries with the native kernel's semantics: fp32 min/max, fp32-rounded mean, radius rounded up. */
export function referencePageSummaries(x: DecodedInputs, pageSize: number): PageSummaryTensors {
  const s = x.shape;
  const d = s.headDim;
  const pages = Math.ceil(s.tokens / pageSize);
  const count = s.batch * s.kvHeads * pages;
  const minimum = new Float32Array(count * d);
  const maximum = new Float32Array(count * d);
  const center = new Float32Array(count * d);
  const radius = new Float32Array(count);
  for (let cache = 0; cache < s.batch * s.kvHeads; cache++) {
    for (let p = 0; p < pages; p++) {
      const start = p * pageSize;
      const end = Math.min(s.tokens, start + pageSize);
      const at = (cache * pages + p) * d;
      for (let c = 0; c < d; c++) {
        let lo = Infinity;
        let hi = -Infinity;
        let sum = 0;
        for (let i = start; i < end; i++) {
          const v = x.keys[(cache * s.tokens + i) * d + c]!;
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
          sum += v;
        }
        minimum[at + c] = lo;
        maximum[at + c] = hi;
        center[at + c] = sum / (end - start);
      }
      // As the native kernels: each |k − c| rounded up, the norm scaled before squaring, then up to float.
      let largest = 0;
      const difference = new Float64Array(d);
      for (let i = start; i < end; i++) {
        for (let c = 0; c < d; c++)
          difference[c] = up(Math.abs(x.keys[(cache * s.tokens + i) * d + c]! - center[at + c]!));
        largest = Math.max(largest, normUp(difference));
      }
      radius[cache * pages + p] = roundUpToFloat32(largest);
    }
  }
  return { pageSize, pages, minimum, maximum, center, radius };
}

function roundUpToFloat32(x: number): number {
  const r = Math.fround(x);
  if (r >= x) return r;
  const bits = new Float32Array([r]);
  const view = new Uint32Array(bits.buffer);
  view[0]! += r >= 0 ? 1 : -1;
  return bits[0]!;
}

/** δ̂ from src/core's certifiedDroppedMass, per (batch, queryHead), on the given summaries. */
export function referenceCertified(
  x: DecodedInputs,
  lists: IndexLists,
  summaries: PageSummaryTensors,
  kind: PageBoundKind,
): Float64Array {
  const s = x.shape;
  const d = s.headDim;
  const out = new Float64Array(s.batch * s.queryHeads);
  for (let b = 0; b < s.batch; b++) {
    for (let h = 0; h < s.queryHeads; h++) {
      const { row, cache } = headOffsets(s, b, h);
      const pages: PageSummary[] = [];
      for (let p = 0; p < summaries.pages; p++) {
        const at = (cache * summaries.pages + p) * d;
        pages.push({
          start: p * summaries.pageSize,
          end: Math.min(s.tokens, (p + 1) * summaries.pageSize),
          min: Float64Array.from(summaries.minimum.subarray(at, at + d)),
          max: Float64Array.from(summaries.maximum.subarray(at, at + d)),
          center: Float64Array.from(summaries.center.subarray(at, at + d)),
          radius: summaries.radius[cache * summaries.pages + p]!,
        });
      }
      const K = { data: x.keys.subarray(cache * s.tokens * d, (cache + 1) * s.tokens * d), rows: s.tokens, columns: d };
      out[row] = coreCertifiedDroppedMass(x.query.subarray(row * d, (row + 1) * d), K, rowIndices(lists, row), pages, {
        scale: x.scale,
        kind,
      }).bound;
    }
  }
  return out;
}
