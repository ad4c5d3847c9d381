// The epilogue the linear kernels share (linearSkinny.cu for decode, linearTensorCore.cu for
// prefill): where y = x·Wᵀ + bias of one weight row and token row goes, as LinearEpilogue says.
// One definition, so both kernels round the stored value the same way.
#pragma once
#include <cstdint>

#include "deviceMath.cuh"
#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {

// y of weight row n for token row `row` (bias already added) into p.out. swiglu: n is an even (gate)
// row, y its gate g and yNext the up u of row n + 1 (unused by the other epilogues).
template <typename T, LinearEpilogue E>
__device__ __forceinline__ void storeLinearOutput(const LinearParams& p, int64_t row, int64_t n, float y, float yNext) {
  if constexpr (E == LinearEpilogue::store) {
    static_cast<T*>(p.out)[row * p.outFeatures + n] = narrow<T>(y);
  } else if constexpr (E == LinearEpilogue::storeFloat) {
    static_cast<float*>(p.out)[row * p.outFeatures + n] = y;
  } else if constexpr (E == LinearEpilogue::addResidual) {
    static_cast<float*>(p.out)[row * p.outFeatures + n] += rounded<T>(y);
  } else {
    const float g = rounded<T>(y), u = rounded<T>(yNext);
    const float silu = rounded<T>(g / (1.f + expf(-g)));
    static_cast<T*>(p.out)[row * (p.outFeatures / 2) + n / 2] = narrow<T>(silu * u);
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
