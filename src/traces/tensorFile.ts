/**
 * A named dense tensor as the trace files hold it, and the dtypes we read and write. Half
 * precision (f16, bf16) is widened to float32 on read; we write float32 or float64.
 */
import { InvalidArgumentError } from '../core/errors.js';

export type TensorDtype = 'f16' | 'bf16' | 'f32' | 'f64';

export interface FileTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array;
}

export const dtypeBytes: Readonly<Record<TensorDtype, number>> = { f16: 2, bf16: 2, f32: 4, f64: 8 };

/** Product of a shape, rejecting negative, non-integer and unsafe sizes. */
export function shapeSize(argument: string, shape: readonly unknown[]): number {
  let size = 1;
  shape.forEach((n, axis) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      throw new InvalidArgumentError(`${argument}.shape[${axis}]`, 'a non-negative integer', String(n), 'shape');
    size *= n;
  });
  if (!Number.isSafeInteger(size))
    throw new InvalidArgumentError(`${argument}.shape`, 'a size below 2^53', `[${shape.join(', ')}]`, 'shape');
  return size;
}

function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Decodes little-endian elements of `dtype` from bytes (copying, so alignment never matters). */
export function decodeElements(bytes: Uint8Array, dtype: TensorDtype, count: number): Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'f64') {
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
    return out;
  }
  const out = new Float32Array(count);
  if (dtype === 'f32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  else if (dtype === 'f16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
  else {
    const widened = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      widened.setUint32(0, view.getUint16(2 * i, true) << 16, false);
      out[i] = widened.getFloat32(0, false);
    }
  }
  return out;
}

/** Little-endian bytes of a float32 or float64 tensor. */
export function encodeElements(data: Float32Array | Float64Array): Uint8Array {
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float64Array) for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i]!, true);
  return out;
}
