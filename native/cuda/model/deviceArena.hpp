// All of an engine's device memory in one allocation: regions are planned first (sizes only), the
// total is checked against the free memory, then one cudaMalloc backs every region. A failure
// leaves nothing allocated.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "../cudaCheck.hpp"

namespace prhs {
namespace cuda {
namespace model {

// Not enough device memory for an engine: the bytes it needs and the bytes free.
struct GpuMemoryError {
  std::string message;
};

class DeviceArena {
 public:
  DeviceArena() = default;
  DeviceArena(const DeviceArena&) = delete;
  DeviceArena& operator=(const DeviceArena&) = delete;
  ~DeviceArena() { release(); }

  // Reserves `bytes` (256-byte aligned) and returns the region's offset.
  size_t reserve(size_t bytes) {
    const size_t offset = planned_;
    planned_ += (bytes + 255) / 256 * 256;
    return offset;
  }
  size_t plannedBytes() const { return planned_; }

  // One allocation for everything reserved; `what` describes the parts for the error message.
  void allocate(const std::string& what) {
    size_t freeBytes = 0, totalBytes = 0;
    check(cudaMemGetInfo(&freeBytes, &totalBytes), "cudaMemGetInfo (model engine)");
    if (planned_ > freeBytes) throw GpuMemoryError{notEnough(what, freeBytes)};
    const cudaError_t status = cudaMalloc(&base_, planned_);
    if (status == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      base_ = nullptr;
      throw GpuMemoryError{notEnough(what, freeBytes)};
    }
    check(status, "cudaMalloc (model engine)");
  }
  template <typename T>
  T* at(size_t offset) const {
    return reinterpret_cast<T*>(static_cast<unsigned char*>(base_) + offset);
  }
  size_t allocatedBytes() const { return base_ ? planned_ : 0; }
  void release() {
    if (base_) cudaFree(base_);
    base_ = nullptr;
  }

 private:
  std::string notEnough(const std::string& what, size_t freeBytes) const {
    return "not enough GPU memory: the engine needs " + std::to_string(planned_) + " bytes (" + what + "), " +
           std::to_string(freeBytes) + " bytes are free";
  }
  void* base_ = nullptr;
  size_t planned_ = 0;
};

}  // namespace model
}  // namespace cuda
}  // namespace prhs
