// Decode projections (rows ≤ 64 token rows): y = x·Wᵀ for a skinny x, every weight byte read once
// per step for all token rows. Three kernels, chosen per launch by PRHS_LINEAR_VARIANT (read once per
// process; README "Models"): auto (unset) takes warp below PRHS_LINEAR_MMA_ROWS token rows (default
// kMmaFromRows) and mma from there; warp, deep or mma force one kernel for every launch:
//  - warp (default): each warp owns RowsPerWarp consecutive weight rows and streams them with 16-byte
//    loads, two K-steps in flight, the x rows coming from L1/L2; each lane sums its stripe of K in fp32
//    (fmaf), then a xor tree over the 32 lanes adds the stripes: ⌈K/256⌉·8 + 5 roundings per term.
//  - deep: the same sums in the same order (bit-identical to warp), four K-steps in flight and, from
//    4 token rows up, four weight rows per warp, so each x load from L1 serves twice the weight bytes.
//  - mma: tensor cores (mma.sync m16n8k16, fp32 accumulators). A block owns 16 · RowTiles weight
//    rows; its 8 warps split K, each loading 16 bytes of two weight rows per row tile and of each x
//    row per lane per 32 K (any permutation of K pairs weights and inputs alike, so the 16-byte loads
//    feed the fragments directly); the 8 partial sums are added in warp order. Each x load serves
//    RowTiles row tiles, so x traffic per weight byte is ≤ 1 / RowTiles at 16 rows. RowTiles
//    (PRHS_LINEAR_MMA_ROW_TILES, 1 or 2; default 2 up to 16 token rows) does not change any sum.
// Error bounds of all three: theory/kernel-error.md, "CUDA model engine".
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "../cudaCheck.hpp"
#include "deviceMath.cuh"
#include "modelKernels.hpp"
#include "overlappedLaunch.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kThreads = 256;

constexpr int64_t kMmaFromRows = 8;  // auto: token rows from which mma replaces warp

enum class SkinnyVariant { automatic, warp, deep, mma };

SkinnyVariant variantFromEnvironment() {
  const char* value = std::getenv("PRHS_LINEAR_VARIANT");
  if (value == nullptr || *value == '\0' || std::strcmp(value, "auto") == 0) return SkinnyVariant::automatic;
  if (std::strcmp(value, "warp") == 0) return SkinnyVariant::warp;
  if (std::strcmp(value, "deep") == 0) return SkinnyVariant::deep;
  if (std::strcmp(value, "mma") == 0) return SkinnyVariant::mma;
  throw std::invalid_argument(std::string("PRHS_LINEAR_VARIANT: expected auto, warp, deep or mma, received \"") +
                              value + "\"");
}

// A whole-number setting from the environment in [lo, hi], or `fallback` when unset.
int64_t settingFromEnvironment(const char* name, int64_t fallback, int64_t lo, int64_t hi) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const long long x = std::strtoll(value, &end, 10);
  if (*end != '\0' || x < lo || x > hi) {
    throw std::invalid_argument(std::string(name) + ": expected an integer in [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "], received \"" + value + "\"");
  }
  return x;
}

struct SkinnyChoice {
  SkinnyVariant variant;
  int64_t mmaFromRows;  // auto only
  int64_t mmaRowTiles;  // 0: the default per launch
};

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

// warp and deep: InFlight K-steps of 256 inputs loaded before any is summed (the order of the sums
// does not depend on InFlight or RowsPerWarp).
template <typename T, int MaxRows, int RowsPerWarp, int InFlight, LinearEpilogue E>
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
  for (int i = 0; i < RowsPerWarp; ++i)
    rowOf[i] = W + (firstRow + i < p.outFeatures ? firstRow + i : p.outFeatures - 1) * K;
#pragma unroll
  for (int s = 0; s < InFlight; ++s)
#pragma unroll
    for (int i = 0; i < RowsPerWarp; ++i)
      if (lane * 8 + 256 * s < K) prefetchL2(rowOf[i] + lane * 8 + 256 * s);  // the weights' first loads
  waitForPreviousKernel();
  float acc[RowsPerWarp][MaxRows];
#pragma unroll
  for (int i = 0; i < RowsPerWarp; ++i)
#pragma unroll
    for (int r = 0; r < MaxRows; ++r) acc[i][r] = 0.f;
  for (int64_t k0 = lane * 8; k0 < K; k0 += 256 * InFlight) {
    uint4 w[InFlight][RowsPerWarp];
#pragma unroll
    for (int s = 0; s < InFlight; ++s)
#pragma unroll
      for (int i = 0; i < RowsPerWarp; ++i)
        w[s][i] = k0 + 256 * s < K ? loadStreaming(rowOf[i] + k0 + 256 * s) : make_uint4(0, 0, 0, 0);
#pragma unroll
    for (int s = 0; s < InFlight; ++s)
      if (k0 + 256 * s < K) accumulate<T, MaxRows, RowsPerWarp>(w[s], x + k0 + 256 * s, K, rows, acc);
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

// d += a·b for one m16n8k16 tile (a: 16 weight rows × 16 inputs, b: 16 inputs × 8 token rows).
template <typename T>
__device__ __forceinline__ void mma16816(float (&d)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t b0,
                                         uint32_t b1) {
  if constexpr (std::is_same_v<T, __half>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
  }
}

constexpr int kMmaWarps = kThreads / 32;  // warps splitting K in one block
constexpr int kMmaInFlight = 4;           // 32-input chunks each warp loads before it multiplies

// mma: lane (g = lane / 4, t = lane % 4) loads inputs c·32 + 8t … + 7 of weight rows g and g + 8 and
// of token rows g, g + 8, … ; words 0–1 of those 16 bytes are one MMA's K slots {2t, 2t+1, 2t+8,
// 2t+9}, words 2–3 a second MMA's, the same slots in the A and B fragments, so every product pairs
// W[n][k] with x[r][k] for the same k. Accumulator lanes: d[j][0..1] = row g, tokens 8j + 2t + {0,1};
// d[j][2..3] = row g + 8, the same tokens.
// Row tile i of a block covers weight rows firstRow + 16 i + [0, 16); every sum is the one RowTiles = 1
// forms for those rows (same warps, same chunks, same MMA order).
template <typename T, int Tiles, int RowTiles, LinearEpilogue E>
__global__ void __launch_bounds__(kThreads) mmaKernel(LinearParams p) {
  __shared__ float partial[kMmaWarps][RowTiles * Tiles * 4][32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
  const int64_t K = p.inFeatures, N = p.outFeatures, firstRow = int64_t(blockIdx.x) * 16 * RowTiles;
  const int rows = int(p.rows);
  const T* W = static_cast<const T*>(p.weight);
  const T* x = static_cast<const T*>(p.x);
  const T* rowA[RowTiles];
  const T* rowB[RowTiles];
#pragma unroll
  for (int i = 0; i < RowTiles; ++i) {
    rowA[i] = W + min(firstRow + 16 * i + g, N - 1) * K;
    rowB[i] = W + min(firstRow + 16 * i + g + 8, N - 1) * K;
  }
  const int64_t chunks = (K + 31) / 32;
#pragma unroll
  for (int s = 0; s < kMmaInFlight; ++s) {
    const int64_t k = (warp + kMmaWarps * s) * 32 + 8 * t;
#pragma unroll
    for (int i = 0; i < RowTiles; ++i) {
      if (k < K) {  // the weights' first loads
        prefetchL2(rowA[i] + k);
        prefetchL2(rowB[i] + k);
      }
    }
  }
  waitForPreviousKernel();
  float d[RowTiles][Tiles][4];
#pragma unroll
  for (int i = 0; i < RowTiles; ++i)
#pragma unroll
    for (int j = 0; j < Tiles; ++j) d[i][j][0] = d[i][j][1] = d[i][j][2] = d[i][j][3] = 0.f;
  const uint4 zero = make_uint4(0, 0, 0, 0);
  for (int64_t c0 = warp; c0 < chunks; c0 += kMmaWarps * kMmaInFlight) {
    uint4 a[kMmaInFlight][RowTiles], b[kMmaInFlight][RowTiles];
#pragma unroll
    for (int s = 0; s < kMmaInFlight; ++s) {
      const int64_t k = (c0 + kMmaWarps * s) * 32 + 8 * t;
      const bool inside = c0 + kMmaWarps * s < chunks && k < K;
#pragma unroll
      for (int i = 0; i < RowTiles; ++i) {
        a[s][i] = inside ? loadStreaming(rowA[i] + k) : zero;
        b[s][i] = inside ? loadStreaming(rowB[i] + k) : zero;
      }
    }
#pragma unroll
    for (int s = 0; s < kMmaInFlight; ++s) {
      if (c0 + kMmaWarps * s >= chunks) break;  // warp-uniform: every lane runs each MMA
      const int64_t k = (c0 + kMmaWarps * s) * 32 + 8 * t;
#pragma unroll
      for (int j = 0; j < Tiles; ++j) {
        const int r = 8 * j + g;
        const uint4 v = r < rows && k < K ? *reinterpret_cast<const uint4*>(x + r * K + k) : zero;
#pragma unroll
        for (int i = 0; i < RowTiles; ++i) {
          mma16816<T>(d[i][j], a[s][i].x, b[s][i].x, a[s][i].y, b[s][i].y, v.x, v.y);
          mma16816<T>(d[i][j], a[s][i].z, b[s][i].z, a[s][i].w, b[s][i].w, v.z, v.w);
        }
      }
    }
  }
#pragma unroll
  for (int i = 0; i < RowTiles; ++i)
#pragma unroll
    for (int j = 0; j < Tiles; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) partial[warp][(i * Tiles + j) * 4 + e][lane] = d[i][j][e];
  __syncthreads();
  if (warp >= RowTiles) return;
  const int i = warp;  // warp i finishes row tile i
#pragma unroll
  for (int j = 0; j < Tiles; ++j) {
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int at = (i * Tiles + j) * 4 + e;
      float y = partial[0][at][lane];
#pragma unroll
      for (int w = 1; w < kMmaWarps; ++w) y += partial[w][at][lane];
      const float yNext = __shfl_down_sync(0xffffffffu, y, 4);  // row + 1 (lane + 4) for swiglu's even rows
      const int64_t n = firstRow + 16 * i + g + (e >= 2 ? 8 : 0);
      const int r = 8 * j + 2 * t + (e & 1);
      if (n >= N || r >= rows) continue;
      if (E == LinearEpilogue::swiglu && (g & 1)) continue;  // the odd row is the up half of its pair
      finish<T, E>(p, n, r, y, yNext);
    }
  }
}

template <typename T, int MaxRows, LinearEpilogue E>
void launchWarp(const LinearParams& p, cudaStream_t stream, bool deep) {
  // Accumulators per thread: RowsPerWarp × MaxRows ≤ 64 except swiglu at 64 rows (128).
  constexpr int RowsPerWarp = (E == LinearEpilogue::swiglu || MaxRows <= 16) ? 2 : 1;
  constexpr int DeepRowsPerWarp = (MaxRows >= 4 && MaxRows <= 16) ? 4 : RowsPerWarp;
  const int rowsPerWarp = deep ? DeepRowsPerWarp : RowsPerWarp;
  const int64_t warps = (p.outFeatures + rowsPerWarp - 1) / rowsPerWarp;
  const unsigned blocks = unsigned((warps * 32 + kThreads - 1) / kThreads);
  const LaunchShape shape{dim3(blocks), dim3(kThreads)};
  if (deep) {
    launchOverlapped("model linear (skinny, deep) kernel", skinnyKernel<T, MaxRows, DeepRowsPerWarp, 4, E>, shape,
                     stream, p);
  } else {
    launchOverlapped("model linear (skinny) kernel", skinnyKernel<T, MaxRows, RowsPerWarp, 2, E>, shape, stream, p);
  }
}

template <typename T, int Tiles, int RowTiles, LinearEpilogue E>
void launchMmaTiles(const LinearParams& p, cudaStream_t stream) {
  const unsigned blocks = unsigned((p.outFeatures + 16 * RowTiles - 1) / (16 * RowTiles));
  launchOverlapped("model linear (skinny, mma) kernel", mmaKernel<T, Tiles, RowTiles, E>,
                   LaunchShape{dim3(blocks), dim3(kThreads)}, stream, p);
}

// Two row tiles up to 16 token rows (beyond, their accumulators and shared partials get too large).
template <typename T, LinearEpilogue E>
void launchMma(const LinearParams& p, cudaStream_t stream, int64_t rowTiles) {
  const bool two = rowTiles == 0 ? p.rows <= 16 : rowTiles == 2 && p.rows <= 16;
  if (p.rows <= 8) {
    two ? launchMmaTiles<T, 1, 2, E>(p, stream) : launchMmaTiles<T, 1, 1, E>(p, stream);
  } else if (p.rows <= 16) {
    two ? launchMmaTiles<T, 2, 2, E>(p, stream) : launchMmaTiles<T, 2, 1, E>(p, stream);
  } else if (p.rows <= 32) {
    launchMmaTiles<T, 4, 1, E>(p, stream);
  } else {
    launchMmaTiles<T, 8, 1, E>(p, stream);
  }
}

template <typename T, LinearEpilogue E>
void launchTyped(const LinearParams& p, cudaStream_t stream, const SkinnyChoice& choice) {
  const SkinnyVariant variant = choice.variant != SkinnyVariant::automatic ? choice.variant
                                : p.rows >= choice.mmaFromRows             ? SkinnyVariant::mma
                                                                           : SkinnyVariant::warp;
  if (variant == SkinnyVariant::mma) return launchMma<T, E>(p, stream, choice.mmaRowTiles);
  const bool deep = variant == SkinnyVariant::deep;
  if (p.rows <= 1) return launchWarp<T, 1, E>(p, stream, deep);
  if (p.rows <= 2) return launchWarp<T, 2, E>(p, stream, deep);
  if (p.rows <= 4) return launchWarp<T, 4, E>(p, stream, deep);
  if (p.rows <= 8) return launchWarp<T, 8, E>(p, stream, deep);
  if (p.rows <= 16) return launchWarp<T, 16, E>(p, stream, deep);
  if (p.rows <= 32) return launchWarp<T, 32, E>(p, stream, deep);
  return launchWarp<T, 64, E>(p, stream, deep);
}

template <typename T>
void launchEpilogue(const LinearParams& p, cudaStream_t stream, const SkinnyChoice& variant) {
  switch (p.epilogue) {
    case LinearEpilogue::store: return launchTyped<T, LinearEpilogue::store>(p, stream, variant);
    case LinearEpilogue::storeFloat: return launchTyped<T, LinearEpilogue::storeFloat>(p, stream, variant);
    case LinearEpilogue::addResidual: return launchTyped<T, LinearEpilogue::addResidual>(p, stream, variant);
    case LinearEpilogue::swiglu: return launchTyped<T, LinearEpilogue::swiglu>(p, stream, variant);
  }
}

}  // namespace

void launchLinearSkinny(const LinearParams& p, cudaStream_t stream) {
  // Read once: every launch of a process agrees.
  static const SkinnyChoice variant{variantFromEnvironment(),
                                    settingFromEnvironment("PRHS_LINEAR_MMA_ROWS", kMmaFromRows, 1, 65),
                                    settingFromEnvironment("PRHS_LINEAR_MMA_ROW_TILES", 0, 1, 2)};
  if (p.dtype == Dtype::bf16) {
    launchEpilogue<__nv_bfloat16>(p, stream, variant);
  } else {
    launchEpilogue<__half>(p, stream, variant);
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
