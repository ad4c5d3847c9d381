// Decode projections (rows ≤ 64 token rows): y = x·Wᵀ for a skinny x. Each warp owns RowsPerWarp
// consecutive weight rows and streams them exactly once per step with 16-byte loads, two K-steps in
// flight, while the few x rows come from L1/L2. Each lane sums its stripe of K in fp32 (fmaf), then a
// xor tree over the 32 lanes adds the stripes: a term goes through ⌈K/256⌉ + 5 roundings
// (theory/kernel-error.md, "CUDA model engine").
#include <algorithm>

#include "../cudaCheck.hpp"
#include "deviceMath.cuh"
#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kThreads = 256;

template <typename T, int MaxRows, int RowsPerWarp>
__device__ __forceinline__ void accumulate(const uint4 (&w)[RowsPerWarp], const T* x, int64_t inFeatures, int rows,
                                           float (&acc)[RowsPerWarp][MaxRows]) {
  float wf[RowsPerWarp][8];
#pragma unroll
  for (int i = 0; i < RowsPerWarp; ++i) unpack8<T>(w[i], wf[i]);
#pragma unroll
  for (int r = 0; r < MaxRows; ++r) {
    if (r < rows) {
      float xf[8];
      load8(x + r * inFeatures, xf);
#pragma unroll
      for (int i = 0; i < RowsPerWarp; ++i)
#pragma unroll
        for (int e = 0; e < 8; ++e) acc[i][r] = fmaf(wf[i][e], xf[e], acc[i][r]);
    }
  }
}

// The result of weight row n for token row r (summed over the warp), through the epilogue.
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

template <typename T, int MaxRows, int RowsPerWarp, LinearEpilogue E>
__global__ void __launch_bounds__(kThreads) skinnyKernel(LinearParams p) {
  static_assert(E != LinearEpilogue::swiglu || RowsPerWarp % 2 == 0, "swiglu pairs gate and up rows in one warp");
  const int lane = threadIdx.x & 31;
  const int64_t firstRow = (int64_t(blockIdx.x) * kThreads + threadIdx.x) / 32 * RowsPerWarp;
  if (firstRow >= p.outFeatures) return;
  const int64_t K = p.inFeatures;
  const int rows = int(p.rows);
  const T* W = static_cast<const T*>(p.weight);
  const T* x = static_cast<const T*>(p.x);
  const T* rowOf[RowsPerWarp];
#pragma unroll
  for (int i = 0; i < RowsPerWarp; ++i) rowOf[i] = W + (firstRow + i < p.outFeatures ? firstRow + i : p.outFeatures - 1) * K;
  float acc[RowsPerWarp][MaxRows];
#pragma unroll
  for (int i = 0; i < RowsPerWarp; ++i)
#pragma unroll
    for (int r = 0; r < MaxRows; ++r) acc[i][r] = 0.f;
  for (int64_t k0 = lane * 8; k0 < K; k0 += 512) {
    const int64_t k1 = k0 + 256;
    uint4 w0[RowsPerWarp], w1[RowsPerWarp];
#pragma unroll
    for (int i = 0; i < RowsPerWarp; ++i) {
      w0[i] = loadStreaming(rowOf[i] + k0);
      w1[i] = k1 < K ? loadStreaming(rowOf[i] + k1) : make_uint4(0, 0, 0, 0);
    }
    accumulate<T, MaxRows, RowsPerWarp>(w0, x + k0, K, rows, acc);
    if (k1 < K) accumulate<T, MaxRows, RowsPerWarp>(w1, x + k1, K, rows, acc);
  }
#pragma unroll
  for (int r = 0; r < MaxRows; ++r) {
    if (r >= rows) break;
#pragma unroll
    for (int i = 0; i < RowsPerWarp; ++i) acc[i][r] = warpSum(acc[i][r]);
    if (lane != (r & 31)) continue;
#pragma unroll
    for (int i = 0; i < RowsPerWarp; i += (E == LinearEpilogue::swiglu ? 2 : 1)) {
      if (firstRow + i >= p.outFeatures) break;
      finish<T, E>(p, firstRow + i, r, acc[i][r], E == LinearEpilogue::swiglu ? acc[(i + 1) % RowsPerWarp][r] : 0.f);
    }
  }
}

template <typename T, int MaxRows, LinearEpilogue E>
void launchRows(const LinearParams& p, cudaStream_t stream) {
  // Accumulators per thread: RowsPerWarp × MaxRows ≤ 64 except swiglu at 64 rows (128).
  constexpr int RowsPerWarp = (E == LinearEpilogue::swiglu || MaxRows <= 16) ? 2 : 1;
  const int64_t warps = (p.outFeatures + RowsPerWarp - 1) / RowsPerWarp;
  const int64_t blocks = (warps * 32 + kThreads - 1) / kThreads;
  skinnyKernel<T, MaxRows, RowsPerWarp, E><<<unsigned(blocks), kThreads, 0, stream>>>(p);
  checkLaunch("model linear (skinny) kernel");
}

template <typename T, LinearEpilogue E>
void launchTyped(const LinearParams& p, cudaStream_t stream) {
  if (p.rows <= 1) return launchRows<T, 1, E>(p, stream);
  if (p.rows <= 2) return launchRows<T, 2, E>(p, stream);
  if (p.rows <= 4) return launchRows<T, 4, E>(p, stream);
  if (p.rows <= 8) return launchRows<T, 8, E>(p, stream);
  if (p.rows <= 16) return launchRows<T, 16, E>(p, stream);
  if (p.rows <= 32) return launchRows<T, 32, E>(p, stream);
  return launchRows<T, 64, E>(p, stream);
}

template <typename T>
void launchEpilogue(const LinearParams& p, cudaStream_t stream) {
  switch (p.epilogue) {
    case LinearEpilogue::store: return launchTyped<T, LinearEpilogue::store>(p, stream);
    case LinearEpilogue::storeFloat: return launchTyped<T, LinearEpilogue::storeFloat>(p, stream);
    case LinearEpilogue::addResidual: return launchTyped<T, LinearEpilogue::addResidual>(p, stream);
    case LinearEpilogue::swiglu: return launchTyped<T, LinearEpilogue::swiglu>(p, stream);
  }
}

}  // namespace

void launchLinearSkinny(const LinearParams& p, cudaStream_t stream) {
  if (p.dtype == Dtype::bf16) {
    launchEpilogue<__nv_bfloat16>(p, stream);
  } else {
    launchEpilogue<__half>(p, stream);
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
