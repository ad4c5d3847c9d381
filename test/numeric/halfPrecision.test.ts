import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bf16Bits,
  bf16FromBits,
  fp16Bits,
  fp16FromBits,
  roundToBf16,
  roundToFp16,
} from '../../src/numeric/halfPrecision.js';
import { decodeStorage, encodeStorage } from '../../src/numeric/storage.js';
import { loadNativeAddon } from '../../src/backends/nativeAddon.js';

const native = loadNativeAddon('native', 'prhs_native.node', 'PRHS_NATIVE_ADDON');

describe('fp16 / bf16 rounding', () => {
  it('every non-NaN fp16 and bf16 bit pattern round-trips exactly', () => {
    for (let b = 0; b < 65536; b++) {
      const x = fp16FromBits(b);
      if (!Number.isNaN(x)) expect(fp16Bits(x)).toBe(b);
      const y = bf16FromBits(b);
      if (!Number.isNaN(y)) expect(bf16Bits(y)).toBe(b);
    }
  });

  // The encoders round from the float64 bits; roundToFp16/roundToBf16 (binade by Math.log2, then a
  // grid) are the specification they must match, sign of zero and NaN included.
  const sameAs = (encoded: number, specified: number) =>
    Object.is(encoded, specified) || (Number.isNaN(encoded) && Number.isNaN(specified));
  it('the bit encoders agree with the rounding specification on every double (property)', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        expect(sameAs(fp16FromBits(fp16Bits(x)), roundToFp16(x))).toBe(true);
        expect(sameAs(bf16FromBits(bf16Bits(x)), roundToBf16(x))).toBe(true);
      }),
      { numRuns: 20000 },
    );
  });

  it('the bit encoders agree with the specification at every midpoint between neighbours, and one float64 ulp either side', () => {
    const nextUp = (x: number) => {
      const view = new Float64Array([x]);
      const bits = new BigInt64Array(view.buffer);
      bits[0] = bits[0]! + (x >= 0 ? 1n : -1n);
      return view[0]!;
    };
    const nextDown = (x: number) => -nextUp(-x);
    const cases: [(x: number) => number, (b: number) => number, (x: number) => number][] = [
      [fp16Bits, fp16FromBits, roundToFp16],
      [bf16Bits, bf16FromBits, roundToBf16],
    ];
    for (const [bits, fromBits, round] of cases) {
      for (let b = 0; b < 0x7fff; b++) {
        const low = fromBits(b),
          up = fromBits(b + 1);
        if (!Number.isFinite(low) || Number.isNaN(up)) continue;
        const middle = Number.isFinite(up) ? (low + up) / 2 : low + (low - fromBits(b - 1)) / 2; // past the largest finite: where Infinity starts
        for (const x of [middle, nextUp(middle), nextDown(middle)]) {
          for (const signed of [x, -x]) expect(sameAs(fromBits(bits(signed)), round(signed))).toBe(true);
        }
      }
    }
  });

  it('rounds to nearest, ties to even, overflow to Infinity', () => {
    expect(roundToFp16(1 + 2 ** -11)).toBe(1); // tie → even (down)
    expect(roundToFp16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9); // tie → even (up)
    expect(roundToFp16(65519.99)).toBe(65504);
    expect(roundToFp16(65520)).toBe(Infinity);
    expect(roundToFp16(2 ** -25)).toBe(0); // half the smallest subnormal: tie → 0 (even)
    expect(roundToFp16(3 * 2 ** -26)).toBe(2 ** -24);
    expect(roundToBf16(1 + 2 ** -8)).toBe(1);
    expect(Object.is(roundToBf16(-1e-50), -0)).toBe(true);
  });

  it('the rounded value is a nearest representable number (against its two neighbours)', () => {
    fc.assert(
      fc.property(fc.double({ min: -70000, max: 70000, noNaN: true, noDefaultInfinity: true }), (x) => {
        const r = roundToFp16(x);
        if (!Number.isFinite(r)) return Math.abs(x) >= 65520;
        const b = fp16Bits(r);
        const neighbours = [fp16FromBits((b + 1) & 0xffff), fp16FromBits((b - 1) & 0xffff)].filter(Number.isFinite);
        return neighbours.every((n) => Math.abs(x - r) <= Math.abs(x - n));
      }),
    );
  });

  it('encode/decode of storage arrays is exact for representable values', () => {
    const values = [0, -0, 1, -2.5, 65504, 2 ** -24, Infinity];
    expect(Array.from(decodeStorage('fp16', encodeStorage('fp16', values)))).toEqual(values);
    expect(Array.from(decodeStorage('bf16', encodeStorage('bf16', [1, -3, 2 ** 100])))).toEqual([1, -3, 2 ** 100]);
  });

  it.runIf(native.ok)('TypeScript and C++ conversions agree on random fp32 values', () => {
    if (!native.ok) return;
    fc.assert(
      fc.property(fc.float32Array({ minLength: 1, maxLength: 64, noNaN: true }), (values) => {
        const fp16 = native.addon.roundToStorage({ dtype: 'fp16', values });
        const bf16 = native.addon.roundToStorage({ dtype: 'bf16', values });
        values.forEach((x, i) => {
          expect(fp16[i]).toBe(fp16Bits(x));
          expect(bf16[i]).toBe(bf16Bits(x));
        });
        expect(Array.from(native.addon.widenStorage({ dtype: 'fp16', bits: fp16 }))).toEqual(
          Array.from(fp16, fp16FromBits).map(Math.fround),
        );
      }),
    );
  });
});
