// Addresses in the engine's paged KV cache: pages of kPageSize positions, laid out
// [pages, kvHeads, kPageSize, headDim], a sequence's pages listed in its row of the page table.
#pragma once
#include <cstdint>

#include "modelSpec.hpp"

namespace prhs {
namespace cuda {
namespace model {

// The pool row (in units of headDim elements) of position `pos` of KV head kv of sequence b.
__device__ __forceinline__ int64_t cacheRow(const int32_t* pageTable, int64_t pagesPerSequence, int64_t kvHeads,
                                            int64_t b, int64_t kv, int64_t pos) {
  const int64_t page = pageTable[b * pagesPerSequence + pos / kPageSize];
  return (page * kvHeads + kv) * kPageSize + pos % kPageSize;
}

// Positions sequence b sees at a decode step: those cached before it and its own.
__device__ __forceinline__ int64_t visible(const int32_t* lengths, int64_t b) { return int64_t(lengths[b]) + 1; }

}  // namespace model
}  // namespace cuda
}  // namespace prhs
