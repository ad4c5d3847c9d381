// cp.async: 16-byte copies from global to shared memory that the issuing thread waits for later, so
// a block streams the next tile while it computes on the current one (sm_80 and later).
#pragma once
#include <cuda_runtime.h>

namespace prhs {
namespace cuda {
namespace model {

// Copies 16 bytes, or zero-fills the 16 shared bytes when !valid (global must still be a valid address).
__device__ __forceinline__ void copyAsync16(void* shared, const void* global, bool valid) {
  const unsigned to = static_cast<unsigned>(__cvta_generic_to_shared(shared));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(to), "l"(global), "r"(valid ? 16 : 0)
               : "memory");
}

__device__ __forceinline__ void commitCopies() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }

// Waits until at most `Pending` committed groups are still in flight.
template <int Pending>
__device__ __forceinline__ void waitCopies() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending) : "memory");
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
