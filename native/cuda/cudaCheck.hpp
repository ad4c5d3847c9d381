// CUDA error handling for the CUDA addon. A failed CUDA call throws CudaError, which deliberately
// does not derive from std::exception: the shared binding's guard (native/src/binding.cpp) lets it
// pass, and the CUDA binding's own guard turns it into a JavaScript Error whose message starts with
// the CUDA error name (cudaGetErrorName) and which carries it as `cudaError`.
#pragma once
#include <cuda_runtime.h>

#include <string>

namespace prhs {
namespace cuda {

struct CudaError {
  std::string name;     // e.g. "cudaErrorMemoryAllocation"
  std::string message;  // cudaGetErrorString
  std::string where;    // the operation that failed
};

[[noreturn]] inline void throwCudaError(cudaError_t status, const char* where) {
  (void)cudaGetLastError();  // clear a sticky-free error so the next call starts clean
  throw CudaError{cudaGetErrorName(status), cudaGetErrorString(status), where};
}

inline void check(cudaError_t status, const char* where) {
  if (status != cudaSuccess) throwCudaError(status, where);
}

// After a kernel launch: launch-configuration errors now, execution errors at the next sync.
inline void checkLaunch(const char* where) { check(cudaGetLastError(), where); }

// Device memory owned for the duration of one entry-point call.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(size_t count, const char* what = "cudaMalloc") { allocate(count, what); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (data_) cudaFree(data_);
  }
  void allocate(size_t count, const char* what = "cudaMalloc") {
    if (data_) cudaFree(data_);
    data_ = nullptr;
    count_ = count;
    if (count > 0) check(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T)), what);
  }
  void upload(const void* host, size_t count, const char* what) {
    if (count > 0) check(cudaMemcpy(data_, host, count * sizeof(T), cudaMemcpyHostToDevice), what);
  }
  void download(void* host, size_t count, const char* what) const {
    if (count > 0) check(cudaMemcpy(host, data_, count * sizeof(T), cudaMemcpyDeviceToHost), what);
  }
  T* get() const { return data_; }
  size_t count() const { return count_; }

 private:
  T* data_ = nullptr;
  size_t count_ = 0;
};

}  // namespace cuda
}  // namespace prhs
