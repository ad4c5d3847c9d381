// The steps the two group-score kernels share (groupScores.cu's groupScoreKernel and
// selectionKernels.cu's stagedGroupScoreKernel, the `old` and `new` selection kernel sets): which
// row a work item scores and how far its sequence reaches, and each lane's partial dot products,
// the arithmetic that pins their scores to the same bits. They differ in where the keys come from
// (a double-buffered block tile against a warp's own 16-byte stage) and in how the partials are
// summed across the warp (warpSum per position against transposedWarpSum8, the same butterfly).
#pragma once
#include <cstdint>

#include "deviceMath.cuh"
#include "pagedCache.cuh"
#include "selectionKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {

constexpr int kGroupScoreMaxHeadDim = 256;
constexpr int kGroupScoreMaxPerLane = kGroupScoreMaxHeadDim / 32;  // channels a lane multiplies

// The (sequence, KV head) rows to score: those listed, or every row.
__device__ __forceinline__ int64_t scoredRowCount(const GroupScoreParams& p) {
  return p.rowList ? *p.rowCount : p.batch * p.kvHeads;
}

// The longest sequence at this step: the work items of every row span it.
__device__ __forceinline__ int64_t longestVisible(const GroupScoreParams& p) {
  int64_t longest = 0;
  for (int64_t b = 0; b < p.batch; ++b) longest = longest < visible(p.lengths, b) ? visible(p.lengths, b) : longest;
  return longest;
}

struct ScoredRow {
  int64_t row, b, kv, length;  // length: positions sequence b sees
};

// The `listed`-th row to score.
__device__ __forceinline__ ScoredRow scoredRow(const GroupScoreParams& p, int64_t listed) {
  const int64_t row = p.rowList ? p.rowList[listed] : listed;
  const int64_t b = row / p.kvHeads;
  return {row, b, row % p.kvHeads, visible(p.lengths, b)};
}

// This lane's partial dot products of one query head (`query`, d floats) with Positions key rows:
// channels c = lane, lane + 32, ..., one fp32 fma chain per position in that order. key(i, c) is
// element c of key row i, widened to fp32.
template <int Positions, typename Key>
__device__ __forceinline__ void laneDots(const float* query, int d, int lane, Key key, float (&dot)[Positions]) {
#pragma unroll
  for (int i = 0; i < Positions; ++i) dot[i] = 0.f;
#pragma unroll
  for (int j = 0; j < kGroupScoreMaxPerLane; ++j) {
    const int c = lane + 32 * j;
    if (c < d) {
      const float qc = query[c];
#pragma unroll
      for (int i = 0; i < Positions; ++i) dot[i] = fmaf(qc, key(i, c), dot[i]);
    }
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
