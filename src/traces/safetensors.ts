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

export function decodeSafetensors(bytes: Uint8Array): SafetensorsContents {
  if (bytes.length < 8) throw new TraceFileError('header', `file of ${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) throw new TraceFileError('header', `declares ${headerLength} header bytes but the file has ${bytes.length - 8} after the length`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    throw new TraceFileError('header', `not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new TraceFileError('header', 'expected a JSON object');
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, FileTensor>();
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object') throw new TraceFileError('__metadata__', 'expected an object of strings');
      metadata = Object.fromEntries(Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    const info = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== 'object') throw new TraceFileError(name, 'header entry is not an object');
    const dtype = typeof info.dtype === 'string' ? safetensorsDtypes[info.dtype] : undefined;
    if (!dtype) throw new TraceFileError(name, `dtype ${JSON.stringify(info.dtype)} is not supported (expected F16, BF16, F32 or F64)`);
    if (!Array.isArray(info.shape)) throw new TraceFileError(name, 'shape is not an array');
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((x) => Number.isSafeInteger(x) && x >= 0) || offsets[0] > offsets[1]) {
      throw new TraceFileError(name, `data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 ≤ begin ≤ end`);
    }
    const [begin, end] = offsets as [number, number];
    const count = shapeSize(name, info.shape);
    if (end - begin !== count * dtypeBytes[dtype]) throw new TraceFileError(name, `shape [${info.shape.join(', ')}] of ${info.dtype} needs ${count * dtypeBytes[dtype]} bytes, data_offsets span ${end - begin}`);
    if (end > dataLength) throw new TraceFileError(name, `truncated: its data ends at byte ${end} of the data section, which has ${dataLength}`);
    ranges.push([begin, end, name]);
    tensors.set(name, { shape: info.shape as number[], data: decodeElements(bytes.subarray(dataStart + begin, dataStart + end), dtype, count) });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i]![0] < ranges[i - 1]![1]) throw new TraceFileError(ranges[i]![2], `data overlaps tensor "${ranges[i - 1]![2]}"`);
  }
  return { tensors, metadata };
}

/** Encodes tensors (in the given order, 8-byte aligned data) with optional string metadata. */
export function encodeSafetensors(tensors: ReadonlyMap<string, FileTensor>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const data = encodeElements(tensor.data);
    header[name] = { dtype: tensor.data instanceof Float64Array ? 'F64' : 'F32', shape: tensor.shape, data_offsets: [offset, offset + data.length] };
    chunks.push(data);
    offset += data.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.length;
  }
  return out;
}
