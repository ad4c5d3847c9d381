// Device helpers shared by the model kernels: widening and rounding between the storage dtypes and
// fp32, 16-byte vectors of eight elements, and warp reductions. Every sum the kernels form is in
// fp32; storage is rounded once, round-to-nearest-even, where a kernel writes its result.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

namespace prhs {
namespace cuda {
namespace model {

__device__ __forceinline__ float widen(__half x) { return __half2float(x); }
__device__ __forceinline__ float widen(__nv_bfloat16 x) { return __bfloat162float(x); }

template <typename T>
__device__ __forceinline__ T narrow(float x);
template <>
__device__ __forceinline__ __half narrow<__half>(float x) {
  return __float2half_rn(x);
}
template <>
__device__ __forceinline__ __nv_bfloat16 narrow<__nv_bfloat16>(float x) {
  return __float2bfloat16_rn(x);
}

// The value after one rounding to storage T, back in fp32 (what HF's fp16/bf16 tensors hold).
template <typename T>
__device__ __forceinline__ float rounded(float x) {
  return widen(narrow<T>(x));
}

// Eight consecutive storage elements as floats, from one 16-byte load (16-byte aligned address).
template <typename T>
__device__ __forceinline__ void load8(const T* p, float (&out)[8]) {
  const uint4 raw = *reinterpret_cast<const uint4*>(p);
  const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
  for (int i = 0; i < 8; ++i) out[i] = widen(e[i]);
}

// The same load, bypassing L1 (weights are streamed once per step).
template <typename T>
__device__ __forceinline__ uint4 loadStreaming(const T* p) {
  return __ldcs(reinterpret_cast<const uint4*>(p));
}

template <typename T>
__device__ __forceinline__ void unpack8(const uint4& raw, float (&out)[8]) {
  const T* e = reinterpret_cast<const T*>(&raw);
#pragma unroll
  for (int i = 0; i < 8; ++i) out[i] = widen(e[i]);
}

// Into L2 ahead of use (a hint: weights a kernel will stream, touched before waitForPreviousKernel).
__device__ __forceinline__ void prefetchL2(const void* p) { asm volatile("prefetch.global.L2 [%0];" ::"l"(p)); }

// Programmatic dependent launch (overlappedLaunch.hpp): wait until the previous kernel of the
// stream has finished and its writes are visible (returns at once when launched without the
// attribute, or before sm_90), then let the next kernel start launching.
__device__ __forceinline__ void waitForPreviousKernel() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

__device__ __forceinline__ float warpSum(float x) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
  return x;
}

__device__ __forceinline__ float warpMax(float x) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
  return x;
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
