// Exact group scores of PrHS selection (selectionKernels.hpp, launchGroupScores): for a listed
// (sequence, KV head) row and each position it sees, max over the group's query heads g of
// scale · Σ_c q_g[c] · k[c]. A block streams one row's keys tile by tile into shared memory with
// 16-byte asynchronous copies (the next tile in flight while the current one is scored), so the
// kernel moves the keys at the rate the paged attention does. The arithmetic is fixed: lanes split
// headDim as c = lane, lane + 32, ... (one fp32 fma chain per lane in that order), then the warp
// sum, times the scale, then the max over g in head order; a score does not depend on the tiling.
#include <cmath>

#include "../cudaCheck.hpp"
#include "asyncCopy.cuh"
#include "groupScoreSteps.cuh"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int kPositionsPerWarp = 4;
constexpr int kTilePositions = kWarps * kPositionsPerWarp;  // positions a block scores per tile
constexpr int kTilesPerItem = 8;                            // tiles of one row a block streams per work item
constexpr int kRowPad = 8;                                  // elements: rows start 16 bytes apart modulo the banks

template <typename T>
using KeyTile = T[kTilePositions][kGroupScoreMaxHeadDim + kRowPad];

// Issues the copies of positions [t0, t0 + kTilePositions) ∩ [.., end) of row (b, kv); zeros past end.
template <typename T>
__device__ void stageKeys(const GroupScoreParams& p, int64_t b, int64_t kv, int64_t t0, int64_t end, KeyTile<T>& tile) {
  const int vectors = int(p.headDim) / 8;
  const T* keys = static_cast<const T*>(p.keyPool);
  for (int v = threadIdx.x; v < kTilePositions * vectors; v += kThreads) {
    const int position = v / vectors, column = (v % vectors) * 8;
    const bool inside = t0 + position < end;
    const int64_t at =
        inside ? cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, kv, t0 + position) * p.headDim + column : 0;
    copyAsync16(&tile[position][column], keys + at, inside);
  }
}

// This warp's kPositionsPerWarp positions of the tile at t0 (rows of `tile` from `first`).
template <typename T>
__device__ void scorePositions(const GroupScoreParams& p, const KeyTile<T>& tile, int first, const float* query,
                               float* best) {
  const int lane = threadIdx.x % 32, d = int(p.headDim);
#pragma unroll
  for (int i = 0; i < kPositionsPerWarp; ++i) best[i] = -INFINITY;
  for (int64_t g = 0; g < p.group; ++g) {
    float dot[kPositionsPerWarp];
    laneDots(query + g * d, d, lane, [&](int i, int c) { return widen(tile[first + i][c]); }, dot);
#pragma unroll
    for (int i = 0; i < kPositionsPerWarp; ++i) best[i] = fmaxf(best[i], warpSum(dot[i]) * p.scale);
  }
}

// Work items are (listed row, span of kTilesPerItem tiles), over a fixed grid; every branch that
// skips a barrier depends on the item only, so the whole block takes it.
template <typename T>
__global__ void __launch_bounds__(kThreads) groupScoreKernel(GroupScoreParams p) {
  __shared__ __align__(16) KeyTile<T> tiles[2];
  const int64_t count = scoredRowCount(p);
  constexpr int64_t span = int64_t(kTilePositions) * kTilesPerItem;
  const int64_t spans = (longestVisible(p) + span - 1) / span;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  for (int64_t item = blockIdx.x; item < count * spans; item += gridDim.x) {
    const auto [row, b, kv, length] = scoredRow(p, item / spans);
    const int64_t first = (item % spans) * span;
    if (first >= length) continue;
    const int64_t end = first + span < length ? first + span : length;
    const float* query = p.query + row * p.group * p.headDim;
    __syncthreads();  // the previous item's tiles are consumed
    stageKeys<T>(p, b, kv, first, end, tiles[0]);
    commitCopies();
    int buffer = 0;
    for (int64_t t0 = first; t0 < end; t0 += kTilePositions, buffer ^= 1) {
      // The other buffer was consumed before the previous iteration's last barrier.
      if (t0 + kTilePositions < end) stageKeys<T>(p, b, kv, t0 + kTilePositions, end, tiles[buffer ^ 1]);
      commitCopies();
      waitCopies<1>();  // this thread's copies of tile t0 landed
      __syncthreads();  // everyone's did
      float best[kPositionsPerWarp];
      scorePositions<T>(p, tiles[buffer], warp * kPositionsPerWarp, query, best);
      const int64_t at = t0 + warp * kPositionsPerWarp;
      if (lane == 0) {
#pragma unroll
        for (int i = 0; i < kPositionsPerWarp; ++i)
          if (at + i < end) p.out[row * p.capacity + at + i] = best[i];
      }
      __syncthreads();  // this buffer is consumed before the next iteration stages into it
    }
  }
}

}  // namespace

int64_t groupScoreBlocksPerSm(Dtype dtype) {
  int blocks = 0;
  if (dtype == Dtype::bf16) {
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, groupScoreKernel<__nv_bfloat16>, kThreads, 0),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor (group scores)");
  } else {
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, groupScoreKernel<__half>, kThreads, 0),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor (group scores)");
  }
  return blocks > 0 ? blocks : 1;
}

void launchGroupScores(const GroupScoreParams& p, int64_t blocks, cudaStream_t stream) {
  if (blocks == 0 || p.batch * p.kvHeads == 0) return;
  if (p.headDim % 8 != 0 || p.headDim > kGroupScoreMaxHeadDim)
    check(cudaErrorInvalidValue, "selection group scores (headDim must be a multiple of 8, at most 256)");
  if (p.dtype == Dtype::bf16) {
    groupScoreKernel<__nv_bfloat16><<<unsigned(blocks), kThreads, 0, stream>>>(p);
  } else {
    groupScoreKernel<__half><<<unsigned(blocks), kThreads, 0, stream>>>(p);
  }
  checkLaunch("selection group score kernel");
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
