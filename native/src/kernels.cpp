// Decode-time attention kernels, fp32 arithmetic over fp32/fp16/bf16 storage. This file is compiled
// once per instruction set: PRHS_ISA names the namespace (generic or avx2). Everything here has
// internal linkage except the four entry points, and no standard-library template is instantiated,
// so the AVX2 object never lends code to the generic one.
//
// Arithmetic order is fixed by the source, not by the ISA (FMA contraction is off in both builds),
// so the generic and AVX2 builds return identical bits.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "halfPrecision.hpp"
#include "kernels.hpp"

#if defined(PRHS_F16C)
#include <immintrin.h>
#endif

#ifndef PRHS_ISA
#error "PRHS_ISA must name the kernel namespace (generic or avx2)"
#endif

namespace prhs {
namespace PRHS_ISA {
namespace {

// Widens n stored elements to fp32 (exact). For fp32 storage the row is used in place.
template <Dtype D>
struct Widen;

template <>
struct Widen<Dtype::fp32> {
  using Element = float;
  static inline const float* row(const float* src, int64_t n, float*) {
    (void)n;
    return src;
  }
};

template <>
struct Widen<Dtype::fp16> {
  using Element = uint16_t;
  static inline const float* row(const uint16_t* src, int64_t n, float* buffer) {
    int64_t c = 0;
#if defined(PRHS_F16C)
    for (; c + 8 <= n; c += 8) {
      const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + c));
      _mm256_storeu_ps(buffer + c, _mm256_cvtph_ps(h));
    }
#endif
    for (; c < n; ++c) buffer[c] = half::fp16ToFloat(src[c]);
    return buffer;
  }
};

template <>
struct Widen<Dtype::bf16> {
  using Element = uint16_t;
  static inline const float* row(const uint16_t* src, int64_t n, float* buffer) {
    for (int64_t c = 0; c < n; ++c) buffer[c] = half::bf16ToFloat(src[c]);
    return buffer;
  }
};

// fp32 dot product with 16 independent partial sums, combined by a fixed tree. The AVX2 build
// does exactly these operations in the same order (two 8-lane registers), so both builds agree.
inline float dot(const float* a, const float* b, int64_t n) {
  int64_t c = 0;
  float lanes[16] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
#if defined(PRHS_F16C)
  __m256 low = _mm256_setzero_ps(), high = _mm256_setzero_ps();
  for (; c + 16 <= n; c += 16) {
    low = _mm256_add_ps(low, _mm256_mul_ps(_mm256_loadu_ps(a + c), _mm256_loadu_ps(b + c)));
    high = _mm256_add_ps(high, _mm256_mul_ps(_mm256_loadu_ps(a + c + 8), _mm256_loadu_ps(b + c + 8)));
  }
  _mm256_storeu_ps(lanes, low);
  _mm256_storeu_ps(lanes + 8, high);
#else
  for (; c + 16 <= n; c += 16) {
    for (int l = 0; l < 16; ++l) lanes[l] += a[c + l] * b[c + l];
  }
#endif
  float tail = 0.f;
  for (; c < n; ++c) tail += a[c] * b[c];
  for (int width = 8; width >= 1; width >>= 1) {
    for (int l = 0; l < width; ++l) lanes[l] += lanes[l + width];
  }
  return lanes[0] + tail;
}

// Asks for a row a few list positions ahead (gathered rows defeat the hardware prefetcher).
inline void prefetchRow(const void* row, int64_t bytes) {
  const char* p = static_cast<const char*>(row);
  for (int64_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset, 0, 0);
}

constexpr int64_t kPrefetchDistance = 6;

// z = fl(scale · fl(q·k)): the one place a logit is formed, shared by every kernel.
inline float logit(const float* q, const float* k, int64_t d, float scale) { return scale * dot(q, k, d); }

// Attention of `group` query heads (rows of q, already fp32) over n list positions of one KV head.
// list == nullptr means positions 0..n-1; otherwise list[j] is a token or -1 (padding, weight 0).
// out receives group rows of valueDim.
template <Dtype D>
void attendGroup(const float* q, int64_t group, const typename Widen<D>::Element* K,
                 const typename Widen<D>::Element* V, const int32_t* list, int64_t n, int64_t d, int64_t dv,
                 float scale, float* z, float* total, float* block, float* denominator, float* rowBuffer,
                 float* out) {
  // Pass 1: logits (read K once for the whole group).
  for (int64_t j = 0; j < n; ++j) {
    const int64_t token = list ? list[j] : j;
    if (token < 0) {
      for (int64_t g = 0; g < group; ++g) z[g * n + j] = -INFINITY;
      continue;
    }
    if (list && j + kPrefetchDistance < n && list[j + kPrefetchDistance] >= 0) {
      prefetchRow(K + int64_t(list[j + kPrefetchDistance]) * d, d * int64_t(sizeof(*K)));
    }
    const float* k = Widen<D>::row(K + token * d, d, rowBuffer);
    for (int64_t g = 0; g < group; ++g) z[g * n + j] = logit(q + g * d, k, d, scale);
  }
  // Pass 2: e_j = exp(z_j − max) in place, summed in blocks of kSumBlock positions.
  for (int64_t g = 0; g < group; ++g) {
    float* zg = z + g * n;
    float maximum = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
      if (zg[j] > maximum) maximum = zg[j];
    }
    float sum = 0.f;
    float partial = 0.f;
    for (int64_t j = 0; j < n; ++j) {
      const float e = ::expf(zg[j] - maximum);
      zg[j] = e;
      partial += e;
      if ((j + 1) % kSumBlock == 0 || j + 1 == n) {
        sum += partial;
        partial = 0.f;
      }
    }
    denominator[g] = sum;
  }
  for (int64_t i = 0; i < group * dv; ++i) {
    total[i] = 0.f;
    block[i] = 0.f;
  }
  // Pass 3: unnormalised numerator Σ e_j v_j (read V once), blocked like the denominator.
  for (int64_t j = 0; j < n; ++j) {
    const int64_t token = list ? list[j] : j;
    if (list && j + kPrefetchDistance < n && list[j + kPrefetchDistance] >= 0) {
      prefetchRow(V + int64_t(list[j + kPrefetchDistance]) * dv, dv * int64_t(sizeof(*V)));
    }
    if (token >= 0) {
      const float* v = Widen<D>::row(V + token * dv, dv, rowBuffer);
      for (int64_t g = 0; g < group; ++g) {
        const float e = z[g * n + j];
        if (e == 0.f) continue;  // zero weight: skipped, as the float64 reference does
        float* b = block + g * dv;
        for (int64_t c = 0; c < dv; ++c) b[c] += e * v[c];
      }
    }
    if ((j + 1) % kSumBlock == 0 || j + 1 == n) {
      for (int64_t i = 0; i < group * dv; ++i) {
        total[i] += block[i];
        block[i] = 0.f;
      }
    }
  }
  for (int64_t g = 0; g < group; ++g) {
    for (int64_t c = 0; c < dv; ++c) out[g * dv + c] = total[g * dv + c] / denominator[g];
  }
}

template <Dtype D>
void widenQueries(const typename Widen<D>::Element* query, int64_t count, int64_t d, float* out) {
  for (int64_t h = 0; h < count; ++h) {
    const float* row = Widen<D>::row(query + h * d, d, out + h * d);
    if (row != out + h * d) std::memcpy(out + h * d, row, sizeof(float) * size_t(d));
  }
}

template <Dtype D>
void scoresTyped(const void* queryData, const void* keyData, const AttentionShape& s, float scale, float* out,
                 float* scratch) {
  using E = typename Widen<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const int64_t group = s.queryHeads / s.kvHeads;
  float* q = scratch;
  float* rowBuffer = scratch + group * s.headDim;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t kv = 0; kv < s.kvHeads; ++kv) {
      const int64_t firstHead = kv * group;
      widenQueries<D>(query + (b * s.queryHeads + firstHead) * s.headDim, group, s.headDim, q);
      const E* K = keys + (b * s.kvHeads + kv) * s.tokens * s.headDim;
      for (int64_t i = 0; i < s.tokens; ++i) {
        const float* k = Widen<D>::row(K + i * s.headDim, s.headDim, rowBuffer);
        for (int64_t g = 0; g < group; ++g) {
          out[((b * s.queryHeads) + firstHead + g) * s.tokens + i] = logit(q + g * s.headDim, k, s.headDim, scale);
        }
      }
    }
  }
}

template <Dtype D>
void decodeTyped(const void* queryData, const void* keyData, const void* valueData, const AttentionShape& s,
                 float scale, float* out, float* scratch) {
  using E = typename Widen<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const E* values = static_cast<const E*>(valueData);
  const int64_t group = s.queryHeads / s.kvHeads;
  float* z = scratch;
  float* total = z + group * s.tokens;
  float* block = total + group * s.valueDim;
  float* denominator = block + group * s.valueDim;
  float* q = denominator + group;
  float* rowBuffer = q + group * s.headDim;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t kv = 0; kv < s.kvHeads; ++kv) {
      const int64_t firstHead = kv * group;
      widenQueries<D>(query + (b * s.queryHeads + firstHead) * s.headDim, group, s.headDim, q);
      const int64_t cache = b * s.kvHeads + kv;
      attendGroup<D>(q, group, keys + cache * s.tokens * s.headDim, values + cache * s.tokens * s.valueDim, nullptr,
                     s.tokens, s.headDim, s.valueDim, scale, z, total, block, denominator, rowBuffer,
                     out + (b * s.queryHeads + firstHead) * s.valueDim);
    }
  }
}

template <Dtype D>
void sparseTyped(const void* queryData, const void* keyData, const void* valueData, const AttentionShape& s,
                 float scale, const int32_t* indices, int64_t selected, float* out, float* scratch) {
  using E = typename Widen<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const E* values = static_cast<const E*>(valueData);
  const int64_t group = s.queryHeads / s.kvHeads;
  float* z = scratch;
  float* total = z + selected;
  float* block = total + s.valueDim;
  float* denominator = block + s.valueDim;
  float* q = denominator + 1;
  float* rowBuffer = q + s.headDim;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.queryHeads; ++h) {
      widenQueries<D>(query + (b * s.queryHeads + h) * s.headDim, 1, s.headDim, q);
      const int64_t cache = b * s.kvHeads + h / group;
      attendGroup<D>(q, 1, keys + cache * s.tokens * s.headDim, values + cache * s.tokens * s.valueDim,
                     indices + (b * s.queryHeads + h) * selected, selected, s.headDim, s.valueDim, scale, z, total,
                     block, denominator, rowBuffer, out + (b * s.queryHeads + h) * s.valueDim);
    }
  }
}

template <Dtype D>
void droppedTyped(const void* queryData, const void* keyData, const AttentionShape& s, float scale,
                  const int32_t* indices, int64_t selected, float* out, float* scratch, uint8_t* mask) {
  using E = typename Widen<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const int64_t group = s.queryHeads / s.kvHeads;
  const int64_t n = s.tokens;
  float* z = scratch;
  float* q = z + n;
  float* rowBuffer = q + s.headDim;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.queryHeads; ++h) {
      widenQueries<D>(query + (b * s.queryHeads + h) * s.headDim, 1, s.headDim, q);
      const E* K = keys + (b * s.kvHeads + h / group) * n * s.headDim;
      float maximum = -INFINITY;
      for (int64_t i = 0; i < n; ++i) {
        z[i] = logit(q, Widen<D>::row(K + i * s.headDim, s.headDim, rowBuffer), s.headDim, scale);
        if (z[i] > maximum) maximum = z[i];
      }
      const int32_t* kept = indices + (b * s.queryHeads + h) * selected;
      for (int64_t j = 0; j < selected; ++j) {
        if (kept[j] >= 0) mask[kept[j]] = 1;
      }
      float sum = 0.f, partial = 0.f, dropped = 0.f, droppedPartial = 0.f;
      for (int64_t i = 0; i < n; ++i) {
        const float e = ::expf(z[i] - maximum);
        partial += e;
        if (!mask[i]) droppedPartial += e;
        if ((i + 1) % kSumBlock == 0 || i + 1 == n) {
          sum += partial;
          dropped += droppedPartial;
          partial = 0.f;
          droppedPartial = 0.f;
        }
      }
      out[b * s.queryHeads + h] = dropped / sum;
      for (int64_t j = 0; j < selected; ++j) {
        if (kept[j] >= 0) mask[kept[j]] = 0;
      }
    }
  }
}

}  // namespace

void scores(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale, float* out,
            float* scratch) {
  switch (dtype) {
    case Dtype::fp32: return scoresTyped<Dtype::fp32>(query, keys, shape, scale, out, scratch);
    case Dtype::fp16: return scoresTyped<Dtype::fp16>(query, keys, shape, scale, out, scratch);
    case Dtype::bf16: return scoresTyped<Dtype::bf16>(query, keys, shape, scale, out, scratch);
  }
}

void decodeAttention(Dtype dtype, const void* query, const void* keys, const void* values,
                     const AttentionShape& shape, float scale, float* out, float* scratch) {
  switch (dtype) {
    case Dtype::fp32: return decodeTyped<Dtype::fp32>(query, keys, values, shape, scale, out, scratch);
    case Dtype::fp16: return decodeTyped<Dtype::fp16>(query, keys, values, shape, scale, out, scratch);
    case Dtype::bf16: return decodeTyped<Dtype::bf16>(query, keys, values, shape, scale, out, scratch);
  }
}

void sparseAttention(Dtype dtype, const void* query, const void* keys, const void* values,
                     const AttentionShape& shape, float scale, const int32_t* indices, int64_t selected, float* out,
                     float* scratch) {
  switch (dtype) {
    case Dtype::fp32:
      return sparseTyped<Dtype::fp32>(query, keys, values, shape, scale, indices, selected, out, scratch);
    case Dtype::fp16:
      return sparseTyped<Dtype::fp16>(query, keys, values, shape, scale, indices, selected, out, scratch);
    case Dtype::bf16:
      return sparseTyped<Dtype::bf16>(query, keys, values, shape, scale, indices, selected, out, scratch);
  }
}

void droppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale,
                 const int32_t* indices, int64_t selected, float* out, float* scratch, uint8_t* mask) {
  switch (dtype) {
    case Dtype::fp32: return droppedTyped<Dtype::fp32>(query, keys, shape, scale, indices, selected, out, scratch, mask);
    case Dtype::fp16: return droppedTyped<Dtype::fp16>(query, keys, shape, scale, indices, selected, out, scratch, mask);
    case Dtype::bf16: return droppedTyped<Dtype::bf16>(query, keys, shape, scale, indices, selected, out, scratch, mask);
  }
}

}  // namespace PRHS_ISA
}  // namespace prhs
