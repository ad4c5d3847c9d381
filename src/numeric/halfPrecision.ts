/**
 * IEEE binary16 (fp16) and bfloat16 (bf16) rounding in TypeScript, round-to-nearest-even, from a
 * float64 directly (no double rounding through fp32). Used to make the rounded inputs that the
 * kernels and the float64 reference both see, and by the naive same-precision implementations.
 */

/** Rounds x to nearest, ties to even, on a grid of spacing 2^exponent (exact in float64). */
function roundToGrid(x: number, exponent: number): number {
  const spacing = 2 ** exponent;
  const y = x / spacing; // exact: division by a power of two
  const floor = Math.floor(y);
  const fraction = y - floor;
  let n = floor;
  if (fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0)) n = floor + 1;
  return n * spacing;
}

/** floor(log2 |x|) for finite x ≠ 0, corrected for Math.log2's last-bit errors. */
function binaryExponent(x: number): number {
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  else if (2 ** (e + 1) <= a) e += 1;
  return e;
}

/** A binary floating-point format: precision p (significand bits incl. the hidden one), emin, max finite. */
interface BinaryFormat {
  readonly precision: number;
  readonly minExponent: number;
  readonly maxFinite: number;
}

const fp16Format: BinaryFormat = { precision: 11, minExponent: -14, maxFinite: 65504 };
const bf16Format: BinaryFormat = { precision: 8, minExponent: -126, maxFinite: (2 - 2 ** -7) * 2 ** 127 };

function roundToFormat(x: number, format: BinaryFormat): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const exponent = Math.max(binaryExponent(x), format.minExponent);
  const rounded = roundToGrid(x, exponent - (format.precision - 1));
  // Overflow: anything that rounds past the largest finite value becomes ±Infinity (IEEE RNE).
  if (Math.abs(rounded) > format.maxFinite) return x > 0 ? Infinity : -Infinity;
  return rounded === 0 ? (x < 0 ? -0 : 0) : rounded;
}

/** x rounded to the nearest fp16 value (ties to even), as a number. */
export function roundToFp16(x: number): number {
  return roundToFormat(x, fp16Format);
}

/** x rounded to the nearest bf16 value (ties to even), as a number. */
export function roundToBf16(x: number): number {
  return roundToFormat(x, bf16Format);
}

const scratch = new DataView(new ArrayBuffer(4));

/** The fp16 bit pattern of x (rounded to nearest even). NaN becomes the quiet NaN 0x7e00. */
export function fp16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const r = roundToFp16(x);
  const sign = r < 0 || Object.is(r, -0) ? 0x8000 : 0;
  const a = Math.abs(r);
  if (a === Infinity) return sign | 0x7c00;
  if (a === 0) return sign;
  if (a < 2 ** -14) return sign | (a / 2 ** -24); // subnormal: an integer multiple of 2^-24
  const e = binaryExponent(a);
  const mantissa = a / 2 ** e - 1; // in [0, 1), a multiple of 2^-10
  return sign | ((e + 15) << 10) | (mantissa * 1024);
}

/** The number an fp16 bit pattern encodes (exact). */
export function fp16FromBits(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The bf16 bit pattern of x (rounded to nearest even). NaN becomes a quiet NaN. */
export function bf16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  scratch.setFloat32(0, roundToBf16(x)); // exact: a bf16 value is an fp32 value
  return scratch.getUint32(0) >>> 16;
}

/** The number a bf16 bit pattern encodes (exact). */
export function bf16FromBits(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}
