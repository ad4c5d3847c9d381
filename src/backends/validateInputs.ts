/**
 * Argument checks shared by every backend, so bad input gets the same typed error whichever
 * backend runs. The native binding checks everything again on its side (it must never trust
 * JavaScript); these checks exist for the message quality and for the reference backend.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { describe, integerInRange, numberInRange } from '../core/validate.js';
import { isStorageOf, storageDtypes, type StorageDtype } from '../numeric/storage.js';
import type {
  AttentionInputs,
  AttentionShape,
  IndexLists,
  PageBoundKind,
  PageSummaryTensors,
} from './kernelBackend.js';

const maxDim = 2 ** 20;
const maxTokens = 2 ** 31 - 1;

function checkDtype(dtype: unknown): StorageDtype {
  if (!storageDtypes.includes(dtype as StorageDtype))
    throw new InvalidArgumentError('dtype', `one of ${storageDtypes.join(', ')}`, describe(dtype), 'domain');
  return dtype as StorageDtype;
}

function checkShape(shape: AttentionShape | undefined): AttentionShape {
  if (shape === null || typeof shape !== 'object')
    throw new InvalidArgumentError('shape', 'an attention shape object', describe(shape), 'type');
  integerInRange('shape.batch', shape.batch, 1, maxDim);
  integerInRange('shape.queryHeads', shape.queryHeads, 1, maxDim);
  integerInRange('shape.kvHeads', shape.kvHeads, 1, maxDim);
  if (shape.queryHeads % shape.kvHeads !== 0)
    throw new InvalidArgumentError(
      'shape.kvHeads',
      `a divisor of queryHeads (${shape.queryHeads})`,
      String(shape.kvHeads),
      'shape',
    );
  integerInRange('shape.tokens', shape.tokens, 1, maxTokens);
  integerInRange('shape.headDim', shape.headDim, 1, maxDim);
  integerInRange('shape.valueDim', shape.valueDim, 1, maxDim);
  return shape;
}

function checkStorage(argument: string, dtype: StorageDtype, data: unknown, length: number): void {
  const kind = dtype === 'fp32' ? 'Float32Array' : 'Uint16Array';
  if (!isStorageOf(dtype, data))
    throw new InvalidArgumentError(argument, `a ${kind} (${dtype} storage)`, describe(data), 'type');
  if (data.length !== length)
    throw new InvalidArgumentError(argument, `length ${length}`, `length ${data.length}`, 'length');
}

/** Checks inputs; `needs` says which tensors the kernel reads. */
export function checkAttentionInputs(inputs: AttentionInputs, needs: { values: boolean }): void {
  if (inputs === null || typeof inputs !== 'object')
    throw new InvalidArgumentError('inputs', 'an AttentionInputs object', describe(inputs), 'type');
  const dtype = checkDtype(inputs.dtype);
  const s = checkShape(inputs.shape);
  numberInRange('scale', inputs.scale, -Number.MAX_VALUE, Number.MAX_VALUE);
  checkStorage('query', dtype, inputs.query, s.batch * s.queryHeads * s.headDim);
  checkStorage('keys', dtype, inputs.keys, s.batch * s.kvHeads * s.tokens * s.headDim);
  if (needs.values) checkStorage('values', dtype, inputs.values, s.batch * s.kvHeads * s.tokens * s.valueDim);
}

/** Index lists: entries in [0, tokens) or -1, distinct within a row; optionally one real index per row. */
export function checkIndexLists(lists: IndexLists, shape: AttentionShape, requireOne: boolean): void {
  if (lists === null || typeof lists !== 'object' || !(lists.indices instanceof Int32Array))
    throw new InvalidArgumentError('indices', 'an Int32Array', describe(lists?.indices), 'type');
  integerInRange('selected', lists.selected, requireOne ? 1 : 0, shape.tokens);
  const rows = shape.batch * shape.queryHeads;
  if (lists.indices.length !== rows * lists.selected)
    throw new InvalidArgumentError(
      'indices',
      `length ${rows * lists.selected} ([batch, queryHeads, selected])`,
      `length ${lists.indices.length}`,
      'length',
    );
  const stamp = new Int32Array(shape.tokens);
  for (let r = 0; r < rows; r++) {
    let real = 0;
    for (let j = 0; j < lists.selected; j++) {
      const at = r * lists.selected + j;
      const i = lists.indices[at]!;
      if (i === -1) continue;
      if (i < 0 || i >= shape.tokens)
        throw new InvalidArgumentError(
          `indices[${at}]`,
          `an index in [0, ${shape.tokens}) or -1 (padding)`,
          String(i),
          'range',
        );
      if (stamp[i] === r + 1)
        throw new InvalidArgumentError(
          `indices[${at}]`,
          'distinct indices within a row',
          `a duplicate of ${i}`,
          'duplicate',
        );
      stamp[i] = r + 1;
      real++;
    }
    if (requireOne && real === 0)
      throw new InvalidArgumentError(
        'indices',
        'at least one index that is not -1 in every (batch, head) row',
        `row ${r} with none`,
        'length',
      );
  }
}

/** Top-k arguments: a Float32Array [rows, columns] without NaN and k in [0, columns]. */
export function checkTopKArgs(scores: unknown, rows: number, columns: number, k: number): Float32Array {
  integerInRange('rows', rows, 1, maxTokens);
  integerInRange('columns', columns, 1, maxTokens);
  integerInRange('k', k, 0, columns);
  if (!(scores instanceof Float32Array))
    throw new InvalidArgumentError('scores', 'a Float32Array', describe(scores), 'type');
  if (scores.length !== rows * columns)
    throw new InvalidArgumentError('scores', `length ${rows * columns}`, `length ${scores.length}`, 'length');
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i]))
      throw new InvalidArgumentError(`scores[${i}]`, 'a number (NaN has no rank)', 'NaN', 'finite');
  }
  return scores;
}

export function checkPageSize(pageSize: number, shape: AttentionShape): number {
  return integerInRange('pageSize', pageSize, 1, shape.tokens);
}

export function checkSummaries(summaries: PageSummaryTensors, shape: AttentionShape, kind: PageBoundKind): void {
  if (!['minmax', 'ball', 'min'].includes(kind))
    throw new InvalidArgumentError('kind', 'one of minmax, ball, min', describe(kind), 'domain');
  if (summaries === null || typeof summaries !== 'object')
    throw new InvalidArgumentError('summaries', 'page summary tensors', describe(summaries), 'type');
  checkPageSize(summaries.pageSize, shape);
  const pages = Math.ceil(shape.tokens / summaries.pageSize);
  const perPage = shape.batch * shape.kvHeads * pages;
  for (const name of ['minimum', 'maximum', 'center'] as const) {
    const a = summaries[name];
    if (!(a instanceof Float32Array) || a.length !== perPage * shape.headDim)
      throw new InvalidArgumentError(
        `summaries.${name}`,
        `a Float32Array of length ${perPage * shape.headDim}`,
        describe(a),
        'shape',
      );
  }
  if (!(summaries.radius instanceof Float32Array) || summaries.radius.length !== perPage)
    throw new InvalidArgumentError(
      'summaries.radius',
      `a Float32Array of length ${perPage}`,
      describe(summaries.radius),
      'shape',
    );
}
