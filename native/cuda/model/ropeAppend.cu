// RoPE on the appended tokens' queries and keys, the write of their keys and values into the paged
// cache, and the length update that ends a step. Positions come from device memory (lengths), so a
// captured graph replays correctly at every step.
#include "../cudaCheck.hpp"
#include "deviceMath.cuh"
#include "modelKernels.hpp"
#include "overlappedLaunch.hpp"
#include "pagedCache.cuh"

namespace prhs {
namespace cuda {
namespace model {
namespace {

// Where position `pos` of sequence b, KV head h starts in a [pages, kvHeads, 16, headDim] pool.
__device__ __forceinline__ int64_t cacheOffset(const RopeAppendParams& p, int64_t b, int64_t h, int64_t pos) {
  return cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, h, pos) * p.headDim;
}

// Grid (queryHeads + 2 kvHeads, rows); thread j < headDim / 2 owns the pair (j, j + headDim / 2).
// The rotation rounds as HF's fp16/bf16 apply_rotary_pos_emb does: cos and sin rounded to storage,
// each product rounded, then the sum.
template <typename T>
__global__ void ropeAppendKernel(RopeAppendParams p) {
  waitForPreviousKernel();
  const int64_t row = blockIdx.y, b = row / p.count, i = row % p.count;
  const int64_t head = blockIdx.x, half = p.headDim / 2, j = threadIdx.x;
  const int64_t pos = int64_t(p.lengths[b]) + i;
  const T* in = static_cast<const T*>(p.qkv) + (row * (p.queryHeads + 2 * p.kvHeads) + head) * p.headDim;
  const float x1 = widen(in[j]), x2 = widen(in[j + half]);
  if (head >= p.queryHeads + p.kvHeads) {  // value: copied into the cache as it is
    const int64_t at = cacheOffset(p, b, head - p.queryHeads - p.kvHeads, pos);
    static_cast<T*>(p.valuePool)[at + j] = in[j];
    static_cast<T*>(p.valuePool)[at + j + half] = in[j + half];
    return;
  }
  const float angle = float(pos) * p.invFreq[j];
  const float c = rounded<T>(cosf(angle)), s = rounded<T>(sinf(angle));
  const T first = narrow<T>(rounded<T>(x1 * c) + rounded<T>(-x2 * s));
  const T second = narrow<T>(rounded<T>(x2 * c) + rounded<T>(x1 * s));
  T* out;
  if (head < p.queryHeads) {
    out = static_cast<T*>(p.query) + (row * p.queryHeads + head) * p.headDim;
  } else {
    out = static_cast<T*>(p.keyPool) + cacheOffset(p, b, head - p.queryHeads, pos);
  }
  out[j] = first;
  out[j + half] = second;
}

__global__ void advanceKernel(int32_t* lengths, int64_t batch, int64_t count) {
  waitForPreviousKernel();
  const int64_t b = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (b < batch) lengths[b] += int32_t(count);
}

}  // namespace

void launchRopeAppend(const RopeAppendParams& p, cudaStream_t stream) {
  const dim3 grid(unsigned(p.queryHeads + 2 * p.kvHeads), unsigned(p.batch * p.count));
  const unsigned threads = unsigned(p.headDim / 2);
  const LaunchShape shape{grid, dim3(threads)};
  if (p.dtype == Dtype::bf16) {
    launchOverlapped("model RoPE/cache-append kernel", ropeAppendKernel<__nv_bfloat16>, shape, stream, p);
  } else {
    launchOverlapped("model RoPE/cache-append kernel", ropeAppendKernel<__half>, shape, stream, p);
  }
}

void launchAdvanceLengths(int32_t* lengths, int64_t batch, int64_t count, cudaStream_t stream) {
  launchOverlapped("model length-advance kernel", advanceKernel, LaunchShape{dim3(1), dim3(64)}, stream, lengths, batch,
                   count);
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
