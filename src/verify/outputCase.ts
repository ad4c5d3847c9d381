/**
 * One foreign kernel's inputs and outputs read from a file (safetensors or .npz) and validated
 * against the layouts of src/backends/kernelBackend.ts. Every problem is an InvalidArgumentError
 * that names the tensor or metadata field. Large tensors (k, v, scores) stay on disk; index
 * tensors are read and checked here.
 */
import { existsSync } from 'node:fs';
import type { AttentionShape, IndexLists } from '../backends/kernelBackend.js';
import { InvalidArgumentError } from '../core/errors.js';
import type { StorageDtype } from '../numeric/storage.js';
import { declaredPrecision, type ArithmeticDtype, type DeclaredPrecision } from './declaredPrecision.js';
import { openStoredFile } from './openStoredFile.js';
import { isFloatType, readIntegers, type ElementType, type StoredFile, type StoredTensor } from './storedTensors.js';

export const caseTensorNames = ['q', 'k', 'v', 'out', 'indices', 'delta', 'scores', 'topk'] as const;
export type CaseTensorName = (typeof caseTensorNames)[number];

export interface TopKOutput {
  readonly indices: Int32Array;
  readonly k: number;
}

export interface OutputCase {
  readonly shape: AttentionShape;
  readonly storage: StorageDtype;
  readonly scale: number;
  /** True when the file declares the scale; otherwise 1/√d was assumed. */
  readonly scaleDeclared: boolean;
  readonly precision: DeclaredPrecision | null;
  readonly tensors: Readonly<Partial<Record<CaseTensorName, StoredTensor>>>;
  /** The validated index lists when `indices` is present (then `out` is sparse attention over them). */
  readonly lists: IndexLists | null;
  readonly topk: TopKOutput | null;
  readonly close: () => void;
}

const storageOfType: Readonly<Partial<Record<ElementType, StorageDtype>>> = { F16: 'fp16', BF16: 'bf16', F32: 'fp32' };
export const arithmeticOfType: Readonly<Partial<Record<ElementType, ArithmeticDtype>>> = {
  ...storageOfType,
  F64: 'fp64',
};

function expectShape(tensor: StoredTensor, expected: readonly (number | string)[], meaning: string): void {
  const ok =
    tensor.shape.length === expected.length && expected.every((e, i) => typeof e === 'string' || tensor.shape[i] === e);
  if (!ok)
    throw new InvalidArgumentError(
      `${tensor.name}.shape`,
      `${meaning} = [${expected.join(', ')}]`,
      `[${tensor.shape.join(', ')}]`,
      'shape',
    );
}

function expectFloat(tensor: StoredTensor): void {
  if (!isFloatType(tensor.type))
    throw new InvalidArgumentError(
      tensor.name,
      'a float tensor (F16, BF16, F32 or F64)',
      `dtype ${tensor.type}`,
      'type',
    );
}

function storageDtype(metadata: Readonly<Record<string, string>>, q: StoredTensor): StorageDtype {
  const declared = metadata.dtype;
  if (declared !== undefined) {
    if (declared !== 'fp32' && declared !== 'fp16' && declared !== 'bf16')
      throw new InvalidArgumentError(
        'metadata "dtype"',
        'fp32, fp16 or bf16 (the storage dtype of q, k, v)',
        JSON.stringify(declared),
        'domain',
      );
    return declared;
  }
  const inferred = storageOfType[q.type];
  if (!inferred)
    throw new InvalidArgumentError(
      'metadata "dtype"',
      `the storage dtype (fp32, fp16 or bf16) when q is stored as ${q.type}`,
      'nothing',
      'domain',
    );
  return inferred;
}

function scaleOf(
  metadata: Readonly<Record<string, string>>,
  headDim: number,
): { scale: number; scaleDeclared: boolean } {
  const text = metadata.scale;
  if (text === undefined) return { scale: 1 / Math.sqrt(headDim), scaleDeclared: false };
  const scale = Number(text);
  if (text.trim() === '' || !Number.isFinite(scale))
    throw new InvalidArgumentError('metadata "scale"', 'a finite number', JSON.stringify(text), 'finite');
  return { scale, scaleDeclared: true };
}

/** Reads and checks an integer index tensor [B, Hq, width]: range, padding and duplicates per row. */
function readIndexRows(tensor: StoredTensor, shape: AttentionShape, allowPadding: boolean): Int32Array {
  const width = tensor.shape[2]!;
  const indices = readIntegers(tensor, 0, shape.batch * shape.queryHeads * width);
  const seen = new Int32Array(shape.tokens).fill(-1);
  for (let row = 0; row < shape.batch * shape.queryHeads; row++) {
    const where = (j: number) =>
      `${tensor.name}[${Math.floor(row / shape.queryHeads)}, ${row % shape.queryHeads}, ${j}]`;
    let real = 0;
    for (let j = 0; j < width; j++) {
      const i = indices[row * width + j]!;
      if (allowPadding && i === -1) continue;
      if (!(i >= 0 && i < shape.tokens))
        throw new InvalidArgumentError(
          where(j),
          `a token index in [0, ${shape.tokens})${allowPadding ? ' or -1 (padding)' : ''}`,
          String(i),
          'range',
        );
      if (seen[i] === row)
        throw new InvalidArgumentError(where(j), 'distinct indices within a row', `${i} again`, 'duplicate');
      seen[i] = row;
      real++;
    }
    if (allowPadding && real === 0)
      throw new InvalidArgumentError(
        `${tensor.name}[${Math.floor(row / shape.queryHeads)}, ${row % shape.queryHeads}]`,
        'at least one real index per row',
        'only padding',
        'length',
      );
  }
  return indices;
}

function attentionShape(t: Readonly<Partial<Record<CaseTensorName, StoredTensor>>>): AttentionShape {
  const { q, k } = t as { q: StoredTensor; k: StoredTensor };
  if (q.shape.length !== 3)
    throw new InvalidArgumentError('q.shape', '[batch, queryHeads, headDim]', `[${q.shape.join(', ')}]`, 'shape');
  const [batch, queryHeads, headDim] = q.shape as [number, number, number];
  expectShape(k, [batch, 'kvHeads', 'tokens', headDim], '[batch, kvHeads, tokens, headDim]');
  const [, kvHeads, tokens] = k.shape as [number, number, number, number];
  for (const [name, n] of [
    ['q.shape[0] (batch)', batch],
    ['q.shape[1] (queryHeads)', queryHeads],
    ['q.shape[2] (headDim)', headDim],
    ['k.shape[1] (kvHeads)', kvHeads],
    ['k.shape[2] (tokens)', tokens],
  ] as const) {
    if (n < 1) throw new InvalidArgumentError(name, 'at least 1', String(n), 'shape');
  }
  if (queryHeads % kvHeads !== 0)
    throw new InvalidArgumentError(
      'k.shape[1] (kvHeads)',
      `a divisor of queryHeads = ${queryHeads}`,
      String(kvHeads),
      'shape',
    );
  let valueDim = 0;
  if (t.v) {
    expectShape(t.v, [batch, kvHeads, tokens, 'valueDim'], '[batch, kvHeads, tokens, valueDim]');
    valueDim = t.v.shape[3]!;
    if (valueDim < 1) throw new InvalidArgumentError('v.shape[3] (valueDim)', 'at least 1', String(valueDim), 'shape');
  }
  return { batch, queryHeads, kvHeads, tokens, headDim, valueDim };
}

function checkOutputShapes(t: Readonly<Partial<Record<CaseTensorName, StoredTensor>>>, s: AttentionShape): void {
  if (t.out) expectShape(t.out, [s.batch, s.queryHeads, s.valueDim], '[batch, queryHeads, valueDim]');
  if (t.delta) expectShape(t.delta, [s.batch, s.queryHeads], '[batch, queryHeads]');
  if (t.scores) expectShape(t.scores, [s.batch, s.queryHeads, s.tokens], '[batch, queryHeads, tokens]');
  if (t.indices) expectShape(t.indices, [s.batch, s.queryHeads, 'selected'], '[batch, queryHeads, selected]');
  if (t.topk) expectShape(t.topk, [s.batch, s.queryHeads, 'k'], '[batch, queryHeads, k]');
  if (t.topk && t.topk.shape[2]! > s.tokens)
    throw new InvalidArgumentError(
      'topk.shape[2] (k)',
      `at most tokens = ${s.tokens}`,
      String(t.topk.shape[2]),
      'shape',
    );
  if (t.indices && t.indices.shape[2]! < 1)
    throw new InvalidArgumentError('indices.shape[2] (selected)', 'at least 1', '0', 'shape');
}

/** Which tensors must come together, and what each needs. */
function checkPresence(t: Readonly<Partial<Record<CaseTensorName, StoredTensor>>>): void {
  if (!t.q)
    throw new InvalidArgumentError('q', 'a tensor q [batch, queryHeads, headDim]', 'no tensor q in the file', 'domain');
  if (!t.k)
    throw new InvalidArgumentError(
      'k',
      'a tensor k [batch, kvHeads, tokens, headDim]',
      'no tensor k in the file',
      'domain',
    );
  if (t.out && !t.v)
    throw new InvalidArgumentError(
      'v',
      'a tensor v [batch, kvHeads, tokens, valueDim] (out needs it)',
      'no tensor v in the file',
      'domain',
    );
  if (t.delta && !t.indices)
    throw new InvalidArgumentError(
      'indices',
      'the index lists whose dropped mass delta reports',
      'no tensor indices in the file',
      'domain',
    );
  if (!t.out && !t.delta && !t.scores && !t.topk)
    throw new InvalidArgumentError('FILE', 'at least one output tensor: out, delta, scores or topk', 'none', 'domain');
  for (const name of ['q', 'k', 'v', 'out', 'delta', 'scores'] as const) if (t[name]) expectFloat(t[name]);
}

function buildCase(file: StoredFile): OutputCase {
  const tensors: Partial<Record<CaseTensorName, StoredTensor>> = {};
  for (const [name, tensor] of file.tensors) {
    if (!(caseTensorNames as readonly string[]).includes(name))
      throw new InvalidArgumentError(
        name,
        `one of the tensors ${caseTensorNames.join(', ')}`,
        `an unknown tensor "${name}"`,
        'domain',
      );
    tensors[name as CaseTensorName] = tensor;
  }
  checkPresence(tensors);
  const shape = attentionShape(tensors);
  checkOutputShapes(tensors, shape);
  const lists = tensors.indices
    ? { indices: readIndexRows(tensors.indices, shape, true), selected: tensors.indices.shape[2]! }
    : null;
  const topk = tensors.topk ? { indices: readIndexRows(tensors.topk, shape, false), k: tensors.topk.shape[2]! } : null;
  return {
    shape,
    storage: storageDtype(file.metadata, tensors.q!),
    ...scaleOf(file.metadata, shape.headDim),
    precision: declaredPrecision(file.metadata),
    tensors,
    lists,
    topk,
    close: file.close,
  };
}

/** Opens and validates a case file; the caller closes it. */
export function readOutputCase(path: string): OutputCase {
  if (!existsSync(path))
    throw new InvalidArgumentError('FILE', 'an existing safetensors or .npz file', JSON.stringify(path), 'domain');
  const file = openStoredFile(path);
  try {
    return buildCase(file);
  } catch (error) {
    file.close();
    throw error;
  }
}
