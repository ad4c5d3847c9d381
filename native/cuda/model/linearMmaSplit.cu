// Decode projections, variant mma2 (PRHS_LINEAR_VARIANT=mma2): y = x·Wᵀ for up to 64 token rows on
// tensor cores (mma.sync m16n8k16, fp32 accumulators), every weight byte read once per step.
//
// A block (256 threads) owns a tile of 64 weight rows and one K range (grid.y splits K). Its 8 warps
// are 4 row warps (16 weight rows each) × 2 K warps: a stage is 64 inputs, K warp kw multiplies its
// 32-input chunk 2·stage + kw. Weights go through kStages shared-memory slots by cp.async (L2
// evict-first), kStages − 1 stages ahead of the MMAs: each lane copies the 16 bytes of weight rows g
// and g + 8 that its own fragments read (the mma kernel's mapping, linearSkinny.cu), and the block
// copies each x chunk once, in fragment order, for its 4 row warps. The first stages' weights are
// copied before waitForPreviousKernel (weights are read-only), so under programmatic dependent
// launch they are in flight while the previous kernel drains.
// Sums: each K warp accumulates its chunks in stage order in the MMA accumulators; the block adds its
// two K warps; with several K ranges each block writes that partial to the workspace and the last
// block of the tile (an atomic counter, which that block sets back to zero for the next launch or
// graph replay) adds the partials in K-range order and runs the epilogue. The plan depends only on
// the shape and the card's SM count, so every sum has one fixed order (theory/kernel-error.md,
// "CUDA model engine").
#include <algorithm>
#include <stdexcept>
#include <string>

#include "../cudaCheck.hpp"
#include "asyncCopy.cuh"
#include "deviceMath.cuh"
#include "linearFragments.cuh"
#include "linearMmaSplit.hpp"
#include "overlappedLaunch.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;
constexpr int kRowWarps = 4;                 // warps splitting a block's weight rows, 16 rows each
constexpr int kKWarps = kWarps / kRowWarps;  // warps splitting a stage's inputs, 32 each
constexpr int kBlockRows = 16 * kRowWarps;   // weight rows per block: one tile
constexpr int kStageInputs = 32 * kKWarps;   // inputs per stage
constexpr int kStages = 6;                   // shared-memory slots: kStages − 1 stages in flight
constexpr int kSumStride = kBlockRows + 4;   // floats per token row of the block's sum (spreads banks)
constexpr int kMaxRows = 64;                 // token rows (8 tiles of 8)
constexpr int64_t kBlocksPerSmWanted = 2;    // K is split until the grid has this many blocks per SM,
constexpr int64_t kMinStagesPerSplit = 8;    // keeping at least this many stages per K range,
constexpr int64_t kMaxSplits = 8;            // and at most this many ranges
static_assert(kKWarps == 2, "sumKWarps adds two K warps");

__host__ __device__ constexpr int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// One stage's shared memory in 16-byte vectors: weights [warp][row g | row g + 8][lane], then x
// [K warp][token tile][lane], each vector where the lane that multiplies it reads it.
template <int Tiles>
struct Slot {
  static constexpr int weightVectors = kWarps * 2 * 32;
  static constexpr int inputVectors = kKWarps * Tiles * 32;
  static constexpr int vectors = weightVectors + inputVectors;
  static constexpr size_t sharedBytes = size_t(kStages) * vectors * 16;
  static_assert(size_t(8 * Tiles) * kSumStride * 4 <= sharedBytes, "the block's sum reuses the slots");
};

struct SplitPlan {
  int64_t tiles;           // tiles of kBlockRows weight rows (grid.x)
  int64_t splits;          // K ranges (grid.y)
  int64_t stagesPerSplit;  // stages per K range (the last range may have fewer)
  int64_t stages;          // ⌈K / kStageInputs⌉
};

// The workspace: an int counter per tile (256-byte padded), then fp32 partials [tile][split][row][kBlockRows].
__host__ __device__ inline size_t counterBytes(const SplitPlan& plan) {
  return size_t(ceilDiv(plan.tiles * 4, 256) * 256);
}

size_t workspaceBytes(const SplitPlan& plan, int64_t rows) {
  if (plan.splits == 1) return 0;
  return counterBytes(plan) + size_t(plan.tiles * plan.splits * rows * kBlockRows) * 4;
}

int multiprocessors() {
  static const int count = [] {
    int device = 0, sms = 1;
    check(cudaGetDevice(&device), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute");
    return sms;
  }();
  return count;
}

// K ranges: enough blocks for kBlocksPerSmWanted per SM where the tiles alone are fewer, each range a
// whole number of stages (splitK false: one range).
SplitPlan planSplits(int64_t inFeatures, int64_t outFeatures, bool splitK) {
  const int64_t tiles = ceilDiv(outFeatures, kBlockRows), stages = ceilDiv(inFeatures, kStageInputs);
  const int64_t wanted = splitK ? std::min({ceilDiv(kBlocksPerSmWanted * multiprocessors(), tiles),
                                            ceilDiv(stages, kMinStagesPerSplit), kMaxSplits})
                                : 1;
  const int64_t perSplit = ceilDiv(stages, std::max<int64_t>(wanted, 1));
  return {tiles, ceilDiv(stages, perSplit), perSplit, stages};
}

// Weights are read once per step: evicted from L2 first, so x, the partials and the next kernels'
// activations stay.
__device__ __forceinline__ uint64_t evictFirstPolicy() {
  uint64_t policy;
  asm volatile("createpolicy.fractional.L2::evict_first.b64 %0, 1.0;\n" : "=l"(policy));
  return policy;
}

// copyAsync16 (asyncCopy.cuh) with an L2 cache policy.
__device__ __forceinline__ void copyAsync16Hinted(void* shared, const void* global, bool valid, uint64_t policy) {
  const unsigned to = static_cast<unsigned>(__cvta_generic_to_shared(shared));
  asm volatile("cp.async.cg.shared.global.L2::cache_hint [%0], [%1], 16, %2, %3;\n" ::"r"(to), "l"(global),
               "r"(valid ? 16 : 0), "l"(policy)
               : "memory");
}

// What one thread copies into a slot at stage s of its block's K range.
template <typename T>
struct Stager {
  const T* x;
  const T* weightA;  // weight row g of this warp's 16 (a valid row; insideA false past outFeatures)
  const T* weightB;  // row g + 8
  bool insideA, insideB;
  int64_t K, firstStage;
  int rows, warp, lane, kWarp;
  uint64_t policy;

  // The first input of the 8 that lane quarter t of K warp kw handles at stage s.
  __device__ int64_t input(int s, int kw, int t) const { return ((firstStage + s) * kKWarps + kw) * 32 + 8 * t; }

  __device__ void weights(uint4* slot, int s) const {
    const int64_t k = input(s, kWarp, lane & 3);
    const bool a = insideA && k < K, b = insideB && k < K;  // K % 8 == 0: a vector is inside or past K
    copyAsync16Hinted(slot + warp * 64 + lane, a ? weightA + k : weightA, a, policy);
    copyAsync16Hinted(slot + warp * 64 + 32 + lane, b ? weightB + k : weightB, b, policy);
  }

  // x rows 8j + g' at the inputs lane (g', t') of token tile j multiplies; zeros past rows and K.
  template <int Tiles>
  __device__ void inputs(uint4* slot, int s) const {
    for (int e = int(threadIdx.x); e < Slot<Tiles>::inputVectors; e += kThreads) {
      const int kw = e / (Tiles * 32), j = (e / 32) % Tiles, l = e % 32;
      const int r = 8 * j + (l >> 2);
      const int64_t k = input(s, kw, l & 3);
      const bool valid = r < rows && k < K;
      copyAsync16(slot + Slot<Tiles>::weightVectors + e, valid ? x + r * K + k : x, valid);
    }
  }
};

// One stage of this warp's 16 weight rows × its K warp's 32 inputs, for every token tile in use.
template <typename T, int Tiles>
__device__ __forceinline__ void multiplyStage(const uint4* slot, int warp, int lane, int kWarp, int rows,
                                              float (&d)[Tiles][4]) {
  const uint4 a = slot[warp * 64 + lane], b = slot[warp * 64 + 32 + lane];
  const uint4* in = slot + Slot<Tiles>::weightVectors + kWarp * Tiles * 32;
#pragma unroll
  for (int j = 0; j < Tiles; ++j) {
    if (8 * j >= rows) break;  // warp-uniform: every lane runs each MMA
    const uint4 v = in[j * 32 + lane];
    mma16816<T>(d[j], a.x, b.x, a.y, b.y, v.x, v.y);
    mma16816<T>(d[j], a.z, b.z, a.w, b.w, v.z, v.w);
  }
}

// The block's sum [8·Tiles token rows][kSumStride] in shared memory: K warp 0's accumulators plus
// K warp 1's (accumulator lanes as in linearSkinny.cu's mma: d[j][0..1] row g, tokens 8j + 2t + {0,1};
// d[j][2..3] row g + 8).
template <int Tiles>
__device__ __forceinline__ void sumKWarps(float* sum, const float (&d)[Tiles][4], int rowWarp, int kWarp, int lane) {
  const int g = lane >> 2, t = lane & 3;
  const auto at = [&](int j, int e) {
    return (8 * j + 2 * t + (e & 1)) * kSumStride + 16 * rowWarp + g + 8 * (e >> 1);
  };
  if (kWarp == 1) {
#pragma unroll
    for (int j = 0; j < Tiles; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) sum[at(j, e)] = d[j][e];
  }
  __syncthreads();
  if (kWarp == 0) {
#pragma unroll
    for (int j = 0; j < Tiles; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) sum[at(j, e)] = d[j][e] + sum[at(j, e)];
  }
  __syncthreads();
}

// Weight rows n0 … n0 + 3 of token row r through the epilogue (swiglu: the pairs (n0, n0 + 1), (n0 + 2, n0 + 3)).
template <typename T, LinearEpilogue E>
__device__ __forceinline__ void finishQuad(const LinearParams& p, int64_t n0, int r, float4 y) {
  const float v[4] = {y.x, y.y, y.z, y.w};
  constexpr int step = E == LinearEpilogue::swiglu ? 2 : 1;
#pragma unroll
  for (int e = 0; e < 4; e += step) {
    if (n0 + e < p.outFeatures) finish<T, E>(p, n0 + e, r, v[e], step == 2 ? v[(e + 1) & 3] : 0.f);
  }
}

constexpr int kQuadsPerRow = kBlockRows / 4;

// One K range: the block's sum is the whole sum.
template <typename T, LinearEpilogue E>
__device__ void finishTile(const LinearParams& p, const float* sum, int64_t firstRow, int rows) {
  for (int q = int(threadIdx.x); q < rows * kQuadsPerRow; q += kThreads) {
    const int r = q / kQuadsPerRow, c = q % kQuadsPerRow;
    finishQuad<T, E>(p, firstRow + 4 * c, r, *reinterpret_cast<const float4*>(sum + r * kSumStride + 4 * c));
  }
}

// Several K ranges: the block's partial to the workspace; the tile's last block adds all partials in
// range order (from L2: other SMs wrote them) and finishes the tile.
template <typename T, LinearEpilogue E>
__device__ void finishSplits(const LinearParams& p, const SplitPlan& plan, const float* sum, int64_t tile,
                             int64_t split, int rows, int* last) {
  int* counters = static_cast<int*>(p.workspace);
  float4* partials = reinterpret_cast<float4*>(static_cast<char*>(p.workspace) + counterBytes(plan)) +
                     tile * plan.splits * rows * kQuadsPerRow;
  const int quads = rows * kQuadsPerRow;
  for (int q = int(threadIdx.x); q < quads; q += kThreads) {
    const int r = q / kQuadsPerRow, c = q % kQuadsPerRow;
    __stcg(partials + split * quads + q, *reinterpret_cast<const float4*>(sum + r * kSumStride + 4 * c));
  }
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) *last = atomicAdd(counters + tile, 1) == plan.splits - 1;
  __syncthreads();
  if (!*last) return;
  __threadfence();
  if (threadIdx.x == 0) counters[tile] = 0;  // every other block of the tile has counted: ready for the next launch
  for (int q = int(threadIdx.x); q < quads; q += kThreads) {
    float4 y = __ldcg(partials + q);
    for (int64_t s = 1; s < plan.splits; ++s) {
      const float4 z = __ldcg(partials + s * quads + q);
      y.x += z.x;
      y.y += z.y;
      y.z += z.z;
      y.w += z.w;
    }
    finishQuad<T, E>(p, tile * kBlockRows + 4 * (q % kQuadsPerRow), q / kQuadsPerRow, y);
  }
}

template <typename T, int Tiles, LinearEpilogue E>
__global__ void __launch_bounds__(kThreads) mmaSplitKernel(LinearParams p, SplitPlan plan) {
  extern __shared__ uint4 slots[];
  __shared__ int last;
  const int lane = int(threadIdx.x) & 31, warp = int(threadIdx.x) >> 5;
  const int rowWarp = warp % kRowWarps, kWarp = warp / kRowWarps;
  const int64_t K = p.inFeatures, N = p.outFeatures, tile = blockIdx.x, split = blockIdx.y;
  const int64_t firstRow = tile * kBlockRows, rowA = firstRow + 16 * rowWarp + (lane >> 2), rowB = rowA + 8;
  const T* W = static_cast<const T*>(p.weight);
  const Stager<T> stager{static_cast<const T*>(p.x),
                         W + (rowA < N ? rowA : N - 1) * K,
                         W + (rowB < N ? rowB : N - 1) * K,
                         rowA < N,
                         rowB < N,
                         K,
                         split * plan.stagesPerSplit,
                         int(p.rows),
                         warp,
                         lane,
                         kWarp,
                         evictFirstPolicy()};
  const int stages = int(min(plan.stagesPerSplit, plan.stages - stager.firstStage));
  const auto slot = [&](int s) { return slots + (s % kStages) * Slot<Tiles>::vectors; };
  for (int s = 0; s < kStages - 1 && s < stages; ++s) stager.weights(slot(s), s);
  waitForPreviousKernel();
  // Group s holds stage s's x (group 0 also every weight copied above): kStages − 1 groups ahead.
  for (int s = 0; s < kStages - 1; ++s) {
    if (s < stages) stager.template inputs<Tiles>(slot(s), s);
    commitCopies();
  }
  float d[Tiles][4];
#pragma unroll
  for (int j = 0; j < Tiles; ++j) d[j][0] = d[j][1] = d[j][2] = d[j][3] = 0.f;
  for (int s = 0; s < stages; ++s) {
    waitCopies<kStages - 2>();  // stage s has landed (this thread's copies)
    __syncthreads();            // ... every thread's; and slot s − 1 is no longer read
    const int next = s + kStages - 1;
    if (next < stages) {
      stager.weights(slot(next), next);
      stager.template inputs<Tiles>(slot(next), next);
    }
    commitCopies();
    multiplyStage<T, Tiles>(slot(s), warp, lane, kWarp, stager.rows, d);
  }
  waitCopies<0>();
  __syncthreads();  // the slots become the block's sum
  float* sum = reinterpret_cast<float*>(slots);
  sumKWarps<Tiles>(sum, d, rowWarp, kWarp, lane);
  if (plan.splits == 1) {
    finishTile<T, E>(p, sum, firstRow, stager.rows);
  } else {
    finishSplits<T, E>(p, plan, sum, tile, split, stager.rows, &last);
  }
}

template <typename T, int Tiles, LinearEpilogue E>
void launchTiles(const LinearParams& p, const SplitPlan& plan, cudaStream_t stream) {
  const LaunchShape shape{dim3(unsigned(plan.tiles), unsigned(plan.splits)), dim3(kThreads), Slot<Tiles>::sharedBytes};
  launchOverlapped("model linear (skinny, mma2) kernel", mmaSplitKernel<T, Tiles, E>, shape, stream, p, plan);
}

// Every instance's dynamic shared-memory limit (above the 48 KB default), once per process.
template <typename T, LinearEpilogue E, int Tiles>
void allowTiles() {
  check(cudaFuncSetAttribute(mmaSplitKernel<T, Tiles, E>, cudaFuncAttributeMaxDynamicSharedMemorySize,
                             int(Slot<Tiles>::sharedBytes)),
        "cudaFuncSetAttribute (model linear, mma2)");
  if constexpr (Tiles < 8) allowTiles<T, E, 2 * Tiles>();
}

template <typename T>
void allowEpilogues() {
  allowTiles<T, LinearEpilogue::store, 1>();
  allowTiles<T, LinearEpilogue::storeFloat, 1>();
  allowTiles<T, LinearEpilogue::addResidual, 1>();
  allowTiles<T, LinearEpilogue::swiglu, 1>();
}

// Called from the engine's planning (linearSkinnyWorkspaceBytes), so it runs before any graph capture.
void allowSharedMemory() {
  static const bool allowed = [] {
    allowEpilogues<__half>();
    allowEpilogues<__nv_bfloat16>();
    return true;
  }();
  (void)allowed;
}

template <typename T, LinearEpilogue E>
void launchTyped(const LinearParams& p, const SplitPlan& plan, cudaStream_t stream) {
  if (p.rows <= 8) return launchTiles<T, 1, E>(p, plan, stream);
  if (p.rows <= 16) return launchTiles<T, 2, E>(p, plan, stream);
  if (p.rows <= 32) return launchTiles<T, 4, E>(p, plan, stream);
  return launchTiles<T, 8, E>(p, plan, stream);
}

template <typename T>
void launchEpilogue(const LinearParams& p, const SplitPlan& plan, cudaStream_t stream) {
  switch (p.epilogue) {
    case LinearEpilogue::store: return launchTyped<T, LinearEpilogue::store>(p, plan, stream);
    case LinearEpilogue::storeFloat: return launchTyped<T, LinearEpilogue::storeFloat>(p, plan, stream);
    case LinearEpilogue::addResidual: return launchTyped<T, LinearEpilogue::addResidual>(p, plan, stream);
    case LinearEpilogue::swiglu: return launchTyped<T, LinearEpilogue::swiglu>(p, plan, stream);
  }
}

}  // namespace

size_t linearSkinnyWorkspaceBytes(int64_t rows, int64_t inFeatures, int64_t outFeatures) {
  allowSharedMemory();
  return workspaceBytes(planSplits(inFeatures, outFeatures, true), rows);
}

void launchLinearMmaSplit(const LinearParams& p, cudaStream_t stream) {
  if (p.rows < 1 || p.rows > kMaxRows || p.inFeatures < 8 || p.inFeatures % 8 != 0 || p.outFeatures < 1) {
    throw std::invalid_argument(
        "model linear (mma2): expected 1 to 64 token rows and inFeatures a positive multiple of 8, received " +
        std::to_string(p.rows) + " rows, inFeatures " + std::to_string(p.inFeatures));
  }
  allowSharedMemory();
  const SplitPlan plan = planSplits(p.inFeatures, p.outFeatures, p.workspace != nullptr);
  const size_t needed = workspaceBytes(plan, p.rows);
  if (needed > p.workspaceBytes) {
    throw std::invalid_argument("model linear (mma2): the workspace holds " + std::to_string(p.workspaceBytes) +
                                " bytes, this launch needs " + std::to_string(needed));
  }
  if (p.dtype == Dtype::bf16) {
    launchEpilogue<__nv_bfloat16>(p, plan, stream);
  } else {
    launchEpilogue<__half>(p, plan, stream);
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
