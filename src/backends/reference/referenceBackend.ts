/**
 * The reference backend: src/core in float64, results rounded once to fp32 (δ̂ stays float64).
 * Always present; the fallback when no native backend loads.
 */
import { topKUnchecked } from '../../core/topK.js';
import { unitRoundoff } from '../../numeric/storage.js';
import type {
  AttentionInputs,
  BackendPrecision,
  IndexLists,
  KernelBackend,
  PageBoundKind,
  PageSummaryTensors,
} from '../kernelBackend.js';
import {
  checkAttentionInputs,
  checkIndexLists,
  checkPageSize,
  checkSummaries,
  checkTopKArgs,
} from '../validateInputs.js';
import {
  decodeInputs,
  referenceCertified,
  referenceDecode,
  referenceDroppedMass,
  referencePageSummaries,
  referenceScores,
  referenceSparse,
} from './float64Kernels.js';

/** float64 arithmetic in any order (depth n), exp to 1 ulp, one rounding to fp32 at the end. */
export const referencePrecision: BackendPrecision = {
  unitRoundoff: unitRoundoff('fp64'),
  expError: 2 * unitRoundoff('fp64'),
  probabilityRoundoff: 0,
  outputRoundoff: unitRoundoff('fp32'),
  sumDepth: (n) => n,
};

export const referenceBackend: KernelBackend = {
  name: 'reference',
  description: 'float64 TypeScript reference (src/core)',
  precision: referencePrecision,
  scores(inputs: AttentionInputs) {
    checkAttentionInputs(inputs, { values: false });
    return Float32Array.from(referenceScores(decodeInputs({ ...inputs, values: new Float32Array(0) })));
  },
  decodeAttention(inputs: AttentionInputs) {
    checkAttentionInputs(inputs, { values: true });
    return Float32Array.from(referenceDecode(decodeInputs(inputs)));
  },
  sparseAttention(inputs: AttentionInputs, lists: IndexLists) {
    checkAttentionInputs(inputs, { values: true });
    checkIndexLists(lists, inputs.shape, true);
    return Float32Array.from(referenceSparse(decodeInputs(inputs), lists));
  },
  droppedMass(inputs: AttentionInputs, lists: IndexLists) {
    checkAttentionInputs(inputs, { values: false });
    checkIndexLists(lists, inputs.shape, false);
    return Float32Array.from(referenceDroppedMass(decodeInputs({ ...inputs, values: new Float32Array(0) }), lists));
  },
  topK(scores: Float32Array, rows: number, columns: number, k: number) {
    checkTopKArgs(scores, rows, columns, k);
    const out = new Int32Array(rows * k);
    for (let r = 0; r < rows; r++) out.set(topKUnchecked(scores.subarray(r * columns, (r + 1) * columns), k), r * k);
    return out;
  },
  pageSummaries(inputs: AttentionInputs, pageSize: number): PageSummaryTensors {
    checkAttentionInputs(inputs, { values: false });
    checkPageSize(pageSize, inputs.shape);
    return referencePageSummaries(decodeInputs({ ...inputs, values: new Float32Array(0) }), pageSize);
  },
  certifiedDroppedMass(inputs: AttentionInputs, lists: IndexLists, summaries: PageSummaryTensors, kind: PageBoundKind) {
    checkAttentionInputs(inputs, { values: false });
    checkIndexLists(lists, inputs.shape, false);
    checkSummaries(summaries, inputs.shape, kind);
    return referenceCertified(decodeInputs({ ...inputs, values: new Float32Array(0) }), lists, summaries, kind);
  },
};
