// Seeded uniform fills (random weights and KV-cache contents for benchmarks).
#include <algorithm>

#include "../cudaCheck.hpp"
#include "deviceMath.cuh"
#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

// A 32-bit integer hash (lowbias32): consecutive indices give unrelated values.
__device__ __forceinline__ uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}

template <typename T>
__global__ void fillKernel(FillParams p) {
  const int64_t total = p.rows * p.cols;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t r = i / p.cols, c = i % p.cols;
    const uint32_t h = hash32(uint32_t(i) ^ hash32(uint32_t(i >> 32) ^ p.seed));
    const float u = float(h >> 8) * (2.f / 16777216.f) - 1.f;
    static_cast<T*>(p.data)[r * p.rowStride + c] = narrow<T>(p.center + p.halfWidth * u);
  }
}

}  // namespace

void launchFill(const FillParams& p, cudaStream_t stream) {
  const int64_t total = p.rows * p.cols;
  const unsigned blocks = unsigned(std::min<int64_t>((total + 255) / 256, 65536));
  if (p.dtype == Dtype::bf16) {
    fillKernel<__nv_bfloat16><<<blocks, 256, 0, stream>>>(p);
  } else {
    fillKernel<__half><<<blocks, 256, 0, stream>>>(p);
  }
  checkLaunch("model random fill kernel");
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
