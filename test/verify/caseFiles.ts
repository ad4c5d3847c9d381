/** Test helper: writes check-output case files (safetensors) from typed arrays, like a foreign kernel's harness would. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRawSafetensors, type RawTensor } from '../../src/traces/safetensors.js';

export type CaseArray = Float32Array | Float64Array | Uint16Array | Int32Array | BigInt64Array;

export interface CaseTensor {
  readonly shape: readonly number[];
  readonly data: CaseArray;
  /** Needed for Uint16Array (F16 or BF16 bits); inferred otherwise. */
  readonly dtype?: string;
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
