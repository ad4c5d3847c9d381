/**
 * The heads of a stored case, one KV head at a time: the query heads that read it and its keys and
 * values decoded exactly to float64, as a DecodedInputs of one batch and one KV head, so the float64
 * reference, the naive kernels and the bounds of the harness run on it unchanged and memory holds
 * one KV head's cache at a time.
 */
import type { IndexLists } from '../backends/kernelBackend.js';
import type { DecodedInputs } from '../backends/reference/float64Kernels.js';
import { InvalidArgumentError } from '../core/errors.js';
import { roundTo, type StorageDtype } from '../numeric/storage.js';
import type { OutputCase } from './outputCase.js';
import { readFloats, readFloatsInto, type StoredTensor } from './storedTensors.js';

export interface HeadGroup {
  readonly batch: number;
  readonly kvHead: number;
  /** Global row (batch · queryHeads + head) of the group's first query head. */
  readonly firstRow: number;
  /** Shape [1, group, 1, tokens, headDim, valueDim]. */
  readonly x: DecodedInputs;
  /** The group's rows of the index lists, when the case has them. */
  readonly lists: IndexLists | null;
}

/** Rejects stored values that the declared storage dtype cannot hold (then the file is not what the kernel read). */
function checkRepresentable(tensor: StoredTensor, values: Float64Array, storage: StorageDtype, offset: number): void {
  const native = { F16: 'fp16', BF16: 'bf16', F32: 'fp32' } as Record<string, StorageDtype>;
  if (native[tensor.type] === storage) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v && roundTo(storage, v) !== v) {
      throw new InvalidArgumentError(`${tensor.name}[flat ${offset + i}]`, `a value representable in the storage dtype ${storage}`, String(v), 'domain');
    }
  }
}

function readInputs(tensor: StoredTensor, start: number, count: number, storage: StorageDtype, target?: Float64Array): Float64Array {
  const values = target ? readFloatsInto(tensor, start, count, target) : readFloats(tensor, start, count);
  checkRepresentable(tensor, values, storage, start);
  return values;
}

/** Visits the groups in order (batch-major); `include(index)` skips the others without reading them. The group's keys and values are overwritten by the next group. */
export function forEachHeadGroup(c: OutputCase, visit: (group: HeadGroup) => void, include: (index: number) => boolean = () => true): void {
  const s = c.shape;
  const group = s.queryHeads / s.kvHeads;
  const { q, k, v } = c.tensors as { q: StoredTensor; k: StoredTensor; v?: StoredTensor };
  // One KV head's keys and values, reused from group to group (visit must not keep them).
  const keys = new Float64Array(s.tokens * s.headDim);
  const values = new Float64Array(v ? s.tokens * s.valueDim : 0);
  for (let batch = 0; batch < s.batch; batch++) {
    for (let kvHead = 0; kvHead < s.kvHeads; kvHead++) {
      if (!include(batch * s.kvHeads + kvHead)) continue;
      const firstRow = batch * s.queryHeads + kvHead * group;
      const cache = batch * s.kvHeads + kvHead;
      const x: DecodedInputs = {
        shape: { batch: 1, queryHeads: group, kvHeads: 1, tokens: s.tokens, headDim: s.headDim, valueDim: s.valueDim },
        query: readInputs(q, firstRow * s.headDim, group * s.headDim, c.storage),
        keys: readInputs(k, cache * s.tokens * s.headDim, s.tokens * s.headDim, c.storage, keys),
        values: v ? readInputs(v, cache * s.tokens * s.valueDim, s.tokens * s.valueDim, c.storage, values) : values,
        scale: c.scale,
      };
      const lists = c.lists ? { indices: c.lists.indices.subarray(firstRow * c.lists.selected, (firstRow + group) * c.lists.selected), selected: c.lists.selected } : null;
      visit({ batch, kvHead, firstRow, x, lists });
    }
  }
}
