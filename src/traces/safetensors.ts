/**
 * safetensors files: an 8-byte little-endian header length, a JSON header mapping tensor names
 * to {dtype, shape, data_offsets}, then the data. Every header field, every offset and the
 * total size are validated; errors name the tensor. The header checks are shared with model
 * checkpoints (src/model/checkpoint.ts), which read only the header and then the data lazily.
 */
import {
  decodeElements,
  dtypeBytes,
  encodeElements,
  shapeSize,
  type FileTensor,
  type TensorDtype,
} from './tensorFile.js';
import { TraceFileError } from './npy.js';

const safetensorsDtypes: Readonly<Record<string, TensorDtype>> = { F16: 'f16', BF16: 'bf16', F32: 'f32', F64: 'f64' };
const traceDtypeBytes: Readonly<Record<string, number>> = { F16: 2, BF16: 2, F32: 4, F64: 8 };

export interface SafetensorsContents {
  readonly tensors: ReadonlyMap<string, FileTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The safetensors library refuses headers above 100 MB; so do we (before allocating them). */
export const maxSafetensorsHeaderBytes = 100_000_000;

/** One tensor of a safetensors header: offsets are relative to the start of the data section. */
export interface SafetensorsEntry {
  readonly name: string;
  /** As written in the header: F16, BF16, F32, ... */
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** Builds the caller's error for a header problem; tensor is undefined for the header as a whole. */
export type SafetensorsFailure = (tensor: string | undefined, problem: string) => Error;

/**
 * The header length declared by a file's first 8 bytes, checked against the file's size and
 * against maxSafetensorsHeaderBytes.
 */
export function safetensorsHeaderLength(prefix: Uint8Array, fileBytes: number, fail: SafetensorsFailure): number {
  if (fileBytes < 8 || prefix.length < 8)
    throw fail(undefined, `file of ${fileBytes} bytes is too short for a safetensors header`);
  const headerLength = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(fileBytes - 8))
    throw fail(undefined, `declares ${headerLength} header bytes but the file has ${fileBytes - 8} after the length`);
  if (headerLength > BigInt(maxSafetensorsHeaderBytes))
    throw fail(undefined, `declares ${headerLength} header bytes, more than the ${maxSafetensorsHeaderBytes} allowed`);
  return Number(headerLength);
}

/**
 * Parses and validates a header: JSON object, each entry's dtype (one of `dtypeBytes`' keys),
 * shape, data_offsets spanning exactly the shape's bytes, data inside the `dataLength` bytes of
 * the data section (else truncated), and no two tensors' data overlapping.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  dataLength: number,
  dtypeBytes: Readonly<Record<string, number>>,
  fail: SafetensorsFailure,
): SafetensorsHeader {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw fail(undefined, `header is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw fail(undefined, 'header is not a JSON object');
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  const dtypeList = Object.keys(dtypeBytes);
  const expectedDtypes = `${dtypeList.slice(0, -1).join(', ')} or ${dtypeList.at(-1)}`;
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object') throw fail('__metadata__', 'expected an object of strings');
      metadata = Object.fromEntries(Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const info = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object') throw fail(name, 'header entry is not an object');
    const elementBytes =
      typeof info.dtype === 'string' && Object.hasOwn(dtypeBytes, info.dtype) ? dtypeBytes[info.dtype]! : undefined;
    if (elementBytes === undefined)
      throw fail(name, `dtype ${JSON.stringify(info.dtype)} is not supported (expected ${expectedDtypes})`);
    if (!Array.isArray(info.shape)) throw fail(name, 'shape is not an array');
    const offsets = info.data_offsets;
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((x) => Number.isSafeInteger(x) && x >= 0) ||
      offsets[0] > offsets[1]
    ) {
      throw fail(name, `data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as [number, number];
    let count: number;
    try {
      count = shapeSize(name, info.shape);
    } catch (error) {
      throw fail(
        name,
        `shape ${JSON.stringify(info.shape)} is not a list of non-negative integers (${(error as Error).message})`,
      );
    }
    if (end - begin !== count * elementBytes)
      throw fail(
        name,
        `shape [${info.shape.join(', ')}] of ${info.dtype} needs ${count * elementBytes} bytes, data_offsets span ${end - begin}`,
      );
    if (end > dataLength)
      throw fail(name, `truncated: its data ends at byte ${end} of the data section, which has ${dataLength}`);
    entries.push({ name, dtype: info.dtype as string, shape: info.shape as number[], begin, end });
  }
  const ranges = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.begin < ranges[i - 1]!.end)
      throw fail(
        ranges[i]!.name,
        `data [${ranges[i]!.begin}, ${ranges[i]!.end}) overlaps tensor "${ranges[i - 1]!.name}" [${ranges[i - 1]!.begin}, ${ranges[i - 1]!.end})`,
      );
  }
  return { entries, metadata };
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  const fail: SafetensorsFailure = (tensor, problem) => new TraceFileError(tensor ?? 'header', problem);
  const headerLength = safetensorsHeaderLength(bytes, bytes.length, fail);
  const dataStart = 8 + headerLength;
  const { entries, metadata } = parseSafetensorsHeader(
    bytes.subarray(8, dataStart),
    bytes.length - dataStart,
    traceDtypeBytes,
    fail,
  );
  const tensors = new Map<string, FileTensor>();
  for (const { name, dtype, shape, begin, end } of entries) {
    const type = safetensorsDtypes[dtype]!;
    tensors.set(name, {
      shape,
      data: decodeElements(bytes.subarray(dataStart + begin, dataStart + end), type, (end - begin) / dtypeBytes[type]),
    });
  }
  return { tensors, metadata };
}

/** One tensor to write: its safetensors dtype name, shape and little-endian bytes. */
export interface RawTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** Encodes raw tensors (in the given order, 8-byte aligned data) with optional string metadata. */
export function encodeRawSafetensors(
  tensors: ReadonlyMap<string, RawTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.bytes.length] };
    offset += tensor.bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const tensor of tensors.values()) {
    out.set(tensor.bytes, position);
    position += tensor.bytes.length;
  }
  return out;
}

/** Encodes float tensors (in the given order, 8-byte aligned data) with optional string metadata. */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, FileTensor>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const raw = new Map<string, RawTensor>();
  for (const [name, tensor] of tensors)
    raw.set(name, {
      dtype: tensor.data instanceof Float64Array ? 'F64' : 'F32',
      shape: tensor.shape,
      bytes: encodeElements(tensor.data),
    });
  return encodeRawSafetensors(raw, metadata);
}
