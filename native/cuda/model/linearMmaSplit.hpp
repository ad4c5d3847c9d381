// Decode projection variant mma2 (PRHS_LINEAR_VARIANT=mma2; linearMmaSplit.cu): tensor cores,
// weights staged through shared memory with cp.async several stages ahead, K split across blocks
// with a fixed-order sum of their fp32 partials in LinearParams::workspace.
#pragma once
#include <cuda_runtime.h>

#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {

// rows ≤ 64, inFeatures % 8 == 0, x and weight 16-byte aligned; any outFeatures (even for swiglu).
void launchLinearMmaSplit(const LinearParams& p, cudaStream_t stream);

}  // namespace model
}  // namespace cuda
}  // namespace prhs
