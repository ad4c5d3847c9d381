// The tensor-core dense decode's block layout and staging (groupDecodeMma.cu), shared with the
// load-only walk that bench/cuda times on the same grid (denseFloor.cu): one block per (KV cache,
// chunk of kChunk positions), kThreads threads, the group's query rows and the chunk's K and V rows
// in dynamic shared memory, each shared row padded by kPad elements.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "cudaKernels.hpp"
#include "decodeRows.cuh"

namespace prhs {
namespace cuda {
namespace mmaStaging {

constexpr int kRows = 16;  // the mma tile's M: query heads of one group, zero-padded
constexpr int kWarps = 4;  // each warp owns kChunk / kWarps = 32 positions of the chunk
constexpr int kThreads = 32 * kWarps;
constexpr int kPositionsPerWarp = kChunk / kWarps;
constexpr int kPad = 8;  // elements of padding per shared row: ldmatrix rows hit distinct banks

// Dynamic shared memory of one block: Q [kRows][D + kPad], K and V [kChunk][D + kPad].
template <typename E, int D>
constexpr size_t sharedBytes() {
  return size_t(kRows + 2 * kChunk) * size_t(D + kPad) * sizeof(E);
}

// Issues cp.async for `len` rows of D elements from src into dst (row stride S); rows len..kChunk-1
// become zeros, so a partial last chunk contributes exact zeros to every product.
template <typename E, int D, int S>
__device__ __forceinline__ void stageRows(E* dst, const E* src, int len, int tid) {
  constexpr int VEC = 16 / int(sizeof(E));
  constexpr int VPR = D / VEC;  // 16-byte vectors per row
  for (int i = tid; i < kChunk * VPR; i += kThreads) {
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
