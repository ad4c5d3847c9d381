// The tensor-core dense decode's floors (denseFloor.hpp): its grid and staging without the
// arithmetic, and a plain read of the same bytes.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cstdint>

#include "cudaCheck.hpp"
#include "denseFloor.hpp"
#include "mmaStaging.cuh"

namespace prhs {
namespace cuda {
namespace {

using namespace mmaStaging;

struct WalkParams : MmaGrid {
  float* partial;  // [batch · queryHeads, chunks, D + 2], or nullptr: no stores
};

__global__ void emptyWalk() {}

// Block (chunk, cache): the tensor-core kernel's loads for one chunk, in its order and with its
// waits and barriers (Q rows; K rows, first commit group; V rows, second), then, with partials,
// a store of every float the kernel writes for this chunk (zeros: the values do not matter).
template <typename E, int D>
__global__ void __launch_bounds__(kThreads) loadWalk(WalkParams p) {
  constexpr int S = D + kPad;
  extern __shared__ __align__(16) unsigned char smem[];
  E* qs = reinterpret_cast<E*>(smem);
  E* ks = qs + kRows * S;
  E* vs = ks + kSumBlock * S;
  const int tid = threadIdx.x;
  const int64_t cache = blockIdx.y;
  const int chunk = blockIdx.x;
  const int64_t firstRow = (cache / p.kvHeads) * p.queryHeads + (cache % p.kvHeads) * p.group;
  const int64_t start = int64_t(chunk) * kSumBlock;
  const int len = int(p.tokens - start < kSumBlock ? p.tokens - start : int64_t(kSumBlock));
  stageRows<E, D, S>(ks, static_cast<const E*>(p.keys) + (cache * p.tokens + start) * D, len, tid);
  stageRows<E, D, S>(vs, static_cast<const E*>(p.values) + (cache * p.tokens + start) * D, len, tid);
  const E* Q = static_cast<const E*>(p.query) + firstRow * D;
  stageQueryRows<E, D, S>(qs, Q, p.group, tid);
  cpAsyncWait<1>();  // K landed
  __syncthreads();
  cpAsyncWait<0>();  // V landed
  __syncthreads();
  if (p.partial == nullptr) return;
  constexpr int64_t stride = D + 2;
  for (int i = tid; i < p.group * int(stride); i += kThreads) {
    const int g = i / int(stride), c = i - g * int(stride);
    p.partial[((firstRow + g) * p.chunks + chunk) * stride + c] = 0.f;
  }
}

template <typename E, int D>
void launchWalk(const WalkParams& p, MmaWalk walk, int64_t blocksY, cudaStream_t stream) {
  constexpr size_t shared = sharedBytes<E, D>();
  const dim3 grid(unsigned(p.chunks), unsigned(blocksY));
  if (walk == MmaWalk::empty) {
    // The same shared memory per block as the kernel, so as many blocks share an SM.
    check(cudaFuncSetAttribute(emptyWalk, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
          "cudaFuncSetAttribute(empty walk)");
    emptyWalk<<<grid, kThreads, shared, stream>>>();
    return;
  }
  check(cudaFuncSetAttribute(loadWalk<E, D>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
        "cudaFuncSetAttribute(load walk)");
  loadWalk<E, D><<<grid, kThreads, shared, stream>>>(p);
}

template <typename E>
void launchWalkByDim(const WalkParams& p, MmaWalk walk, int d, int64_t blocksY, cudaStream_t stream) {
  switch (d) {
    case 64: launchWalk<E, 64>(p, walk, blocksY, stream); break;
    case 96: launchWalk<E, 96>(p, walk, blocksY, stream); break;
    default: launchWalk<E, 128>(p, walk, blocksY, stream); break;
  }
}

constexpr int kStreamThreads = 256;
constexpr int kStreamInFlight = 8;

// Grid-stride over `vectors` 16-byte words of keys, then of values: kStreamInFlight loads per thread
// issued before any is used.
__global__ void __launch_bounds__(kStreamThreads)
    streamOnly(const uint4* keys, const uint4* values, int64_t vectors, unsigned* sink) {
  const int64_t stride = int64_t(gridDim.x) * kStreamThreads;
  unsigned x = 0;
  for (int64_t i0 = int64_t(blockIdx.x) * kStreamThreads + threadIdx.x; i0 < 2 * vectors;
       i0 += stride * kStreamInFlight) {
    uint4 v[kStreamInFlight];
#pragma unroll
    for (int u = 0; u < kStreamInFlight; ++u) {
      const int64_t i = i0 + u * stride;
      v[u] = i < vectors ? keys[i] : i < 2 * vectors ? values[i - vectors] : make_uint4(0, 0, 0, 0);
    }
#pragma unroll
    for (int u = 0; u < kStreamInFlight; ++u) x ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
  }
  if (x == 0x9e3779b9u) *sink = x;  // practically never: keeps the loads alive
}

}  // namespace

bool launchMmaWalk(const DeviceAttention& a, MmaWalk walk, float* workspace, cudaStream_t stream) {
  const AttentionShape& s = a.shape;
  if (a.list != nullptr || !mmaDecodeSupports(s, a.dtype)) return false;
  WalkParams p{};
  const int64_t blocksY = fillMmaGrid(p, a, "tensor-core walk grid (batch × KV heads > 65535)");
  const bool stores = walk == MmaWalk::loadsStores && p.chunks > 1;
  p.partial = stores && workspace != nullptr ? workspace + attentionCounterFloats(s) : nullptr;
  if (a.dtype == Dtype::fp16) {
    launchWalkByDim<__half>(p, walk, int(s.headDim), blocksY, stream);
  } else {
    launchWalkByDim<__nv_bfloat16>(p, walk, int(s.headDim), blocksY, stream);
  }
  checkLaunch("tensor-core walk launch");
  return true;
}

bool launchDenseStreamOnly(const DeviceAttention& a, int multiprocessors, unsigned* sink, cudaStream_t stream) {
  const AttentionShape& s = a.shape;
  const int64_t e = a.dtype == Dtype::fp32 ? 4 : 2;
  const int64_t bytes = s.batch * s.kvHeads * s.tokens * s.headDim * e;  // of the keys, and of the values
  if (a.list != nullptr || s.valueDim != s.headDim || bytes % 16 != 0) return false;
  const int64_t vectors = bytes / 16;
  const unsigned blocks = unsigned(std::max(1, multiprocessors) * 8);
  streamOnly<<<blocks, kStreamThreads, 0, stream>>>(static_cast<const uint4*>(a.keys),
                                                    static_cast<const uint4*>(a.values), vectors, sink);
  checkLaunch("dense stream-only launch");
  return true;
}

}  // namespace cuda
}  // namespace prhs
