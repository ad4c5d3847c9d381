// Per-token-row kernels: the embedding gather into the fp32 residual stream, and RMSNorm from it;
// and the spin kernel the decode benchmark's profile mode queues ahead of a step.
#include "../cudaCheck.hpp"
#include "deviceMath.cuh"
#include "modelKernels.hpp"
#include "overlappedLaunch.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void embedKernel(EmbedParams p) {
  waitForPreviousKernel();
  const int64_t r = blockIdx.y;
  const T* row = static_cast<const T*>(p.table) + int64_t(p.tokens[r]) * p.hidden;
  for (int64_t i = int64_t(blockIdx.x) * kThreads + threadIdx.x; i < p.hidden; i += int64_t(gridDim.x) * kThreads) {
    p.residual[r * p.hidden + i] = widen(row[i]);
  }
}

// One block per row: Σx² in fp32 (each thread a stride, then warp trees and a last warp over the 8
// warp sums), then HF's order of roundings: x · rsqrt(mean + eps) rounded to storage, times the weight.
template <typename T>
__global__ void __launch_bounds__(kThreads) rmsNormKernel(RmsNormParams p) {
  __shared__ float warpSums[kThreads / 32];
  __shared__ float inverse;
  waitForPreviousKernel();
  const int64_t r = blockIdx.x;
  const float* x = p.residual + (p.firstRow + r * p.rowStep) * p.hidden;
  float sum = 0.f;
  // Unrolled so that several loads are in flight at once; the sum still runs in i order.
#pragma unroll 8
  for (int64_t i = threadIdx.x; i < p.hidden; i += kThreads) sum = fmaf(x[i], x[i], sum);
  sum = warpSum(sum);
  if (threadIdx.x % 32 == 0) warpSums[threadIdx.x / 32] = sum;
  __syncthreads();
  if (threadIdx.x < 32) {
    float total = threadIdx.x < kThreads / 32 ? warpSums[threadIdx.x] : 0.f;
    total = warpSum(total);
    if (threadIdx.x == 0) inverse = rsqrtf(total / float(p.hidden) + p.eps);
  }
  __syncthreads();
  const T* w = static_cast<const T*>(p.weight);
  T* out = static_cast<T*>(p.out) + r * p.hidden;
  // Loads of kBatch elements first, then their stores (a store could alias a later load otherwise).
  constexpr int kBatch = 8;
  for (int64_t i0 = threadIdx.x; i0 < p.hidden; i0 += kBatch * kThreads) {
    float xs[kBatch], ws[kBatch];
#pragma unroll
    for (int u = 0; u < kBatch; ++u) {
      const int64_t i = i0 + u * kThreads;
      xs[u] = i < p.hidden ? x[i] : 0.f;
      ws[u] = i < p.hidden ? widen(w[i]) : 0.f;
    }
#pragma unroll
    for (int u = 0; u < kBatch; ++u) {
      const int64_t i = i0 + u * kThreads;
      if (i < p.hidden) out[i] = narrow<T>(ws[u] * rounded<T>(xs[u] * inverse));
    }
  }
}

// Holds one thread busy for `nanoseconds` of the GPU's global timer.
__global__ void spinKernel(int64_t nanoseconds) {
  uint64_t start = 0, now = 0;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(start));
  do {
    __nanosleep(1000);
    asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(now));
  } while (now - start < uint64_t(nanoseconds));
}

}  // namespace

void launchSpin(int64_t nanoseconds, cudaStream_t stream) {
  spinKernel<<<1, 1, 0, stream>>>(nanoseconds);
  checkLaunch("model spin kernel (profile)");
}

void launchEmbed(const EmbedParams& p, cudaStream_t stream) {
  const dim3 grid(unsigned((p.hidden + kThreads - 1) / kThreads), unsigned(p.rows));
  const LaunchShape shape{grid, dim3(kThreads)};
  if (p.dtype == Dtype::bf16) {
    launchOverlapped("model embedding kernel", embedKernel<__nv_bfloat16>, shape, stream, p);
  } else {
    launchOverlapped("model embedding kernel", embedKernel<__half>, shape, stream, p);
  }
}

void launchRmsNorm(const RmsNormParams& p, cudaStream_t stream) {
  const LaunchShape shape{dim3(unsigned(p.rows)), dim3(kThreads)};
  if (p.dtype == Dtype::bf16) {
    launchOverlapped("model RMSNorm kernel", rmsNormKernel<__nv_bfloat16>, shape, stream, p);
  } else {
    launchOverlapped("model RMSNorm kernel", rmsNormKernel<__half>, shape, stream, p);
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
