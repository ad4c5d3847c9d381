/**
 * The heads of a stored case, one KV head at a time: the query heads that read it and its keys and
 * values, decoded exactly to float64 on first use as a DecodedInputs of one batch and one KV head
 * (so the float64 reference, the naive kernels and the bounds of the harness run on it unchanged),
 * and, for the native passes, as stored. Memory holds one KV head's cache at a time.
 */
import type { IndexLists } from '../backends/kernelBackend.js';
import type { DecodedInputs } from '../backends/reference/float64Kernels.js';
import { InvalidArgumentError } from '../core/errors.js';
import { roundTo, type StorageDtype } from '../numeric/storage.js';
import type { OutputCase } from './outputCase.js';
import { readFloats, readFloatsInto, type StoredTensor } from './storedTensors.js';

/** A group's keys and values as stored (when their element type is the storage dtype's own): what the native passes read. */
export interface RawCache {
  readonly keys: Uint16Array | Float32Array;
  readonly values: Uint16Array | Float32Array | null;
}

export interface HeadGroup {
  readonly batch: number;
  readonly kvHead: number;
  /** Global row (batch · queryHeads + head) of the group's first query head. */
  readonly firstRow: number;
  /** The group's query heads decoded exactly, [group, headDim]. */
  readonly query: Float64Array;
  /** Shape [1, group, 1, tokens, headDim, valueDim], keys and values decoded on first use. */
  readonly x: DecodedInputs;
  /** The stored keys and values, when `raw` was asked for and they are in the storage dtype's own element type; else null. */
  readonly raw: RawCache | null;
  /** The group's rows of the index lists, when the case has them. */
  readonly lists: IndexLists | null;
}

/** Rejects stored values that the declared storage dtype cannot hold (then the file is not what the kernel read). */
function checkRepresentable(tensor: StoredTensor, values: Float64Array, storage: StorageDtype, offset: number): void {
  if (ownElementType[storage] === tensor.type) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v && roundTo(storage, v) !== v) {
      throw new InvalidArgumentError(
        `${tensor.name}[flat ${offset + i}]`,
        `a value representable in the storage dtype ${storage}`,
        String(v),
        'domain',
      );
    }
  }
}

const ownElementType: Readonly<Record<StorageDtype, string>> = { fp16: 'F16', bf16: 'BF16', fp32: 'F32' };

function readInputs(
  tensor: StoredTensor,
  start: number,
  count: number,
  storage: StorageDtype,
  target?: Float64Array,
): Float64Array {
  const values = target ? readFloatsInto(tensor, start, count, target) : readFloats(tensor, start, count);
  checkRepresentable(tensor, values, storage, start);
  return values;
}

function readRaw(tensor: StoredTensor, start: number, count: number): Uint16Array | Float32Array {
  const bytes = tensor.read(start, count);
  return tensor.type === 'F32'
    ? new Float32Array(bytes.buffer, bytes.byteOffset, count)
    : new Uint16Array(bytes.buffer, bytes.byteOffset, count);
}

export interface GroupVisitOptions {
  /** Which groups to visit (by index, batch-major); the others are not read. */
  readonly include?: (index: number) => boolean;
  /** Read the stored keys and values of each group as they are (HeadGroup.raw) when their element type allows. */
  readonly raw?: boolean;
}

/** Visits the groups in order (batch-major). A group's decoded keys and values are overwritten by the next group's (visit must not keep them). */
export function forEachHeadGroup(
  c: OutputCase,
  visit: (group: HeadGroup) => void,
  options: GroupVisitOptions = {},
): void {
  const s = c.shape;
  const group = s.queryHeads / s.kvHeads;
  const { q, k, v } = c.tensors as { q: StoredTensor; k: StoredTensor; v?: StoredTensor };
  const own = ownElementType[c.storage];
  const rawAllowed = options.raw === true && k.type === own && (!v || v.type === own);
  // One KV head's decoded keys and values, allocated on first use and reused from group to group.
  let keys: Float64Array | null = null;
  let values: Float64Array | null = null;
  for (let batch = 0; batch < s.batch; batch++) {
    for (let kvHead = 0; kvHead < s.kvHeads; kvHead++) {
      if (options.include && !options.include(batch * s.kvHeads + kvHead)) continue;
      const firstRow = batch * s.queryHeads + kvHead * group;
      const cache = batch * s.kvHeads + kvHead;
      const shape = {
        batch: 1,
        queryHeads: group,
        kvHeads: 1,
        tokens: s.tokens,
        headDim: s.headDim,
        valueDim: s.valueDim,
      };
      const query = readInputs(q, firstRow * s.headDim, group * s.headDim, c.storage);
      let decoded: DecodedInputs | null = null;
      const decode = (): DecodedInputs => {
        keys ??= new Float64Array(s.tokens * s.headDim);
        values ??= new Float64Array(v ? s.tokens * s.valueDim : 0);
        return {
          shape,
          query,
          keys: readInputs(k, cache * s.tokens * s.headDim, s.tokens * s.headDim, c.storage, keys),
          values: v ? readInputs(v, cache * s.tokens * s.valueDim, s.tokens * s.valueDim, c.storage, values) : values,
          scale: c.scale,
        };
      };
      const raw = rawAllowed
        ? {
            keys: readRaw(k, cache * s.tokens * s.headDim, s.tokens * s.headDim),
            values: v ? readRaw(v, cache * s.tokens * s.valueDim, s.tokens * s.valueDim) : null,
          }
        : null;
      const lists = c.lists
        ? {
            indices: c.lists.indices.subarray(firstRow * c.lists.selected, (firstRow + group) * c.lists.selected),
            selected: c.lists.selected,
          }
        : null;
      visit({
        batch,
        kvHead,
        firstRow,
        query,
        raw,
        lists,
        get x() {
          return (decoded ??= decode());
        },
      });
    }
  }
}
