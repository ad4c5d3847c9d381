/**
 * Tensors of a file read lazily, one slice at a time, so a check over gigabytes of keys and
 * values holds one KV head in memory instead of the whole file. Elements are little-endian (the
 * safetensors and .npy conventions); floats decode exactly to float64, integers to Int32Array.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { InvalidArgumentError } from '../core/errors.js';
import { readExactly } from '../io/readExactly.js';
import { decodeStorage } from '../numeric/storage.js';
import { TraceFileError } from '../traces/npy.js';
import { parseSafetensorsHeader, safetensorsHeaderLength } from '../traces/safetensors.js';

/** Element types we read, named as safetensors names them. */
export type ElementType = 'F16' | 'BF16' | 'F32' | 'F64' | 'I32' | 'I64';
export const elementBytes: Readonly<Record<ElementType, number>> = { F16: 2, BF16: 2, F32: 4, F64: 8, I32: 4, I64: 8 };
export const isFloatType = (t: ElementType): boolean => t.startsWith('F') || t === 'BF16';

export interface StoredTensor {
  readonly name: string;
  readonly type: ElementType;
  readonly shape: readonly number[];
  /** Raw bytes of `count` elements from element `start` (a fresh, aligned buffer). */
  readonly read: (start: number, count: number) => Uint8Array;
}

export interface StoredFile {
  readonly tensors: ReadonlyMap<string, StoredTensor>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly close: () => void;
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  return readExactly(fd, {
    position,
    length,
    truncated: (done) =>
      new InvalidArgumentError('FILE', `${length} bytes at offset ${position}`, `end of file after ${done}`, 'length'),
  });
}

/** Opens a safetensors file and validates its header; the data is read on demand. */
export function openSafetensors(path: string): StoredFile {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const fail = (tensor: string | undefined, problem: string): Error =>
      new TraceFileError(tensor ?? 'header', problem);
    const headerLength = safetensorsHeaderLength(readAt(fd, 0, Math.min(8, size)), size, fail);
    const header = parseSafetensorsHeader(readAt(fd, 8, headerLength), size - 8 - headerLength, elementBytes, fail);
    const dataStart = 8 + headerLength;
    const tensors = new Map<string, StoredTensor>();
    for (const entry of header.entries) {
      const type = entry.dtype as ElementType;
      const width = elementBytes[type];
      const at = dataStart + entry.begin;
      tensors.set(entry.name, {
        name: entry.name,
        type,
        shape: entry.shape,
        read: (start, count) => readAt(fd, at + start * width, count * width),
      });
    }
    return { tensors, metadata: header.metadata, close: () => closeSync(fd) };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

let fp16Values: Float64Array | undefined;

/**
 * Elements [start, start + count) of a float tensor decoded exactly into `target` (reused across
 * KV heads: fresh 32 MB arrays per head cost more in page faults than the decoding itself).
 */
export function readFloatsInto(tensor: StoredTensor, start: number, count: number, target: Float64Array): Float64Array {
  const bytes = tensor.read(start, count);
  if (tensor.type === 'F16') {
    fp16Values ??= decodeStorage(
      'fp16',
      Uint16Array.from({ length: 65536 }, (_, i) => i),
    );
    const bits = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    for (let i = 0; i < count; i++) target[i] = fp16Values[bits[i]!]!;
  } else if (tensor.type === 'BF16') {
    const widened = new Uint32Array(1);
    const asFloat = new Float32Array(widened.buffer);
    const bits = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    for (let i = 0; i < count; i++) {
      widened[0] = bits[i]! << 16;
      target[i] = asFloat[0]!;
    }
  } else if (tensor.type === 'F32') {
    target.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
  } else {
    target.set(readFloats(tensor, start, count));
  }
  return target;
}

/** Elements [start, start + count) of a float tensor as exact float64 values. */
export function readFloats(tensor: StoredTensor, start: number, count: number): Float64Array {
  const bytes = tensor.read(start, count);
  switch (tensor.type) {
    case 'F16':
      return decodeStorage('fp16', new Uint16Array(bytes.buffer, bytes.byteOffset, count));
    case 'BF16':
      return decodeStorage('bf16', new Uint16Array(bytes.buffer, bytes.byteOffset, count));
    case 'F32':
      return Float64Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, count));
    case 'F64':
      return new Float64Array(bytes.buffer, bytes.byteOffset, count);
    default:
      throw new InvalidArgumentError(
        tensor.name,
        'a float tensor (F16, BF16, F32 or F64)',
        `dtype ${tensor.type}`,
        'type',
      );
  }
}

/** Elements of an integer tensor; values outside the int32 range are rejected (they index nothing). */
export function readIntegers(tensor: StoredTensor, start: number, count: number): Int32Array {
  const bytes = tensor.read(start, count);
  if (tensor.type === 'I32') return new Int32Array(bytes.buffer, bytes.byteOffset, count);
  if (tensor.type !== 'I64')
    throw new InvalidArgumentError(tensor.name, 'an integer tensor (I32 or I64)', `dtype ${tensor.type}`, 'type');
  const wide = new BigInt64Array(bytes.buffer, bytes.byteOffset, count);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = wide[i]!;
    if (v < -2147483648n || v > 2147483647n)
      throw new InvalidArgumentError(`${tensor.name}[${start + i}]`, 'an index in the int32 range', String(v), 'range');
    out[i] = Number(v);
  }
  return out;
}
