// Device pieces shared by the decode projection kernels (linearSkinny.cu, linearMmaSplit.cu): the
// epilogue of one output (LinearEpilogue) and one m16n8k16 tensor-core step with fp32 accumulators.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "deviceMath.cuh"
#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {

// The result y of weight row n for token row r (the whole sum over K), through the epilogue; yNext
// is row n + 1's (swiglu's up half; n even).
template <typename T, LinearEpilogue E>
__device__ __forceinline__ void finish(const LinearParams& p, int64_t n, int r, float y, float yNext) {
  const T* bias = static_cast<const T*>(p.bias);
  if (bias) y += widen(bias[n]);
  if constexpr (E == LinearEpilogue::store) {
    static_cast<T*>(p.out)[r * p.outFeatures + n] = narrow<T>(y);
  } else if constexpr (E == LinearEpilogue::storeFloat) {
    static_cast<float*>(p.out)[r * p.outFeatures + n] = y;
  } else if constexpr (E == LinearEpilogue::addResidual) {
    static_cast<float*>(p.out)[r * p.outFeatures + n] += rounded<T>(y);
  } else {
    const float g = rounded<T>(y), u = rounded<T>(yNext);
    const float silu = rounded<T>(g / (1.f + expf(-g)));
    static_cast<T*>(p.out)[r * (p.outFeatures / 2) + n / 2] = narrow<T>(silu * u);
  }
}

// d += a·b for one m16n8k16 tile (a: 16 weight rows × 16 inputs, b: 16 inputs × 8 token rows).
template <typename T>
__device__ __forceinline__ void mma16816(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                                         uint32_t b1) {
  if constexpr (std::is_same_v<T, __half>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
