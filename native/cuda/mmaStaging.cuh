// The tensor-core dense decode's block layout and staging (groupDecodeMma.cu), shared with the
// load-only walk that bench/cuda times on the same grid (denseFloor.cu): one block per (KV cache,
// chunk of kSumBlock positions), kThreads threads, the group's query rows and the chunk's K and V rows
// in dynamic shared memory, each shared row padded by kPad elements.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "decodeRows.cuh"

namespace prhs {
namespace cuda {
namespace mmaStaging {

constexpr int kRows = 16;  // the mma tile's M: query heads of one group, zero-padded
constexpr int kWarps = 4;  // each warp owns kSumBlock / kWarps = 32 positions of the chunk
constexpr int kThreads = 32 * kWarps;
constexpr int kPositionsPerWarp = kSumBlock / kWarps;
constexpr int kPad = 8;  // elements of padding per shared row: ldmatrix rows hit distinct banks

// A dense step's tensors and the grid's shape, as every kernel on this grid reads them (the
// tensor-core kernel's parameters and the walk's extend it).
struct MmaGrid {
  const void* query;   // [batch, queryHeads, D]
  const void* keys;    // [batch, kvHeads, tokens, D]
  const void* values;  // [batch, kvHeads, tokens, D]
  int64_t queryHeads, kvHeads, tokens;
  int group, chunks;  // query heads per KV head; chunks of kSumBlock positions
};

// Fills g for a dense step and returns the grid's height, batch × kvHeads (one block row per KV
// cache), which CUDA limits to 65535.
inline int64_t fillMmaGrid(MmaGrid& g, const DeviceAttention& a, const char* what) {
  const AttentionShape& s = a.shape;
  g.query = a.query;
  g.keys = a.keys;
  g.values = a.values;
  g.queryHeads = s.queryHeads;
  g.kvHeads = s.kvHeads;
  g.tokens = s.tokens;
  g.group = int(s.queryHeads / s.kvHeads);
  g.chunks = int(chunkCount(s.tokens));
  const int64_t blocksY = s.batch * s.kvHeads;
  if (blocksY > 65535) check(cudaErrorInvalidConfiguration, what);
  return blocksY;
}

// The group's query rows into qs [kRows][S], rows past the group zero (an mma tile of 16 rows).
template <typename E, int D, int S>
__device__ __forceinline__ void stageQueryRows(E* qs, const E* Q, int group, int tid) {
  constexpr int VEC = 16 / int(sizeof(E));
  for (int i = tid; i < kRows * (D / VEC); i += kThreads) {
    const int r = i / (D / VEC), c = i - r * (D / VEC);
    *reinterpret_cast<uint4*>(qs + r * S + c * VEC) =
        r < group ? *reinterpret_cast<const uint4*>(Q + int64_t(r) * D + c * VEC) : make_uint4(0, 0, 0, 0);
  }
}

// Dynamic shared memory of one block: Q [kRows][D + kPad], K and V [kSumBlock][D + kPad].
template <typename E, int D>
constexpr size_t sharedBytes() {
  return size_t(kRows + 2 * kSumBlock) * size_t(D + kPad) * sizeof(E);
}

// Issues cp.async for `len` rows of D elements from src into dst (row stride S); rows len..kSumBlock-1
// become zeros, so a partial last chunk contributes exact zeros to every product.
template <typename E, int D, int S>
__device__ __forceinline__ void stageRows(E* dst, const E* src, int len, int tid) {
  constexpr int VEC = 16 / int(sizeof(E));
  constexpr int VPR = D / VEC;  // 16-byte vectors per row
  for (int i = tid; i < kSumBlock * VPR; i += kThreads) {
    const int j = i / VPR, c = i - j * VPR;
    E* to = dst + j * S + c * VEC;
    if (j < len)
      cpAsync16(to, src + int64_t(j) * D + c * VEC);
    else
      *reinterpret_cast<uint4*>(to) = make_uint4(0, 0, 0, 0);
  }
  cpAsyncCommit();
}

}  // namespace mmaStaging
}  // namespace cuda
}  // namespace prhs
