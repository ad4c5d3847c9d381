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

// One float64's bits, read as two 32-bit words: the encoders below round from the bits, with no
// Math.log2 (encoding the inputs of a million-token check spent most of its time in it).
const wordsView = new Float64Array(1);
const words = new Uint32Array(wordsView.buffer);
const high = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // the sign-and-exponent word
// 2^k for k in [−150, 150] (exact), faster than ** in the encoders' inner step.
const powersOfTwo = Float64Array.from({ length: 301 }, (_, i) => 2 ** (i - 150));

/**
 * The 16-bit pattern of x in a binary format with `precision` significand bits (the hidden one
 * included) and exponent bias `bias` (sign in bit 15), rounded to nearest even. With e the
 * binade of |x| clamped below to the format's smallest normal exponent 1 − bias, y = |x| / 2^(e − p + 1)
 * is exact (a power-of-two scaling, y < 2^p) and its rounded integer n is the significand; the
 * pattern is ((e + bias − 1) << (p − 1)) + n, where n = 2^p carries into the next binade (up to
 * Infinity, the first pattern past the largest finite) and n < 2^(p − 1) at e = 1 − bias is a
 * subnormal. Agrees with roundToFormat (the specification above) on every float64: tested.
 */
function encode(x: number, precision: number, bias: number): number {
  const infinity = (2 * bias + 1) << (precision - 1); // all-ones exponent, zero significand
  if (x !== x) return infinity | (1 << (precision - 2)); // the quiet NaN: top significand bit set
  wordsView[0] = x;
  const top = words[high]!;
  const sign = top >>> 31 ? 0x8000 : 0;
  const binade = ((top >>> 20) & 0x7ff) - 1023;
  if (binade > bias) return sign | infinity; // ≥ 2^(bias + 1): past the largest finite, or ±Infinity
  const e = binade < 1 - bias ? 1 - bias : binade;
  const y = Math.abs(x) * powersOfTwo[precision - 1 - e + 150]!;
  const floor = Math.floor(y);
  const fraction = y - floor; // exact: y < 2^p
  const n = fraction > 0.5 || (fraction === 0.5 && (floor & 1) === 1) ? floor + 1 : floor;
  return sign | (((e + bias - 1) << (precision - 1)) + n);
}

/** The fp16 bit pattern of x (rounded to nearest even). NaN becomes the quiet NaN 0x7e00. */
export function fp16Bits(x: number): number {
  return encode(x, 11, 15);
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
  return encode(x, 8, 127);
}

/** The number a bf16 bit pattern encodes (exact). */
export function bf16FromBits(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}
