// The CPU kernels' C++ interface. Storage is fp32, fp16 or bf16; every arithmetic operation is
// fp32 (the certified δ̂ is float64, see certified.cpp). Callers (the N-API binding, the native
// test driver) validate every pointer, length and index before calling: these functions trust
// their arguments.
//
// The kernels are compiled once per instruction set: namespace `generic` (baseline x86-64) and, on
// x86-64, namespaces `avx2` (-mavx2 -mfma -mf16c) and `avx512` (plus AVX-512 F/BW/VL/DQ), all with
// FMA contraction off so every build gives identical bits; dispatch.cpp picks one at run time from
// the CPU's features.
#pragma once
#include <cstddef>
#include <cstdint>

namespace prhs {

enum class Dtype : int { fp32 = 0, fp16 = 1, bf16 = 2 };

// Tensor layouts (row-major):
//   query  [batch, queryHeads, headDim]
//   keys   [batch, kvHeads, tokens, headDim]
//   values [batch, kvHeads, tokens, valueDim]
//   output [batch, queryHeads, valueDim]
// Query head h reads KV head h / (queryHeads / kvHeads) (grouped-query attention).
struct AttentionShape {
  int64_t batch;
  int64_t queryHeads;
  int64_t kvHeads;
  int64_t tokens;
  int64_t headDim;
  int64_t valueDim;
};

// Keys are summed in blocks of this many list positions, then the block sums are added: a term
// goes through at most min(n, B) + ceil(n / B) roundings (theory/kernel-error.md).
constexpr int64_t kSumBlock = 256;

// Floats of one group attention's working memory (kernels.cpp carves it in this order): logits
// [group, positions], the total, block and (for index lists) paired-block sums [group, valueDim]
// each, denominator and maximum [group] each, the widened query [group, headDim].
inline int64_t attendScratchFloats(int64_t group, int64_t positions, int64_t valueDim, int64_t headDim,
                                   bool pairedBlocks) {
  return group * positions + (pairedBlocks ? 3 : 2) * group * valueDim + 2 * group + group * headDim;
}

// Scratch sizes (floats) the caller provides, one spare row of max(headDim, valueDim) beyond the
// carving; droppedMass and scores use the dense size (they need less).
inline int64_t denseScratchFloats(const AttentionShape& s) {
  const int64_t group = s.queryHeads / s.kvHeads;
  const int64_t row = s.headDim > s.valueDim ? s.headDim : s.valueDim;
  return attendScratchFloats(group, s.tokens, s.valueDim, s.headDim, false) + row;
}
inline int64_t sparseScratchFloats(const AttentionShape& s, int64_t selected) {
  const int64_t row = s.headDim > s.valueDim ? s.headDim : s.valueDim;
  return attendScratchFloats(1, selected, s.valueDim, s.headDim, true) + row;
}

#define PRHS_DECLARE_KERNELS(ns)                                                                                       \
  namespace ns {                                                                                                       \
  /* out [batch, queryHeads, tokens]: z_i = scale * q.k_i */                                                           \
  void scores(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale, float* out,  \
              float* scratch);                                                                                         \
  /* dense decode attention; out [batch, queryHeads, valueDim] */                                                      \
  void decodeAttention(Dtype dtype, const void* query, const void* keys, const void* values,                           \
                       const AttentionShape& shape, float scale, float* out, float* scratch);                          \
  /* attention over indices [batch, queryHeads, selected] (-1 = padding, skipped) */                                   \
  void sparseAttention(Dtype dtype, const void* query, const void* keys, const void* values,                           \
                       const AttentionShape& shape, float scale, const int32_t* indices, int64_t selected, float* out, \
                       float* scratch);                                                                                \
  /* dropped mass δ per (batch, queryHead): weight outside indices; out [batch, queryHeads] */                         \
  void droppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale,         \
                   const int32_t* indices, int64_t selected, float* out, float* scratch, uint8_t* mask);               \
  }

PRHS_DECLARE_KERNELS(generic)
#if defined(__x86_64__) || defined(_M_X64)
#define PRHS_HAS_AVX2_BUILD 1
PRHS_DECLARE_KERNELS(avx2)
PRHS_DECLARE_KERNELS(avx512)
#endif

// Exact top-k per row of scores [rows, columns]: out [rows, k], sorted by (score desc, index asc). NaN
// ranks below every number; -0 and +0 tie. Needs no scratch from the caller.
void topK(const float* scores, int64_t rows, int64_t columns, int64_t k, int32_t* out);

// Per-page key summaries over pages of pageSize tokens (the last may be shorter):
//   minimum, maximum, center [batch, kvHeads, pages, headDim]; radius [batch, kvHeads, pages].
// center is the fp32-rounded mean; radius is rounded up so that ||k_i - center|| <= radius holds
// exactly for every key of the page.
void pageSummaries(Dtype dtype, const void* keys, const AttentionShape& shape, int64_t pageSize, float* minimum,
                   float* maximum, float* center, float* radius);

enum class PageBound : int { minmax = 0, ball = 1, min = 2 };

// Certified δ̂ per (batch, queryHead) in float64, from the kept keys' logits and the page summaries
// (src/core/certifiedDroppedMass.ts ported operation for operation). out [batch, queryHeads].
void certifiedDroppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, double scale,
                          const int32_t* indices, int64_t selected, int64_t pageSize, const float* minimum,
                          const float* maximum, const float* center, const float* radius, PageBound kind, double* out);

// Which kernel build dispatch uses: "avx512", "avx2" or "generic". PRHS_NATIVE_ISA=generic or avx2
// caps it (the builds give identical bits; this is for timing and for testing the dispatch).
const char* activeIsa();

// The dispatched kernels (same signatures as above).
void scores(Dtype, const void*, const void*, const AttentionShape&, float, float*, float*);
void decodeAttention(Dtype, const void*, const void*, const void*, const AttentionShape&, float, float*, float*);
void sparseAttention(Dtype, const void*, const void*, const void*, const AttentionShape&, float, const int32_t*,
                     int64_t, float*, float*);
void droppedMass(Dtype, const void*, const void*, const AttentionShape&, float, const int32_t*, int64_t, float*, float*,
                 uint8_t*);

// Memory baselines for the benchmark (bandwidth.cpp).
// Seconds per memcpy of `bytes` bytes between two buffers on 2 MiB boundaries (advised for huge
// pages when `hugePages`): the median of `repeats` timed copies after one warm-up, each after
// evictCaches(evictBytes) when evictBytes > 0.
double memcpySeconds(size_t bytes, int repeats, bool hugePages, size_t evictBytes);
// Reads `bytes` of a private buffer (allocated once, kept) so that earlier data leaves the caches;
// returns the seconds it took.
double evictCaches(size_t bytes);
// Seconds to load every cache line of rows indices[0..count) of `rowBytes` bytes each from `base`,
// walking `streams` blocks of kSumBlock list positions at once, round robin (1: list order),
// prefetching `prefetchRows` rows ahead within a block: the load-only ceiling of a sparse pass.
// The caller has checked that every row lies inside the buffer.
double gatherSeconds(const unsigned char* base, size_t rowBytes, const int32_t* indices, size_t count,
                     size_t prefetchRows, size_t streams);

}  // namespace prhs
