/** Test helper: writes check-output case files (safetensors) from typed arrays, like a foreign kernel's harness would. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttentionInputs } from '../../src/backends/kernelBackend.js';
import type { StorageDtype } from '../../src/numeric/storage.js';
import { encodeRawSafetensors, type RawTensor } from '../../src/traces/safetensors.js';

export type CaseArray = Float32Array | Float64Array | Uint16Array | Int32Array | BigInt64Array;

export interface CaseTensor {
  readonly shape: readonly number[];
  readonly data: CaseArray;
  /** Needed for Uint16Array (F16 or BF16 bits); inferred otherwise. */
  readonly dtype?: string;
}

/** The safetensors type name of each storage dtype. */
export const storageTypeName: Readonly<Record<StorageDtype, string>> = { fp32: 'F32', fp16: 'F16', bf16: 'BF16' };

/** The q, k and v tensors of a case, in its layout, from attention inputs in their storage dtype. */
export function inputTensors(inputs: AttentionInputs): Record<string, CaseTensor> {
  const s = inputs.shape;
  const dtype = storageTypeName[inputs.dtype];
  return {
    q: { shape: [s.batch, s.queryHeads, s.headDim], data: inputs.query, dtype },
    k: { shape: [s.batch, s.kvHeads, s.tokens, s.headDim], data: inputs.keys, dtype },
    v: { shape: [s.batch, s.kvHeads, s.tokens, s.valueDim], data: inputs.values, dtype },
  };
}

function dtypeOf(t: CaseTensor): string {
  if (t.dtype) return t.dtype;
  if (t.data instanceof Float32Array) return 'F32';
  if (t.data instanceof Float64Array) return 'F64';
  if (t.data instanceof Int32Array) return 'I32';
  if (t.data instanceof BigInt64Array) return 'I64';
  throw new Error('a Uint16Array needs dtype F16 or BF16');
}

const folder = mkdtempSync(join(tmpdir(), 'prhs-check-output-'));
let counter = 0;

/** Writes the tensors and metadata to a fresh file and returns its path. */
export function writeCase(
  tensors: Readonly<Record<string, CaseTensor>>,
  metadata: Readonly<Record<string, string>> = {},
): string {
  const raw = new Map<string, RawTensor>();
  for (const [name, t] of Object.entries(tensors))
    raw.set(name, {
      dtype: dtypeOf(t),
      shape: t.shape,
      bytes: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
    });
  const path = join(folder, `case-${counter++}.safetensors`);
  writeFileSync(path, encodeRawSafetensors(raw, metadata));
  return path;
}

/** A path in the helper's temporary folder for hand-made files. */
export function scratchPath(name: string): string {
  return join(folder, name);
}
