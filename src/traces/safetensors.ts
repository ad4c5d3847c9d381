/**
 * safetensors files: an 8-byte little-endian header length, a JSON header mapping tensor names
 * to {dtype, shape, data_offsets}, then the data. Every header field, every offset and the
 * total size are validated; errors name the tensor.
 */
import { decodeElements, dtypeBytes, encodeElements, shapeSize, type FileTensor, type TensorDtype } from './tensorFile.js';
import { TraceFileError } from './npy.js';

const safetensorsDtypes: Readonly<Record<string, TensorDtype>> = { F16: 'f16', BF16: 'bf16', F32: 'f32', F64: 'f64' };

export interface SafetensorsContents {
  readonly tensors: ReadonlyMap<string, FileTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** One tensor's header entry: its dtype name as written, shape and byte range in the data section. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Byte offset of the data section in the file. */
  readonly dataStart: number;
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** Length of the JSON header from the file's first 8 bytes, checked against the file's size. */
export function safetensorsHeaderLength(first: Uint8Array, fileLength: number): number {
  if (fileLength < 8 || first.length < 8) throw new TraceFileError('header', `file of ${fileLength} bytes is too short for a safetensors header`);
  const headerLength = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(fileLength - 8)) throw new TraceFileError('header', `declares ${headerLength} header bytes but the file has ${fileLength - 8} after the length`);
  return Number(headerLength);
}

function dtypeList(names: readonly string[]): string {
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * Parses and validates the JSON header (`json` is its bytes): every entry's dtype must be a key of
 * `elementBytes` (its size in bytes), its offsets must match its shape, lie inside the data
 * section of `dataLength` bytes and not overlap another tensor's.
 */
export function parseSafetensorsHeader(json: Uint8Array, dataLength: number, elementBytes: Readonly<Record<string, number>>): SafetensorsHeader {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (error) {
    throw new TraceFileError('header', `not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new TraceFileError('header', 'expected a JSON object');
  const entries: SafetensorsEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object') throw new TraceFileError('__metadata__', 'expected an object of strings');
      metadata = Object.fromEntries(Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const info = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object') throw new TraceFileError(name, 'header entry is not an object');
    const size = typeof info.dtype === 'string' && Object.hasOwn(elementBytes, info.dtype) ? elementBytes[info.dtype]! : undefined;
    if (size === undefined) throw new TraceFileError(name, `dtype ${JSON.stringify(info.dtype)} is not supported (expected ${dtypeList(Object.keys(elementBytes))})`);
    if (!Array.isArray(info.shape)) throw new TraceFileError(name, 'shape is not an array');
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((x) => Number.isSafeInteger(x) && x >= 0) || offsets[0] > offsets[1]) {
      throw new TraceFileError(name, `data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as [number, number];
    const count = shapeSize(name, info.shape);
    if (end - begin !== count * size) throw new TraceFileError(name, `shape [${info.shape.join(', ')}] of ${info.dtype} needs ${count * size} bytes, data_offsets span ${end - begin}`);
    if (end > dataLength) throw new TraceFileError(name, `truncated: its data ends at byte ${end} of the data section, which has ${dataLength}`);
    entries.push({ name, dtype: info.dtype as string, shape: info.shape as number[], begin, end });
  }
  const ranges = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]!.begin < ranges[i - 1]!.end) throw new TraceFileError(ranges[i]!.name, `data overlaps tensor "${ranges[i - 1]!.name}"`);
  }
  return { dataStart: 8 + json.length, entries, metadata };
}

export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  const headerLength = safetensorsHeaderLength(bytes, bytes.length);
  const dataStart = 8 + headerLength;
  const sizes = Object.fromEntries(Object.entries(safetensorsDtypes).map(([name, dtype]) => [name, dtypeBytes[dtype]]));
  const header = parseSafetensorsHeader(bytes.subarray(8, dataStart), bytes.length - dataStart, sizes);
  const tensors = new Map<string, FileTensor>();
  for (const { name, dtype, shape, begin, end } of header.entries) {
    const type = safetensorsDtypes[dtype]!;
    tensors.set(name, { shape, data: decodeElements(bytes.subarray(dataStart + begin, dataStart + end), type, (end - begin) / dtypeBytes[type]) });
  }
  return { tensors, metadata: header.metadata };
}

/** One tensor to write: its safetensors dtype name, shape and little-endian bytes. */
export interface RawTensor {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

/** Encodes raw tensors (in the given order, 8-byte aligned data) with optional string metadata. */
export function encodeRawSafetensors(tensors: ReadonlyMap<string, RawTensor>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
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
export function encodeSafetensors(tensors: ReadonlyMap<string, FileTensor>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const raw = new Map<string, RawTensor>();
  for (const [name, tensor] of tensors) raw.set(name, { dtype: tensor.data instanceof Float64Array ? 'F64' : 'F32', shape: tensor.shape, bytes: encodeElements(tensor.data) });
  return encodeRawSafetensors(raw, metadata);
}
