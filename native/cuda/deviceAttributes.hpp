// What the launchers ask of the current device: the SM count that sizes their grids, and any other
// attribute (the sliced sparse kernel's cluster-launch support). Both throw CudaError on failure.
#pragma once
#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>

#include "cudaCheck.hpp"

namespace prhs {
namespace cuda {

// One attribute of the current device, asked each call.
inline int deviceAttribute(cudaDeviceAttr attribute) {
  int device = 0, value = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&value, attribute, device), "cudaDeviceGetAttribute");
  return value;
}

// The current device's SM count, asked once per device and process (launchers also size grids
// inside a stream capture, and on every decode step).
inline int64_t multiprocessorCount() {
  constexpr int kCachedDevices = 64;
  static std::atomic<int> cached[kCachedDevices];  // 0: not asked yet
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  if (device < 0 || device >= kCachedDevices) return deviceAttribute(cudaDevAttrMultiProcessorCount);
  int count = cached[device].load(std::memory_order_relaxed);
  if (count == 0) {
    count = deviceAttribute(cudaDevAttrMultiProcessorCount);
    cached[device].store(count, std::memory_order_relaxed);
  }
  return count;
}

}  // namespace cuda
}  // namespace prhs
