/**
 * Storage dtypes of kernel inputs: fp32 in a Float32Array, fp16 and bf16 as bit patterns in a
 * Uint16Array. Encoding rounds to nearest even; decoding to float64 is exact, so the float64
 * reference can run on exactly the values a kernel saw.
 */
import { bf16Bits, bf16FromBits, fp16Bits, fp16FromBits, roundToBf16, roundToFp16 } from './halfPrecision.js';

export type StorageDtype = 'fp32' | 'fp16' | 'bf16';
export const storageDtypes: readonly StorageDtype[] = ['fp32', 'fp16', 'bf16'];

/** fp32 data, or fp16/bf16 bit patterns. */
export type StorageArray = Float32Array | Uint16Array;

/** Unit roundoff u = 2^-p of a format (half an ulp at 1). */
export function unitRoundoff(dtype: StorageDtype | 'fp64'): number {
  switch (dtype) {
    case 'fp64':
      return 2 ** -53;
    case 'fp32':
      return 2 ** -24;
    case 'fp16':
      return 2 ** -11;
    case 'bf16':
      return 2 ** -8;
  }
}

/** x rounded to the dtype (as a number). */
export function roundTo(dtype: StorageDtype, x: number): number {
  switch (dtype) {
    case 'fp32':
      return Math.fround(x);
    case 'fp16':
      return roundToFp16(x);
    case 'bf16':
      return roundToBf16(x);
  }
}

/** Rounds each value to the dtype and stores it. */
export function encodeStorage(dtype: StorageDtype, values: ArrayLike<number>): StorageArray {
  if (dtype === 'fp32') return Float32Array.from(values);
  const out = new Uint16Array(values.length);
  const bits = dtype === 'fp16' ? fp16Bits : bf16Bits;
  for (let i = 0; i < values.length; i++) out[i] = bits(values[i]!);
  return out;
}

/** The stored values as float64 (exact). */
export function decodeStorage(dtype: StorageDtype, data: StorageArray): Float64Array {
  if (dtype === 'fp32') return Float64Array.from(data as Float32Array);
  const out = new Float64Array(data.length);
  if (dtype === 'fp16') {
    // A 64K-entry table makes decoding a million values cheap.
    const table = fp16Table();
    for (let i = 0; i < data.length; i++) out[i] = table[data[i]!]!;
  } else {
    for (let i = 0; i < data.length; i++) out[i] = bf16FromBits(data[i]!);
  }
  return out;
}

let fp16Values: Float64Array | undefined;
function fp16Table(): Float64Array {
  if (!fp16Values) {
    fp16Values = new Float64Array(65536);
    for (let b = 0; b < 65536; b++) fp16Values[b] = fp16FromBits(b);
  }
  return fp16Values;
}

/** The TypedArray kind that stores a dtype. */
export function isStorageOf(dtype: StorageDtype, data: unknown): data is StorageArray {
  return dtype === 'fp32' ? data instanceof Float32Array : data instanceof Uint16Array;
}
