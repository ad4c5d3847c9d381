/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0) holding one little-endian float tensor in
 * C order. Headers, dtypes and sizes are validated; errors name the tensor.
 */
import { PrhsError } from '../core/errors.js';
import {
  decodeElements,
  dtypeBytes,
  encodeElements,
  shapeSize,
  type FileTensor,
  type TensorDtype,
} from './tensorFile.js';

/** A trace file is malformed: names the file's tensor and what is wrong. */
export class TraceFileError extends PrhsError {
  override name = 'TraceFileError';
  constructor(
    readonly tensor: string,
    problem: string,
  ) {
    super(`tensor "${tensor}": ${problem}`);
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const npyDtypes: Readonly<Record<string, TensorDtype>> = { '<f2': 'f16', '<f4': 'f32', '<f8': 'f64' };

/** A .npy header: the dtype descriptor as written (e.g. '<f4'), the shape, and where the data starts. */
export interface NpyHeader {
  readonly descr: string;
  readonly shape: readonly number[];
  readonly dataStart: number;
}

/** Parses and validates a .npy header from the file's first bytes (enough to hold it); `tensor` names it in errors. */
export function parseNpyHeader(bytes: Uint8Array, tensor: string): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new TraceFileError(tensor, 'not a .npy file (missing the \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new TraceFileError(tensor, `unsupported .npy format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw new TraceFileError(tensor, 'truncated .npy header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lengthBytes + headerLength;
  if (dataStart > bytes.length)
    throw new TraceFileError(
      tensor,
      `truncated .npy header (declares ${headerLength} bytes, file has ${bytes.length - 8 - lengthBytes})`,
    );
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new TraceFileError(tensor, `malformed .npy header ${JSON.stringify(header.trim().slice(0, 120))}`);
  if (fortran === 'True')
    throw new TraceFileError(tensor, 'Fortran-order arrays are not supported (save with C order)');
  const parts = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const shape = parts.map((s) => (/^\d+$/.test(s) ? Number(s) : Number.NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) throw new TraceFileError(tensor, `malformed shape (${shapeText})`);
  return { descr, shape, dataStart };
}

/** Decodes a .npy file's bytes; `tensor` names it in errors. */
export function decodeNpy(bytes: Uint8Array, tensor: string): FileTensor {
  const { descr, shape, dataStart } = parseNpyHeader(bytes, tensor);
  const dtype = npyDtypes[descr];
  if (!dtype) throw new TraceFileError(tensor, `dtype ${descr} is not supported (expected <f2, <f4 or <f8)`);
  const count = shapeSize(tensor, shape);
  const need = count * dtypeBytes[dtype];
  const have = bytes.length - dataStart;
  if (have < need)
    throw new TraceFileError(
      tensor,
      `truncated data: shape [${shape.join(', ')}] of ${descr} needs ${need} bytes, the file has ${have}`,
    );
  if (have > need)
    throw new TraceFileError(tensor, `${have - need} trailing bytes after the data of shape [${shape.join(', ')}]`);
  return { shape, data: decodeElements(bytes.subarray(dataStart), dtype, count) };
}

/** Encodes a float32/float64 tensor as a version 1.0 .npy file (header padded to 64 bytes). */
export function encodeNpy(tensor: FileTensor): Uint8Array {
  const descr = tensor.data instanceof Float64Array ? '<f8' : '<f4';
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  if (headerBytes.length > 0xffff) throw new TraceFileError('header', 'shape too long for a version 1.0 header');
  const data = encodeElements(tensor.data);
  const out = new Uint8Array(10 + headerBytes.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(data, 10 + headerBytes.length);
  return out;
}
