/**
 * A KernelBackend over a prhs Node-API addon. The CPU backend is this with the CPU addon; the CUDA
 * backend will be this with the CUDA addon and its own precision. Arguments are checked in
 * TypeScript first (same messages as the reference), and the addon checks them again; an addon
 * rejection becomes an InvalidArgumentError naming the same argument.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type {
  AttentionInputs,
  BackendName,
  BackendPrecision,
  IndexLists,
  KernelBackend,
  PageBoundKind,
  PageSummaryTensors,
} from './kernelBackend.js';
import type { NativeAddon } from './nativeAddon.js';
import {
  checkAttentionInputs,
  checkIndexLists,
  checkPageSize,
  checkSummaries,
  checkTopKArgs,
} from './validateInputs.js';

function call<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    const e = error as { code?: string; argument?: string; message?: string };
    if (e && e.code === 'ERR_PRHS_INVALID_ARGUMENT' && typeof e.argument === 'string') {
      const message = String(e.message ?? '');
      const body = message.slice(message.indexOf(': expected ') + ': expected '.length);
      const [expected, received] = body.split(', received ');
      throw new InvalidArgumentError(e.argument, expected ?? body, received ?? 'an invalid value', 'domain');
    }
    throw error;
  }
}

function attentionOptions(inputs: AttentionInputs): Record<string, unknown> {
  const s = inputs.shape;
  return {
    dtype: inputs.dtype,
    query: inputs.query,
    keys: inputs.keys,
    values: inputs.values,
    batch: s.batch,
    queryHeads: s.queryHeads,
    kvHeads: s.kvHeads,
    tokens: s.tokens,
    headDim: s.headDim,
    valueDim: s.valueDim,
    scale: inputs.scale,
  };
}

export function createNativeBackend(
  name: BackendName,
  description: string,
  addon: NativeAddon,
  precision: BackendPrecision,
): KernelBackend {
  return {
    name,
    description,
    precision,
    scores(inputs) {
      checkAttentionInputs(inputs, { values: false });
      return call(() => addon.scores(attentionOptions(inputs)));
    },
    decodeAttention(inputs) {
      checkAttentionInputs(inputs, { values: true });
      return call(() => addon.decodeAttention(attentionOptions(inputs)));
    },
    sparseAttention(inputs, lists: IndexLists) {
      checkAttentionInputs(inputs, { values: true });
      checkIndexLists(lists, inputs.shape, true);
      return call(() =>
        addon.sparseAttention({ ...attentionOptions(inputs), indices: lists.indices, selected: lists.selected }),
      );
    },
    droppedMass(inputs, lists: IndexLists) {
      checkAttentionInputs(inputs, { values: false });
      checkIndexLists(lists, inputs.shape, false);
      return call(() =>
        addon.droppedMass({ ...attentionOptions(inputs), indices: lists.indices, selected: lists.selected }),
      );
    },
    topK(scores, rows, columns, k) {
      checkTopKArgs(scores, rows, columns, k);
      return call(() => addon.topK({ scores, rows, columns, k }));
    },
    pageSummaries(inputs, pageSize): PageSummaryTensors {
      checkAttentionInputs(inputs, { values: false });
      checkPageSize(pageSize, inputs.shape);
      const result = call(() => addon.pageSummaries({ ...attentionOptions(inputs), pageSize }));
      return { pageSize, ...result };
    },
    certifiedDroppedMass(inputs, lists: IndexLists, summaries: PageSummaryTensors, kind: PageBoundKind) {
      checkAttentionInputs(inputs, { values: false });
      checkIndexLists(lists, inputs.shape, false);
      checkSummaries(summaries, inputs.shape, kind);
      return call(() =>
        addon.certifiedDroppedMass({
          ...attentionOptions(inputs),
          indices: lists.indices,
          selected: lists.selected,
          pageSize: summaries.pageSize,
          minimum: summaries.minimum,
          maximum: summaries.maximum,
          center: summaries.center,
          radius: summaries.radius,
          kind,
        }),
      );
    },
  };
}
