/**
 * Little-endian weight bytes (fp32, fp16 or bf16) to float32 or float64 values. Every fp16 and
 * bf16 value is exactly a float32, so both conversions are exact.
 */
import { fp16FromBits } from '../numeric/halfPrecision.js';
import type { WeightDtype } from './config.js';

export const weightDtypeBytes: Readonly<Record<WeightDtype, number>> = { fp32: 4, fp16: 2, bf16: 2 };

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Words whose in-memory bytes are little-endian (swapped in place on a big-endian host). */
export function littleEndianWords<T extends Uint16Array | Uint32Array>(words: T): T {
  if (!littleEndianHost) {
    const buffer = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
    if (words instanceof Uint16Array) buffer.swap16();
    else buffer.swap32();
  }
  return words;
}

let fp16Values: Float32Array | undefined;
function fp16Table(): Float32Array {
  if (!fp16Values) fp16Values = Float32Array.from({ length: 65536 }, (_, bits) => fp16FromBits(bits));
  return fp16Values;
}

/** The bytes as host-order words: a view where they are aligned little-endian words already, else a copy. */
function hostOrderWords(
  bytes: Uint8Array,
  elementBytes: number,
): ArrayBuffer | { buffer: ArrayBufferLike; byteOffset: number } {
  if (littleEndianHost && bytes.byteOffset % elementBytes === 0)
    return { buffer: bytes.buffer, byteOffset: bytes.byteOffset };
  const copy = new Uint8Array(bytes);
  if (!littleEndianHost) {
    const buffer = Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
    if (elementBytes === 2) buffer.swap16();
    else buffer.swap32();
  }
  return copy.buffer;
}

/** The values of little-endian weight bytes, in a new array (never a view of `bytes`). */
export function decodeWeightsFloat32(dtype: WeightDtype, bytes: Uint8Array): Float32Array {
  const elementBytes = weightDtypeBytes[dtype];
  if (bytes.length % elementBytes !== 0)
    throw new RangeError(`${bytes.length} bytes is not a whole number of ${dtype} values`);
  const words = hostOrderWords(bytes, elementBytes);
  const count = bytes.length / elementBytes;
  const [buffer, byteOffset] = words instanceof ArrayBuffer ? [words, 0] : [words.buffer, words.byteOffset];
  if (dtype === 'fp32') return new Float32Array(buffer, byteOffset, count).slice();
  const halves = new Uint16Array(buffer, byteOffset, count);
  const out = new Float32Array(count);
  if (dtype === 'fp16') {
    const table = fp16Table();
    for (let i = 0; i < count; i++) out[i] = table[halves[i]!]!;
  } else {
    // bf16 is the top half of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = halves[i]! << 16;
  }
  return out;
}

export function decodeWeightsFloat64(dtype: WeightDtype, bytes: Uint8Array): Float64Array {
  return Float64Array.from(decodeWeightsFloat32(dtype, bytes));
}
