// Ordered block-wide compaction, shared by the CIS set build (cis.cu) and the model engine's
// selection kernels (model/selectionKernels.cu): each thread of a block of kWarps full warps holds
// one flag of a tile; orderedRank returns the number of flags set before this thread (thread
// order) and writes the tile's count into *total, so flagged items are written out in order;
// orderedOffset does the same for per-thread counts.
#pragma once

namespace prhs {
namespace cuda {

// warpCounts[0, kWarps) := the sum of the counts of the warps before each (warp order), and
// warpCounts[kWarps] := the block's total, once every warp has written its count (block-wide barriers
// before and after).
// The sum of x over this lane and the lanes below it (a Hillis-Steele scan by shuffles); every lane
// of the warp must call it.
template <typename T>
__device__ __forceinline__ T warpInclusiveSum(T x) {
  const int lane = threadIdx.x & 31;
#pragma unroll
  for (int o = 1; o < 32; o <<= 1) {
    const T below = __shfl_up_sync(0xffffffffu, x, o);
    if (lane >= o) x += below;
  }
  return x;
}

template <int kWarps>
__device__ inline void exclusiveScanOfWarps(int* warpCounts) {
  __syncthreads();
  if (threadIdx.x == 0) {
    int running = 0;
    for (int w = 0; w < kWarps; ++w) {
      const int c = warpCounts[w];
      warpCounts[w] = running;
      running += c;
    }
    warpCounts[kWarps] = running;
  }
  __syncthreads();
}

// warpCounts: [kWarps + 1] shared ints. Every thread of the block must call it (it synchronises).
template <int kWarps>
__device__ inline int orderedRank(bool flag, int* warpCounts, int* total) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const unsigned ballot = __ballot_sync(0xffffffffu, flag);
  if (lane == 0) warpCounts[warp] = __popc(ballot);
  exclusiveScanOfWarps<kWarps>(warpCounts);
  const int rank = warpCounts[warp] + __popc(ballot & ((1u << lane) - 1u));
  *total = warpCounts[kWarps];
  __syncthreads();  // warpCounts is reused by the next tile
  return rank;
}

// The same for counts: the sum of the counts of the threads before this one (thread order);
// *total := the block's sum. warpCounts: [kWarps + 1] shared ints; every thread must call it.
template <int kWarps>
__device__ inline int orderedOffset(int count, int* warpCounts, int* total) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const int inclusive = warpInclusiveSum(count);
  if (lane == 31) warpCounts[warp] = inclusive;
  exclusiveScanOfWarps<kWarps>(warpCounts);
  const int offset = warpCounts[warp] + inclusive - count;
  *total = warpCounts[kWarps];
  __syncthreads();  // warpCounts is reused by the next tile
  return offset;
}

}  // namespace cuda
}  // namespace prhs
