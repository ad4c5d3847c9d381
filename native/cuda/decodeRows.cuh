// Device helpers shared by the decode kernels (attention.cu, groupDecode.cu, groupDecodeMma.cu):
// widening a stored element to fp32, 16-byte row loads (to registers, or to shared memory with
// cp.async), the lanes that share a row, and the split-KV merge factor. The kernels must round
// identically, so these live in one place (the merge itself: decodeMerge.cuh).
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

namespace prhs {
namespace cuda {

__device__ __forceinline__ float widen(float x) { return x; }
__device__ __forceinline__ float widen(__half x) { return __half2float(x); }
__device__ __forceinline__ float widen(__nv_bfloat16 x) { return __bfloat162float(x); }

// Loads VEC consecutive elements as floats; VEC > 1 is one 16-byte load (the caller guarantees
// alignment: rows of headDim·sizeof(E) bytes with headDim % VEC == 0).
template <typename E, int VEC>
__device__ __forceinline__ void loadRow(const E* p, float (&out)[VEC]) {
  if constexpr (VEC == 1) {
    out[0] = widen(p[0]);
  } else {
    static_assert(VEC * sizeof(E) == 16, "vector loads are 16 bytes");
    const uint4 raw = *reinterpret_cast<const uint4*>(p);
    const E* e = reinterpret_cast<const E*>(&raw);
#pragma unroll
    for (int i = 0; i < VEC; ++i) out[i] = widen(e[i]);
  }
}

// The 16 raw bytes of a row vector, widened later (so the load can be issued well before its use).
template <typename E>
__device__ __forceinline__ uint4 loadRaw(const E* p) {
  return *reinterpret_cast<const uint4*>(p);
}

template <typename E, int VEC>
__device__ __forceinline__ void widenRaw(const uint4& raw, float (&out)[VEC]) {
  static_assert(VEC * sizeof(E) == 16, "vector loads are 16 bytes");
  const E* e = reinterpret_cast<const E*>(&raw);
#pragma unroll
  for (int i = 0; i < VEC; ++i) out[i] = widen(e[i]);
}

// 16-byte asynchronous copy global → shared (sm_80+), completed by cpAsyncWait.
__device__ __forceinline__ void cpAsync16(void* sharedDst, const void* globalSrc) {
  const unsigned dst = unsigned(__cvta_generic_to_shared(sharedDst));
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(dst), "l"(globalSrc) : "memory");
}
__device__ __forceinline__ void cpAsyncCommit() { asm volatile("cp.async.commit_group;\n" ::: "memory"); }
template <int Pending>
__device__ __forceinline__ void cpAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending) : "memory");
}

// Lanes that share one row of `vectors` vectors: the next power of two ≥ vectors, at most 32.
inline int lanesForVectors(int64_t vectors) {
  int r = 1;
  while (r < 32 && r < vectors) r <<= 1;
  return r;
}

// The merge factor of chunk s: 1 for a chunk holding the max (also when the max is ±Inf or when
// there is one chunk), e^{m_s − M} otherwise.
__device__ __forceinline__ float mergeFactor(float m, float M) { return m == M ? 1.f : expf(m - M); }

}  // namespace cuda
}  // namespace prhs
