// Programmatic dependent launch for the decode step's kernels: a kernel launched here may start
// while the previous kernel of the stream is still draining (sm_90 and later), so its launch and
// prologue hide behind that kernel's tail. Every kernel launched this way calls
// waitForPreviousKernel() (deviceMath.cuh) before it touches any buffer another kernel writes or
// reads; only read-only weights may be touched before (prefetched into L2). PRHS_PDL=0 turns it off
// (read once per process); before sm_90 it is off.
#pragma once
#include <cuda_runtime.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "../cudaCheck.hpp"

namespace prhs {
namespace cuda {
namespace model {

inline bool overlappedLaunchEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("PRHS_PDL");
    const bool unset = value == nullptr || *value == '\0';
    if (!unset && std::strcmp(value, "0") == 0) return false;
    if (!unset && std::strcmp(value, "1") != 0) {
      throw std::invalid_argument(std::string("PRHS_PDL: expected 0 or 1, received \"") + value + "\"");
    }
    int device = 0, major = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute");
    return major >= 9;
  }();
  return enabled;
}

struct LaunchShape {
  dim3 grid, block;
  size_t sharedBytes = 0;
};

template <typename... Params, typename... Args>
void launchOverlapped(const char* what, void (*kernel)(Params...), const LaunchShape& shape, cudaStream_t stream,
                      Args... args) {
  cudaLaunchAttribute attribute{};
  attribute.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  attribute.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t config{};
  config.gridDim = shape.grid;
  config.blockDim = shape.block;
  config.dynamicSmemBytes = shape.sharedBytes;
  config.stream = stream;
  config.attrs = &attribute;
  config.numAttrs = overlappedLaunchEnabled() ? 1 : 0;
  check(cudaLaunchKernelEx(&config, kernel, args...), what);
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
