import { describe, expect, it } from 'vitest';
import { decodeStorage, encodeStorage } from '../../src/numeric/storage.js';
import { decodeWeightsFloat32, decodeWeightsFloat64 } from '../../src/model/weightDecoding.js';

// Normal, subnormal, signed zero, infinities, the largest and smallest of each format, and NaN.
const specials = [
  0,
  -0,
  1,
  -1.5,
  0.1,
  65504,
  -65504,
  2 ** -24,
  2 ** -14,
  3e38,
  -1e-40,
  1e-45,
  Infinity,
  -Infinity,
  Number.NaN,
];

describe('decodeWeightsFloat32/64', () => {
  for (const dtype of ['fp32', 'fp16', 'bf16'] as const) {
    it(`decodes ${dtype} little-endian bytes exactly, aligned or not, without aliasing the input`, () => {
      const stored = encodeStorage(dtype, specials);
      const exact = decodeStorage(dtype, stored);
      const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
      const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
      unaligned.set(bytes);
      for (const input of [bytes, unaligned]) {
        expect(decodeWeightsFloat64(dtype, input)).toEqual(exact);
        expect(decodeWeightsFloat32(dtype, input)).toEqual(Float32Array.from(exact));
      }
      const decoded = decodeWeightsFloat32(dtype, bytes);
      decoded[0] = 42;
      expect(decodeStorage(dtype, stored)[0]).toBe(0);
    });
  }

  it('refuses a byte count that is not whole values', () => {
    expect(() => decodeWeightsFloat32('fp32', new Uint8Array(6))).toThrow(RangeError);
  });
});
