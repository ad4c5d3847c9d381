// The keys of the exact GPU top-k (topK.cu, topKSliced.cu): every (score, index) pair maps to a
// distinct 64-bit key ordered by (score descending, index ascending), NaN lowest and -0 == +0, as
// native/src/topK.cpp orders them; and the bitonic network both kernels sort their keys with.
#pragma once
#include <cstdint>

#include "../src/mutants.hpp"

namespace prhs {
namespace cuda {

// The score's 32-bit order key: larger score, larger key; NaN 0, below every number (≥ 1).
__device__ __forceinline__ uint32_t orderedScore(float value) {
  if (value != value) return 0u;
  uint32_t bits = __float_as_uint(value);
  if (bits == 0x80000000u) bits = 0u;  // -0 ranks as +0
  const uint32_t key = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return key == 0u ? 1u : key;
}

__device__ __forceinline__ uint64_t rankKey(uint32_t score, int64_t index) {
  return (uint64_t(score) << 32) | uint64_t(PRHS_MUTANT == 2 ? uint32_t(index) : 0xffffffffu - uint32_t(index));
}

__device__ __forceinline__ int32_t keyIndex(uint64_t key) {
  return int32_t(PRHS_MUTANT == 2 ? uint32_t(key & 0xffffffffu) : 0xffffffffu - uint32_t(key & 0xffffffffu));
}

__host__ __device__ inline int64_t paddedLength(int64_t k) {
  int64_t p = 1;
  while (p < k) p <<= 1;
  return p;
}

// One stage of the bitonic network over keys [padded]: every pair (i, i ^ stride) of a merge of
// `size` keys put in order (descending where i & size is 0), by the whole block, then a barrier.
__device__ inline void bitonicStage(uint64_t* keys, int64_t padded, int64_t size, int64_t stride) {
  for (int64_t i = threadIdx.x; i < padded; i += blockDim.x) {
    const int64_t j = i ^ stride;
    if (j > i) {
      const uint64_t a = keys[i], b = keys[j];
      const bool descending = (i & size) == 0;
      if (descending ? a < b : a > b) {
        keys[i] = b;
        keys[j] = a;
      }
    }
  }
  __syncthreads();
}

// Sorts keys [padded] (a power of two; shared or global memory) descending, by the whole block.
__device__ inline void bitonicDescending(uint64_t* keys, int64_t padded) {
  for (int64_t size = 2; size <= padded; size <<= 1)
    for (int64_t stride = size >> 1; stride > 0; stride >>= 1) bitonicStage(keys, padded, size, stride);
}

}  // namespace cuda
}  // namespace prhs
