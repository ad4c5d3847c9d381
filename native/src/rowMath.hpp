// Row primitives of the attention kernels: widening a stored element, the logit dot product, and the
// P·V update, each for one row and for four rows at once. Included only by kernels.cpp, inside its
// per-ISA namespace (internal linkage), so the generic and AVX2 objects each own their copy.
//
// Every primitive has a portable form and, under PRHS_F16C (the AVX2 build) and PRHS_AVX512 (the
// AVX-512 build: one 16-lane register where AVX2 uses two 8-lane ones), vector forms that perform
// the same IEEE operations on the same operands in the same order, so all builds give identical
// bits:
//   dot(q, k): 16 partial sums, lanes[l] += q[c+l]·k[c+l] over chunks of 16, a scalar tail summed
//     sequentially, then the lanes halved by a fixed tree (l += l+8, l += l+4, l += l+2, l += l+1)
//     and lanes[0] + tail. Depth ≤ d; theory/kernel-error.md §1.
//   accumulate(b, e, v): b[c] += e·v[c] for every c (one multiply, one add per element).
// Widening fp16 (F16C) and bf16 (a 16-bit shift) to fp32 is exact, so fusing it into these loops
// changes no value: it only removes a pass through a row buffer.
#pragma once
#include <cstdint>

#include "halfPrecision.hpp"
#include "kernels.hpp"

#if defined(PRHS_F16C) || defined(PRHS_AVX512)
#include <immintrin.h>
#endif

#ifndef PRHS_ISA
#error "rowMath.hpp is included by kernels.cpp only (PRHS_ISA names the namespace)"
#endif

namespace prhs {
namespace PRHS_ISA {
namespace {

// One stored element widened to fp32 (exact), and eight at once in the AVX2 build.
template <Dtype D>
struct Storage;

template <>
struct Storage<Dtype::fp32> {
  using Element = float;
  static inline float widen(const float* p) { return *p; }
#if defined(PRHS_F16C)
  static inline __m256 widen8(const float* p) { return _mm256_loadu_ps(p); }
#endif
#if defined(PRHS_AVX512)
  static inline __m512 widen16(const float* p) { return _mm512_loadu_ps(p); }
#endif
};

template <>
struct Storage<Dtype::fp16> {
  using Element = uint16_t;
  static inline float widen(const uint16_t* p) { return half::fp16ToFloat(*p); }
#if defined(PRHS_F16C)
  static inline __m256 widen8(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
#endif
#if defined(PRHS_AVX512)
  static inline __m512 widen16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
#endif
};

template <>
struct Storage<Dtype::bf16> {
  using Element = uint16_t;
  static inline float widen(const uint16_t* p) { return half::bf16ToFloat(*p); }
#if defined(PRHS_F16C)
  static inline __m256 widen8(const uint16_t* p) {
    const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
  }
#endif
#if defined(PRHS_AVX512)
  static inline __m512 widen16(const uint16_t* p) {
    const __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
  }
#endif
};

#if defined(PRHS_F16C)
// lanes[0..7] = low, lanes[8..15] = high, reduced by the fixed halving tree.
inline float reduce16(__m256 low, __m256 high) {
  const __m256 s = _mm256_add_ps(low, high);                                            // l + (l+8)
  const __m128 t = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));  // l + (l+4)
  const __m128 u = _mm_add_ps(t, _mm_movehl_ps(t, t));                                  // l + (l+2)
  return _mm_cvtss_f32(_mm_add_ss(u, _mm_movehdup_ps(u)));                              // 0 + 1
}

// The same tree for four keys at once: returns [key0, key1, key2, key3].
inline __m128 reduce16x4(const __m256 low[4], const __m256 high[4]) {
  const __m256 s0 = _mm256_add_ps(low[0], high[0]), s1 = _mm256_add_ps(low[1], high[1]);
  const __m256 s2 = _mm256_add_ps(low[2], high[2]), s3 = _mm256_add_ps(low[3], high[3]);
  // l + (l+4): [s0 lanes 0-3 | s1 lanes 0-3] + [s0 lanes 4-7 | s1 lanes 4-7], likewise s2, s3.
  const __m256 x = _mm256_add_ps(_mm256_permute2f128_ps(s0, s1, 0x20), _mm256_permute2f128_ps(s0, s1, 0x31));
  const __m256 y = _mm256_add_ps(_mm256_permute2f128_ps(s2, s3, 0x20), _mm256_permute2f128_ps(s2, s3, 0x31));
  // l + (l+2): per 128-bit half [x0 + x2, x1 + x3, y0 + y2, y1 + y3] (low half keys 0, 2; high half 1, 3).
  const __m256 w =
      _mm256_add_ps(_mm256_shuffle_ps(x, y, _MM_SHUFFLE(1, 0, 1, 0)), _mm256_shuffle_ps(x, y, _MM_SHUFFLE(3, 2, 3, 2)));
  // 0 + 1: per half [w0 + w1, w2 + w3, ...].
  const __m256 r =
      _mm256_add_ps(_mm256_shuffle_ps(w, w, _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(w, w, _MM_SHUFFLE(3, 1, 3, 1)));
  // low half [k0, k2, ..], high half [k1, k3, ..] -> [k0, k1, k2, k3]
  return _mm_unpacklo_ps(_mm256_castps256_ps128(r), _mm256_extractf128_ps(r, 1));
}
#endif

#if defined(PRHS_AVX512)
// Lanes 0-7 and 8-15 of a 16-lane accumulator: the operands of reduce16's first step (l += l+8).
inline __m256 low8(__m512 lanes) { return _mm512_castps512_ps256(lanes); }
inline __m256 high8(__m512 lanes) { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(lanes), 1)); }
#endif

template <Dtype D>
struct RowMath {
  using E = typename Storage<D>::Element;

  // Sequential tail of the dot product (positions c0..d-1).
  static inline float dotTail(const float* q, const E* k, int64_t c0, int64_t d) {
    float tail = 0.f;
    for (int64_t c = c0; c < d; ++c) tail += q[c] * Storage<D>::widen(k + c);
    return tail;
  }

  static inline float dot(const float* q, const E* k, int64_t d) {
    const int64_t full = d - d % 16;
#if defined(PRHS_AVX512)
    __m512 lanes = _mm512_setzero_ps();
    for (int64_t c = 0; c < full; c += 16) {
      lanes = _mm512_add_ps(lanes, _mm512_mul_ps(_mm512_loadu_ps(q + c), Storage<D>::widen16(k + c)));
    }
    return reduce16(low8(lanes), high8(lanes)) + dotTail(q, k, full, d);
#elif defined(PRHS_F16C)
    __m256 low = _mm256_setzero_ps(), high = _mm256_setzero_ps();
    for (int64_t c = 0; c < full; c += 16) {
      low = _mm256_add_ps(low, _mm256_mul_ps(_mm256_loadu_ps(q + c), Storage<D>::widen8(k + c)));
      high = _mm256_add_ps(high, _mm256_mul_ps(_mm256_loadu_ps(q + c + 8), Storage<D>::widen8(k + c + 8)));
    }
    return reduce16(low, high) + dotTail(q, k, full, d);
#else
    float lanes[16] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
    for (int64_t c = 0; c < full; c += 16) {
      for (int l = 0; l < 16; ++l) lanes[l] += q[c + l] * Storage<D>::widen(k + c + l);
    }
    for (int width = 8; width >= 1; width >>= 1) {
      for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
    }
    return lanes[0] + dotTail(q, k, full, d);
#endif
  }

  // z[r] = fl(scale · dot(q, rows[r])) for four rows; the four sums run interleaved.
  static inline void logit4(const float* q, const E* const rows[4], int64_t d, float scale, float* z) {
#if defined(PRHS_F16C)
    const int64_t full = d - d % 16;
    __m256 low[4], high[4];
#if defined(PRHS_AVX512)
    __m512 lanes[4];
    for (int r = 0; r < 4; ++r) lanes[r] = _mm512_setzero_ps();
    for (int64_t c = 0; c < full; c += 16) {
      const __m512 qc = _mm512_loadu_ps(q + c);
      for (int r = 0; r < 4; ++r)
        lanes[r] = _mm512_add_ps(lanes[r], _mm512_mul_ps(qc, Storage<D>::widen16(rows[r] + c)));
    }
    for (int r = 0; r < 4; ++r) {
      low[r] = low8(lanes[r]);
      high[r] = high8(lanes[r]);
    }
#else
    for (int r = 0; r < 4; ++r) low[r] = high[r] = _mm256_setzero_ps();
    for (int64_t c = 0; c < full; c += 16) {
      const __m256 ql = _mm256_loadu_ps(q + c), qh = _mm256_loadu_ps(q + c + 8);
      for (int r = 0; r < 4; ++r) {
        low[r] = _mm256_add_ps(low[r], _mm256_mul_ps(ql, Storage<D>::widen8(rows[r] + c)));
        high[r] = _mm256_add_ps(high[r], _mm256_mul_ps(qh, Storage<D>::widen8(rows[r] + c + 8)));
      }
    }
#endif
    __m128 sums = reduce16x4(low, high);
    if (full < d) {
      sums = _mm_add_ps(sums, _mm_setr_ps(dotTail(q, rows[0], full, d), dotTail(q, rows[1], full, d),
                                          dotTail(q, rows[2], full, d), dotTail(q, rows[3], full, d)));
    } else {
      sums = _mm_add_ps(sums, _mm_setzero_ps());  // lanes[0] + tail with tail = +0, as dot() does
    }
    _mm_storeu_ps(z, _mm_mul_ps(_mm_set1_ps(scale), sums));
#else
    for (int r = 0; r < 4; ++r) z[r] = scale * dot(q, rows[r], d);
#endif
  }

  // b[c] += e · v[c], c = 0..dv-1.
  static inline void accumulate(float* b, float e, const E* v, int64_t dv) {
    int64_t c = 0;
#if defined(PRHS_AVX512)
    const __m512 weight16 = _mm512_set1_ps(e);
    for (; c + 16 <= dv; c += 16) {
      _mm512_storeu_ps(b + c,
                       _mm512_add_ps(_mm512_loadu_ps(b + c), _mm512_mul_ps(weight16, Storage<D>::widen16(v + c))));
    }
#endif
#if defined(PRHS_F16C)
    const __m256 weight = _mm256_set1_ps(e);
    for (; c + 8 <= dv; c += 8) {
      _mm256_storeu_ps(b + c, _mm256_add_ps(_mm256_loadu_ps(b + c), _mm256_mul_ps(weight, Storage<D>::widen8(v + c))));
    }
#endif
    for (; c < dv; ++c) b[c] += e * Storage<D>::widen(v + c);
  }

  // accumulate(b, e[r], rows[r], dv) for r = 0, 1, 2, 3 in that order, with one load and one store
  // of b per eight elements.
  static inline void accumulate4(float* b, const float e[4], const E* const rows[4], int64_t dv) {
    int64_t c = 0;
#if defined(PRHS_F16C)
    const __m256 w0 = _mm256_set1_ps(e[0]), w1 = _mm256_set1_ps(e[1]);
    const __m256 w2 = _mm256_set1_ps(e[2]), w3 = _mm256_set1_ps(e[3]);
    for (; c + 8 <= dv; c += 8) {
      __m256 acc = _mm256_loadu_ps(b + c);
      acc = _mm256_add_ps(acc, _mm256_mul_ps(w0, Storage<D>::widen8(rows[0] + c)));
      acc = _mm256_add_ps(acc, _mm256_mul_ps(w1, Storage<D>::widen8(rows[1] + c)));
      acc = _mm256_add_ps(acc, _mm256_mul_ps(w2, Storage<D>::widen8(rows[2] + c)));
      acc = _mm256_add_ps(acc, _mm256_mul_ps(w3, Storage<D>::widen8(rows[3] + c)));
      _mm256_storeu_ps(b + c, acc);
    }
#endif
    for (; c < dv; ++c) {
      float acc = b[c];
      for (int r = 0; r < 4; ++r) acc += e[r] * Storage<D>::widen(rows[r] + c);
      b[c] = acc;
    }
  }

#if defined(PRHS_AVX512)
  // accumulate(b, e[j], row(j), 128) for j = 0..count-1 in order, skipping rows with e[j] == 0 or
  // row(j) == nullptr, with b held in eight registers for the whole run: the same operations on
  // every element as `count` calls of accumulate, without a load and store of b per row.
  template <typename RowAt>
  static inline void accumulateRun128(float* b, const float* e, int64_t count, RowAt rowAt) {
    __m512 acc[8];
    for (int i = 0; i < 8; ++i) acc[i] = _mm512_loadu_ps(b + 16 * i);
    for (int64_t j = 0; j < count; ++j) addWeighted128(acc, e[j], rowAt(j));
    for (int i = 0; i < 8; ++i) _mm512_storeu_ps(b + 16 * i, acc[i]);
  }

  // acc[c] += e·v[c] for the 128 values of row v, unless v is null or e is zero (the row is skipped).
  static inline void addWeighted128(__m512 acc[8], float e, const E* v) {
    if (!v || e == 0.f) return;
    const __m512 weight = _mm512_set1_ps(e);
    for (int i = 0; i < 8; ++i) acc[i] = _mm512_add_ps(acc[i], _mm512_mul_ps(weight, Storage<D>::widen16(v + 16 * i)));
  }

  // accumulateRun128 for two runs at once, their rows taken alternately (first[0], second[0],
  // first[1], ...): each sum sees its own rows in order, so both equal two separate runs.
  template <typename FirstAt, typename SecondAt>
  static inline void accumulatePair128(float* b, float* c, const float* e, int64_t count, const float* f,
                                       int64_t countF, FirstAt firstAt, SecondAt secondAt) {
    __m512 x[8], y[8];
    for (int i = 0; i < 8; ++i) {
      x[i] = _mm512_loadu_ps(b + 16 * i);
      y[i] = _mm512_loadu_ps(c + 16 * i);
    }
    for (int64_t j = 0; j < count || j < countF; ++j) {
      if (j < count) addWeighted128(x, e[j], firstAt(j));
      if (j < countF) addWeighted128(y, f[j], secondAt(j));
    }
    for (int i = 0; i < 8; ++i) {
      _mm512_storeu_ps(b + 16 * i, x[i]);
      _mm512_storeu_ps(c + 16 * i, y[i]);
    }
  }
#endif
};

}  // namespace
}  // namespace PRHS_ISA
}  // namespace prhs
