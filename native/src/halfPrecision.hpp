// Portable IEEE binary16 (fp16) and bfloat16 (bf16) conversions, round-to-nearest-even.
// Widening to fp32 is exact for both formats. Every function is `static inline` so each
// translation unit (the generic one and the AVX2 one) owns its copy: no ODR merging across
// differently compiled objects.
#pragma once
#include <cstdint>
#include <cstring>

namespace prhs {
namespace half {

static inline uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

static inline float bitsFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// fp16 -> fp32, exact (F. Giesen's branch-light method: shift, rebias, fix subnormals and Inf/NaN).
static inline float fp16ToFloat(uint16_t h) {
  const uint32_t shiftedExponent = 0x7c00u << 13;
  uint32_t out = (uint32_t(h) & 0x7fffu) << 13;
  const uint32_t exponent = out & shiftedExponent;
  out += (127u - 15u) << 23;
  if (exponent == shiftedExponent) {
    out += (128u - 16u) << 23;  // Inf or NaN: exponent all ones
  } else if (exponent == 0) {
    out += 1u << 23;  // zero or subnormal: renormalise through a float subtraction (exact)
    out = floatBits(bitsFloat(out) - bitsFloat(113u << 23));
  }
  out |= (uint32_t(h) & 0x8000u) << 16;
  return bitsFloat(out);
}

// fp32 -> fp16 with round-to-nearest-even; overflow goes to ±Inf, NaN stays a (quiet) NaN.
static inline uint16_t floatToFp16(float value) {
  uint32_t bits = floatBits(value);
  const uint32_t sign = (bits >> 16) & 0x8000u;
  bits &= 0x7fffffffu;
  uint16_t out;
  if (bits >= 0x7f800000u) {
    out = bits > 0x7f800000u ? 0x7e00u : 0x7c00u;
  } else if (bits >= 0x477ff000u) {
    out = 0x7c00u;  // ≥ 65520 rounds to Inf
  } else if (bits < 0x38800000u) {
    // Result is subnormal or zero: let the FPU round by adding 0.5 (a denormal magic number).
    const float magic = bitsFloat(((127u - 15u) + (23u - 10u) + 1u) << 23);
    out = uint16_t(floatBits(bitsFloat(bits) + magic) - floatBits(magic));
  } else {
    const uint32_t mantissaOdd = (bits >> 13) & 1u;
    bits += ((15u - 127u) << 23) + 0xfffu;  // rebias and add the rounding bias
    bits += mantissaOdd;                    // ties to even
    out = uint16_t(bits >> 13);
  }
  return uint16_t(out | sign);
}

// bf16 -> fp32, exact: bf16 is the top half of an fp32.
static inline float bf16ToFloat(uint16_t h) { return bitsFloat(uint32_t(h) << 16); }

// fp32 -> bf16 with round-to-nearest-even; NaN stays a quiet NaN (never rounds to Inf).
static inline uint16_t floatToBf16(float value) {
  const uint32_t bits = floatBits(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return uint16_t((bits >> 16) | 0x0040u);
  const uint32_t rounded = bits + 0x7fffu + ((bits >> 16) & 1u);
  return uint16_t(rounded >> 16);
}

}  // namespace half
}  // namespace prhs
