// Prefill projections on tensor cores: y = x·Wᵀ with WMMA 16×16×16 (fp16 or bf16 in, fp32
// accumulators). A block of 4 warps computes a 64×64 tile of y, each warp 32×32, stepping K by 32
// through shared memory; the tile then goes through the same epilogues as the decode kernel. It is
// written to be correct and simple rather than fast (the engine's speed target is decode).
#include <mma.h>

#include "../cudaCheck.hpp"
#include "deviceMath.cuh"
#include "linearEpilogue.cuh"
#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kTile = 64;   // rows and columns of y per block
constexpr int kStepK = 32;  // K per shared-memory stage
constexpr int kPadK = 8;    // keeps 16-byte rows, spreads banks
constexpr int kThreads = 128;

// Copies a 64 × 32 slice of a row-major [rows, K] matrix into shared memory, zero outside it.
template <typename T>
__device__ __forceinline__ void stageTile(const T* m, int64_t rows, int64_t K, int64_t row0, int64_t k0,
                                          T (&tile)[kTile][kStepK + kPadK]) {
  for (int v = threadIdx.x; v < kTile * kStepK / 8; v += kThreads) {
    const int row = v / (kStepK / 8), col = (v % (kStepK / 8)) * 8;
    uint4 value = make_uint4(0, 0, 0, 0);
    if (row0 + row < rows && k0 + col < K) value = *reinterpret_cast<const uint4*>(m + (row0 + row) * K + k0 + col);
    *reinterpret_cast<uint4*>(&tile[row][col]) = value;
  }
}

template <typename T, LinearEpilogue E>
__device__ void tileEpilogue(const LinearParams& p, const float (&c)[kTile][kTile + 4], int64_t m0, int64_t n0) {
  const T* bias = static_cast<const T*>(p.bias);
  for (int e = threadIdx.x; e < kTile * kTile; e += kThreads) {
    const int row = e / kTile, col = e % kTile;
    const int64_t m = m0 + row, n = n0 + col;
    if (m >= p.rows || n >= p.outFeatures) continue;
    const float y = c[row][col] + (bias ? widen(bias[n]) : 0.f);
    if constexpr (E == LinearEpilogue::swiglu) {
      if (col % 2 != 0) continue;  // the pair (gate, up) is (col, col + 1): kTile is even
      storeLinearOutput<T, E>(p, m, n, y, c[row][col + 1]);
    } else {
      storeLinearOutput<T, E>(p, m, n, y, 0.f);
    }
  }
}

template <typename T, LinearEpilogue E>
__global__ void __launch_bounds__(kThreads) tensorCoreKernel(LinearParams p) {
  using namespace nvcuda;
  __shared__ __align__(32) T a[kTile][kStepK + kPadK];  // x rows m0..m0+63
  __shared__ __align__(32) T b[kTile][kStepK + kPadK];  // weight rows n0..n0+63
  __shared__ __align__(32) float c[kTile][kTile + 4];
  const int warp = threadIdx.x / 32, wm = warp / 2, wn = warp % 2;
  const int64_t m0 = int64_t(blockIdx.y) * kTile, n0 = int64_t(blockIdx.x) * kTile;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.f);
  for (int64_t k0 = 0; k0 < p.inFeatures; k0 += kStepK) {
    stageTile(static_cast<const T*>(p.x), p.rows, p.inFeatures, m0, k0, a);
    stageTile(static_cast<const T*>(p.weight), p.outFeatures, p.inFeatures, n0, k0, b);
    __syncthreads();
#pragma unroll
    for (int kk = 0; kk < kStepK; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> fa[2];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> fb[2];
#pragma unroll
      for (int i = 0; i < 2; ++i) wmma::load_matrix_sync(fa[i], &a[wm * 32 + i * 16][kk], kStepK + kPadK);
#pragma unroll
      for (int j = 0; j < 2; ++j) wmma::load_matrix_sync(fb[j], &b[wn * 32 + j * 16][kk], kStepK + kPadK);
#pragma unroll
      for (int i = 0; i < 2; ++i)
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], fa[i], fb[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 2; ++i)
#pragma unroll
    for (int j = 0; j < 2; ++j)
      wmma::store_matrix_sync(&c[wm * 32 + i * 16][wn * 32 + j * 16], acc[i][j], kTile + 4, wmma::mem_row_major);
  __syncthreads();
  tileEpilogue<T, E>(p, c, m0, n0);
}

template <typename T, LinearEpilogue E>
void launchTyped(const LinearParams& p, cudaStream_t stream) {
  const dim3 grid(unsigned((p.outFeatures + kTile - 1) / kTile), unsigned((p.rows + kTile - 1) / kTile));
  tensorCoreKernel<T, E><<<grid, kThreads, 0, stream>>>(p);
  checkLaunch("model linear (tensor core) kernel");
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

void launchLinearTensorCore(const LinearParams& p, cudaStream_t stream) {
  if (p.dtype == Dtype::bf16) {
    launchEpilogue<__nv_bfloat16>(p, stream);
  } else {
    launchEpilogue<__half>(p, stream);
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
