// Tensor-core dense GQA decode: one block per (batch, KV head, chunk of kSumBlock = 128 positions)
// serves the whole query group (1..16 heads, padded to the 16 rows of an mma tile). Its K and V
// rows are staged in shared memory with cp.async (K first, V behind it), then
//   S = Q·Kᵀ        mma.sync m16n8k16 (fp16 or bf16 inputs, fp32 accumulate), each warp 32 positions
//   p = exp(scale·S − m), m the chunk's row maximum (fp32), P̃ = p rounded to the input type
//       (fp16), or P̃ = hi + lo with hi = bf16(p), lo = bf16(p − hi) (bf16: 16 significant bits)
//   numerator = P̃·V  mma.sync again (bf16: the hi and the lo terms, one accumulator), the four
//       warps' partials added in warp order (fp32)
//   denominator = Σ P̃ (the rounded weights, so numerator and denominator share them)
// and the chunk's (m, Σ P̃, numerator) go to the split-KV partials (or straight to the output when
// there is one chunk). The partials are merged by decodeMerge.cuh's order, either by groupDecode.cu's
// merge kernel (the default) or fused (PRHS_CUDA_MMA_MERGE=fused: the last block of each KV cache
// to finish merges the group's rows): the same bits either way. The fused merge is opt-in because it
// measured slower in every cell on an H100 (bench/README.md, "The fused merge of the tensor-core
// kernel"): one block then merges all of a KV cache's rows while the rest of the GPU idles.
//
// Pipelined (PRHS_CUDA_DECODE=mma-pipelined): a block takes several consecutive chunks and requests
// the next chunk's K rows once this chunk's logits are done, its V rows once this chunk's numerator
// is reduced; every chunk's arithmetic is the same, so the bits are those of one chunk per block.
//
// This is not the chunk kernel's summation order, and P is rounded: the bound that applies is
// theory/kernel-error.md's "Tensor-core dense decode" (the harness selects it when the addon
// reports decodeSummation = "tensor-core"). Head dims 64, 96, 128 with valueDim = headDim;
// anything else returns false and the caller runs the group kernel.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "decodeMerge.cuh"
#include "decodeRows.cuh"
#include "deviceAttributes.hpp"
#include "mmaStaging.cuh"

namespace prhs {
namespace cuda {
namespace {

using namespace mmaStaging;

struct MmaParams : MmaGrid {
  int chunksPerBlock;  // consecutive chunks one block handles (1: one chunk per block)
  float scale;
  float* partial;  // [rows, chunks, d + 2] when chunks > 1
  float* out;
  unsigned* counters;  // fused merge: [gridDim.y] finished blocks (zero between launches)
};

__device__ __forceinline__ void ldmatrix4(unsigned (&r)[4], const void* p) {
  const unsigned a = unsigned(__cvta_generic_to_shared(p));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(a));
}
__device__ __forceinline__ void ldmatrix4Trans(unsigned (&r)[4], const void* p) {
  const unsigned a = unsigned(__cvta_generic_to_shared(p));
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(a));
}

// c += a·b for one m16n8k16 tile (row-major A, column-major B, fp32 accumulators).
template <typename E>
__device__ __forceinline__ void mma16816(float (&c)[4], const unsigned (&a)[4], unsigned b0, unsigned b1) {
  if constexpr (std::is_same<E, __half>::value) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
        : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}

// Two fp32 weights rounded to the input type (round to nearest), packed as one A-fragment register.
template <typename E>
__device__ __forceinline__ unsigned packRounded(float lo, float hi, float& loRounded, float& hiRounded) {
  if constexpr (std::is_same<E, __half>::value) {
    const __half2 h = __floats2half2_rn(lo, hi);
    loRounded = __low2float(h);
    hiRounded = __high2float(h);
    return *reinterpret_cast<const unsigned*>(&h);
  } else {
    const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    loRounded = __low2float(h);
    hiRounded = __high2float(h);
    return *reinterpret_cast<const unsigned*>(&h);
  }
}

// Whether P̃ is split into two terms of the input type (theory/kernel-error.md, "Tensor-core dense
// decode"): bf16 (8 significant bits) yes; fp16 keeps one rounding (11 bits), since its second term
// would fall below fp16's normal range for every weight under 2^-3, where a flushing tensor core
// could drop it, so the bound could not charge less than one rounding.
template <typename E>
constexpr bool kSplitsWeights = std::is_same<E, __nv_bfloat16>::value;

// S = Q·Kᵀ over one warp's 32 positions w0..w0 + 31: NT tiles of 16 × 8 (fp32 accumulators), D / 16
// k-steps each. qs: [kRows][D + kPad] query rows; ks: [kSumBlock][D + kPad] the chunk's key rows.
template <typename E, int D, int NT>
__device__ __forceinline__ void chunkLogits(float (&s)[NT][4], const E* qs, const E* ks, int w0, int lane) {
  constexpr int S = D + kPad;
#pragma unroll
  for (int t = 0; t < NT; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) s[t][e] = 0.f;
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk) {
    unsigned a[4];
    ldmatrix4(a, qs + (lane & 15) * S + kk * 16 + (lane >> 4) * 8);
#pragma unroll
    for (int t = 0; t < NT; t += 2) {
      unsigned b[4];  // b[0], b[1]: tile t; b[2], b[3]: tile t + 1
      ldmatrix4(b, ks + (w0 + t * 8 + (lane & 7) + ((lane >> 4) << 3)) * S + kk * 16 + ((lane >> 3) & 1) * 8);
      mma16816<E>(s[t], a, b[0], b[1]);
      mma16816<E>(s[t + 1], a, b[2], b[3]);
    }
  }
}

// The chunk's weights p = exp(S − m) of this thread (rows r and r + 8: maxima m0, m1) as P̃'s A
// fragments: k-step h covers tiles 2h (k 0..7) and 2h + 1 (k 8..15) of this warp. With kSplitP
// (bf16) each weight is hi + lo, hi = bf16(p), lo = bf16(p − hi) (p − hi is exact in fp32): P̃ = hi + lo
// carries 16 significant bits of p instead of 8. sum0, sum1: this thread's Σ P̃ of each row, added in
// tile order (the denominator adds each weight's two terms, so it holds exactly the numerator's weights).
template <typename E, int NT, bool kSplitP>
__device__ __forceinline__ void chunkWeights(const float (&s)[NT][4], float m0, float m1, unsigned (&pa)[NT / 2][4],
                                             unsigned (&pl)[kSplitP ? NT / 2 : 1][4], float& sum0, float& sum1) {
#pragma unroll
  for (int t = 0; t < NT; ++t) {
    const float e[4] = {expf(s[t][0] - m0), expf(s[t][1] - m0), expf(s[t][2] - m1), expf(s[t][3] - m1)};
    float q[4];
    pa[t / 2][(t & 1) * 2] = packRounded<E>(e[0], e[1], q[0], q[1]);
    pa[t / 2][(t & 1) * 2 + 1] = packRounded<E>(e[2], e[3], q[2], q[3]);
    if constexpr (kSplitP) {
      float l[4];
      pl[t / 2][(t & 1) * 2] = packRounded<E>(e[0] - q[0], e[1] - q[1], l[0], l[1]);
      pl[t / 2][(t & 1) * 2 + 1] = packRounded<E>(e[2] - q[2], e[3] - q[3], l[2], l[3]);
      sum0 += q[0];
      sum0 += l[0];
      sum0 += q[1];
      sum0 += l[1];
      sum1 += q[2];
      sum1 += l[2];
      sum1 += q[3];
      sum1 += l[3];
    } else {
      sum0 += q[0];
      sum0 += q[1];
      sum1 += q[2];
      sum1 += q[3];
    }
  }
}

// The numerator P̃·V over one warp's positions: D / 8 tiles of 16 × 8 (fp32 accumulators). pa: P̃'s
// A fragments (k-step h covers the warp's tiles 2h and 2h + 1); pl: the lo terms with kSplitP
// (into the same accumulators right after the hi terms); vs: [kSumBlock][D + kPad] the chunk's value rows.
template <typename E, int D, int NT, bool kSplitP>
__device__ __forceinline__ void chunkNumerator(float (&o)[D / 8][4], const unsigned (&pa)[NT / 2][4],
                                               const unsigned (&pl)[kSplitP ? NT / 2 : 1][4], const E* vs, int w0,
                                               int lane) {
  constexpr int S = D + kPad;
  constexpr int DT = D / 8;
#pragma unroll
  for (int t = 0; t < DT; ++t)
#pragma unroll
    for (int e = 0; e < 4; ++e) o[t][e] = 0.f;
#pragma unroll
  for (int h = 0; h < NT / 2; ++h) {
    const int k0 = w0 + h * 16;
#pragma unroll
    for (int t = 0; t < DT; t += 2) {
      unsigned b[4];  // b[0], b[1]: channels 8t..; b[2], b[3]: channels 8(t + 1)..
      ldmatrix4Trans(b, vs + (k0 + (lane & 7) + ((lane >> 3) & 1) * 8) * S + t * 8 + (lane >> 4) * 8);
      mma16816<E>(o[t], pa[h], b[0], b[1]);
      mma16816<E>(o[t + 1], pa[h], b[2], b[3]);
      if constexpr (kSplitP) {
        mma16816<E>(o[t], pl[h], b[0], b[1]);
        mma16816<E>(o[t + 1], pl[h], b[2], b[3]);
      }
    }
  }
}

// The chunk's result for the group's rows firstRow..firstRow + group − 1: each numerator channel the
// four warps' partials (reduce: [kWarps][kRows][D]) added in warp order, and the denominator the
// warps' sums (warpSum) added in warp order. One chunk: numerator / denominator into out [rows, D];
// else the partial (m, Σ P̃, numerator) into partial [rows, chunks, D + 2], m the warps' maximum.
template <int D>
__device__ __forceinline__ void storeChunk(const MmaParams& p, const float* reduce,
                                           const float (&warpMax)[kWarps][kRows], const float (&warpSum)[kWarps][kRows],
                                           int64_t firstRow, int chunk, int tid) {
  const int64_t stride = D + 2;
  for (int i = tid; i < p.group * D; i += kThreads) {
    const int g = i / D, c = i - g * D;
    float total = reduce[(0 * kRows + g) * D + c];
    for (int w = 1; w < kWarps; ++w) total += reduce[(w * kRows + g) * D + c];
    const int64_t row = firstRow + g;
    if (p.chunks == 1) {
      float denominator = warpSum[0][g];
      for (int w = 1; w < kWarps; ++w) denominator += warpSum[w][g];
      p.out[row * D + c] = total / denominator;
    } else {
      p.partial[(row * p.chunks + chunk) * stride + 2 + c] = total;
    }
  }
  if (p.chunks > 1 && tid < p.group) {
    float denominator = warpSum[0][tid];
    for (int w = 1; w < kWarps; ++w) denominator += warpSum[w][tid];
    float* w = p.partial + ((firstRow + tid) * p.chunks + chunk) * stride;
    w[0] = fmaxf(fmaxf(warpMax[0][tid], warpMax[1][tid]), fmaxf(warpMax[2][tid], warpMax[3][tid]));
    w[1] = denominator;
  }
}

// The fused merge's columns per lane: S and the D numerator channels in one group of
// 32·kMergeColumns (decodeMerge.cuh), and its chunks' loads in flight per warp.
template <int D>
constexpr int kMergeColumns = (D + 1 + 31) / 32;
constexpr int kMergeLoads = 8;
static_assert(kThreads == kMergeTeam, "one block merges a row as one team (decodeMerge.cuh)");

// The fused merge (split-KV, run by the last block of KV cache y to finish): the partials
// [rows][chunks][D + 2] of the group's rows firstRow..firstRow + group − 1 combined into out
// [rows][D], one row after the other, the whole block one team. mergeRowByTeam makes the same sums
// in the same order as groupDecode.cu's merge kernel (M by the same team reduction, each column
// summed over the same four quarters in chunk order with fmaf, the quarter sums added from 0 in
// quarter order, then one division): how many columns a lane holds and how many loads are in
// flight do not change a bit, so the output is the separate merge's, bit for bit. Its scratch is
// where qs and ks were (smem, the block's dynamic shared memory).
template <typename E, int D>
__device__ __forceinline__ void mergeGroupRows(const MmaParams& p, int64_t firstRow, unsigned char* smem) {
  constexpr int S = D + kPad;  // shared row stride of qs and ks in elements
  static_assert(mergeScratchFloats(kMergeColumns<D>) * sizeof(float) <= (kRows + kSumBlock) * S * sizeof(E),
                "the merge scratch fits where Q and K were");
  float* scratch = reinterpret_cast<float*>(smem);
  const int64_t stride = D + 2;
  for (int g = 0; g < p.group; ++g) {
    const int64_t row = firstRow + g;
    mergeRowByTeam<kMergeLoads, kMergeColumns<D>>(p.partial + row * p.chunks * stride, p.chunks, D, p.out + row * D,
                                                  scratch, true);
  }
}

// Block (x, y): KV cache y = batch · kvHeads + kv, chunks x·chunksPerBlock .. + chunksPerBlock − 1,
// one after the other with the same arithmetic per chunk. With more than one chunk the next
// chunk's K rows are requested as soon as this chunk's logits are done, and its V rows as soon as
// this chunk's numerator is reduced, so one 32 KB load (d = 128) stays in flight during the math.
// kFusedMerge (chunks > 1): the last of the gridDim.x blocks of KV cache y to finish then merges
// the group's rows (mergeGroupRows; mmaDecodeFusedKernel); else groupDecode.cu's merge kernel runs
// after it.
template <typename E, int D, bool kFusedMerge>
__device__ __forceinline__ void decodeBlock(const MmaParams& p) {
  static_assert(D % 16 == 0, "head dim: whole k16 steps and 16-byte rows");
  constexpr int S = D + kPad;                // shared row stride in elements (16-byte multiple)
  constexpr int NT = kPositionsPerWarp / 8;  // n8 tiles of S per warp (4)
  constexpr int DT = D / 8;                  // n8 tiles of the numerator (8, 12, 16)
  constexpr bool kSplitP = kSplitsWeights<E>;
  extern __shared__ __align__(16) unsigned char smem[];
  E* qs = reinterpret_cast<E*>(smem);            // [kRows][S]
  E* ks = qs + kRows * S;                        // [kSumBlock][S]
  E* vs = ks + kSumBlock * S;                    // [kSumBlock][S]
  float* reduce = reinterpret_cast<float*>(vs);  // [kWarps][kRows][D] once every warp is done with vs
  static_assert(kWarps * kRows * D * sizeof(float) <= kSumBlock * S * sizeof(E), "the warp reduction fits where V was");
  __shared__ float warpMax[kWarps][kRows], warpSum[kWarps][kRows];

  const int tid = threadIdx.x, warp = tid >> 5, lane = tid & 31;
  const int64_t cache = blockIdx.y;  // batch · kvHeads + kv
  const int firstChunk = blockIdx.x * p.chunksPerBlock;
  const int endChunk = min(p.chunks, firstChunk + p.chunksPerBlock);
  const int64_t firstRow = (cache / p.kvHeads) * p.queryHeads + (cache % p.kvHeads) * p.group;
  const E* K = static_cast<const E*>(p.keys) + cache * p.tokens * D;
  const E* V = static_cast<const E*>(p.values) + cache * p.tokens * D;
  const E* Q = static_cast<const E*>(p.query) + firstRow * D;
  auto chunkLength = [&](int chunk) {
    const int64_t start = int64_t(chunk) * kSumBlock;
    return int(p.tokens - start < kSumBlock ? p.tokens - start : int64_t(kSumBlock));
  };

  // ---- stage: K rows (first commit group), V rows (second); padded heads are zero rows of Q ----
  stageRows<E, D, S>(ks, K + int64_t(firstChunk) * kSumBlock * D, chunkLength(firstChunk), tid);
  stageRows<E, D, S>(vs, V + int64_t(firstChunk) * kSumBlock * D, chunkLength(firstChunk), tid);
  stageQueryRows<E, D, S>(qs, Q, p.group, tid);

  const int w0 = warp * kPositionsPerWarp;
  const int r = lane >> 2;
  for (int chunk = firstChunk; chunk < endChunk; ++chunk) {
    const int len = chunkLength(chunk);
    const bool next = chunk + 1 < endChunk;
    cpAsyncWait<1>();  // this chunk's K rows have landed (its V rows may still be in flight)
    __syncthreads();

    // ---- S = Q·Kᵀ over this warp's 32 positions ----
    float s[NT][4];
    chunkLogits<E, D, NT>(s, qs, ks, w0, lane);

    // ---- the chunk's softmax: thread rows r and r + 8, columns 2·(lane % 4) + {0, 1} of each tile ----
    float m0 = -INFINITY, m1 = -INFINITY;
#pragma unroll
    for (int t = 0; t < NT; ++t) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int j = w0 + t * 8 + (lane & 3) * 2 + (e & 1);
        s[t][e] = j < len ? p.scale * s[t][e] : -INFINITY;
      }
      m0 = fmaxf(m0, fmaxf(s[t][0], s[t][1]));  // NaN never becomes the max
      m1 = fmaxf(m1, fmaxf(s[t][2], s[t][3]));
    }
#pragma unroll
    for (int o = 1; o <= 2; o <<= 1) {
      m0 = fmaxf(m0, __shfl_xor_sync(0xffffffffu, m0, o));
      m1 = fmaxf(m1, __shfl_xor_sync(0xffffffffu, m1, o));
    }
    if ((lane & 3) == 0) {
      warpMax[warp][r] = m0;
      warpMax[warp][r + 8] = m1;
    }
    __syncthreads();  // also: every warp is done reading ks
    if (next) stageRows<E, D, S>(ks, K + int64_t(chunk + 1) * kSumBlock * D, chunkLength(chunk + 1), tid);
    m0 = fmaxf(fmaxf(warpMax[0][r], warpMax[1][r]), fmaxf(warpMax[2][r], warpMax[3][r]));
    m1 = fmaxf(fmaxf(warpMax[0][r + 8], warpMax[1][r + 8]), fmaxf(warpMax[2][r + 8], warpMax[3][r + 8]));

    unsigned pa[NT / 2][4];
    unsigned pl[kSplitP ? NT / 2 : 1][4];
    float sum0 = 0.f, sum1 = 0.f;
    chunkWeights<E, NT, kSplitP>(s, m0, m1, pa, pl, sum0, sum1);
#pragma unroll
    for (int o = 1; o <= 2; o <<= 1) {
      sum0 += __shfl_xor_sync(0xffffffffu, sum0, o);
      sum1 += __shfl_xor_sync(0xffffffffu, sum1, o);
    }
    if ((lane & 3) == 0) {
      warpSum[warp][r] = sum0;
      warpSum[warp][r + 8] = sum1;
    }

    // ---- numerator P̃·V over this warp's positions: DT tiles of 16 × 8 ----
    if (next) {
      cpAsyncWait<1>();  // this chunk's V rows (the next chunk's K rows may still be in flight)
    } else {
      cpAsyncWait<0>();
    }
    __syncthreads();
    float o[DT][4];
    chunkNumerator<E, D, NT, kSplitP>(o, pa, pl, vs, w0, lane);
    __syncthreads();  // every warp is done reading vs: reduce overwrites it
#pragma unroll
    for (int t = 0; t < DT; ++t) {
      const int c = t * 8 + (lane & 3) * 2;
      *reinterpret_cast<float2*>(reduce + (warp * kRows + r) * D + c) = make_float2(o[t][0], o[t][1]);
      *reinterpret_cast<float2*>(reduce + (warp * kRows + r + 8) * D + c) = make_float2(o[t][2], o[t][3]);
    }
    __syncthreads();

    // ---- the four warps' partials added in warp order; one chunk: divide, else write the partial ----
    storeChunk<D>(p, reduce, warpMax, warpSum, firstRow, chunk, tid);
    if (next) {
      __syncthreads();  // reduce (in vs), warpMax and warpSum are read above; the next chunk reuses them
      stageRows<E, D, S>(vs, V + int64_t(chunk + 1) * kSumBlock * D, chunkLength(chunk + 1), tid);
    }
  }
  if constexpr (kFusedMerge) {
    if (p.chunks == 1) return;
    // Fused split-KV merge: lastBlockOfRow publishes this block's partials (threadfence, then the
    // counter of KV cache y) and elects the last of its gridDim.x blocks, which merges the group's
    // rows. Its barrier comes after every read of qs, ks and vs (reduce) and after the last
    // cp.async wait, so the merge's scratch may take their place.
    if (!lastBlockOfRow(p.counters, int(gridDim.x))) return;
    mergeGroupRows<E, D>(p, firstRow, smem);
  }
}

// The kernel with the separate merge (launchGroupMerge after it) and the one that fuses it.
template <typename E, int D>
__global__ void __launch_bounds__(kThreads) mmaDecodeKernel(MmaParams p) {
  decodeBlock<E, D, false>(p);
}
template <typename E, int D>
__global__ void __launch_bounds__(kThreads) mmaDecodeFusedKernel(MmaParams p) {
  decodeBlock<E, D, true>(p);
}

// The kernel of a launch: fused merge or not (one chunk: nothing to merge, the plain kernel).
template <typename E, int D, bool kFusedMerge>
constexpr auto mmaKernel() {
  if constexpr (kFusedMerge) {
    return mmaDecodeFusedKernel<E, D>;
  } else {
    return mmaDecodeKernel<E, D>;
  }
}

// Resident blocks per SM × SMs: the slots one wave of this kernel fills (queried once per kernel).
template <typename E, int D, bool kFusedMerge>
int64_t residentBlocks() {
  static const int64_t slots = [] {
    int perSm = 0;
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&perSm, mmaKernel<E, D, kFusedMerge>(), kThreads,
                                                        sharedBytes<E, D>()),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor(tensor-core decode)");
    return std::max<int64_t>(1, multiprocessorCount()) * int64_t(std::max(1, perSm));
  }();
  return slots;
}

// PRHS_CUDA_MMA_CHUNKS = 1..8 forces the chunks per block of the pipelined kernel (so the checks
// and the sanitizers reach the multi-chunk path on small shapes); unset: chosen by shape.
int forcedChunksPerBlock() {
  static const int forced = [] {
    const char* text = std::getenv("PRHS_CUDA_MMA_CHUNKS");
    if (text == nullptr || *text == '\0') return 0;
    char* end = nullptr;
    const long n = std::strtol(text, &end, 10);
    if (*end != '\0' || n < 1 || n > 8)
      throwCudaError(cudaErrorInvalidValue, "PRHS_CUDA_MMA_CHUNKS (must be an integer from 1 to 8)");
    return int(n);
  }();
  return forced;
}

// PRHS_CUDA_MMA_MERGE = separate (the default) or fused: who merges the split-KV partials,
// groupDecode.cu's merge kernel or the kernel's last block per KV cache (the same bits either way).
bool fusedMerge() {
  static const bool fused = [] {
    const char* text = std::getenv("PRHS_CUDA_MMA_MERGE");
    if (text == nullptr || *text == '\0' || std::strcmp(text, "separate") == 0) return false;
    if (std::strcmp(text, "fused") == 0) return true;
    throwCudaError(cudaErrorInvalidValue, "PRHS_CUDA_MMA_MERGE (must be fused or separate)");
  }();
  return fused;
}

// Pipelined: as many consecutive chunks per block (≤ 8) as keep at least 4 waves of blocks; below
// 4 waves, as many as bring the grid down to one wave (no partly filled last wave).
template <typename E, int D, bool kFusedMerge>
void launchTyped(MmaParams p, int64_t blocksY, bool pipelined, cudaStream_t stream) {
  constexpr size_t shared = sharedBytes<E, D>();
  static_assert(shared <= 227 * 1024, "one block fits an SM");
  constexpr auto kernel = mmaKernel<E, D, kFusedMerge>();
  if (shared > 48 * 1024) {
    check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
          "cudaFuncSetAttribute(tensor-core decode)");
  }
  const int forced = pipelined ? forcedChunksPerBlock() : 0;
  const int64_t units = int64_t(p.chunks) * blocksY, slots = residentBlocks<E, D, kFusedMerge>();
  const int64_t perBlock = !pipelined           ? 1
                           : forced > 0         ? forced
                           : units >= 4 * slots ? units / (4 * slots)
                                                : (units + slots - 1) / slots;
  p.chunksPerBlock = int(std::min<int64_t>(8, std::max<int64_t>(1, perBlock)));
  const dim3 grid(unsigned((p.chunks + p.chunksPerBlock - 1) / p.chunksPerBlock), unsigned(blocksY));
  kernel<<<grid, kThreads, shared, stream>>>(p);
}

template <typename E, int D>
void launchFusedOrNot(const MmaParams& p, int64_t blocksY, bool pipelined, bool fused, cudaStream_t stream) {
  if (fused) {
    launchTyped<E, D, true>(p, blocksY, pipelined, stream);
  } else {
    launchTyped<E, D, false>(p, blocksY, pipelined, stream);
  }
}

template <typename E>
void launchByDim(const MmaParams& p, int d, int64_t blocksY, bool pipelined, bool fused, cudaStream_t stream) {
  switch (d) {
    case 64: launchFusedOrNot<E, 64>(p, blocksY, pipelined, fused, stream); break;
    case 96: launchFusedOrNot<E, 96>(p, blocksY, pipelined, fused, stream); break;
    default: launchFusedOrNot<E, 128>(p, blocksY, pipelined, fused, stream); break;
  }
}

}  // namespace

bool mmaDecodeSupports(const AttentionShape& s, Dtype dtype) {
  if (dtype == Dtype::fp32 || s.kvHeads <= 0 || s.queryHeads % s.kvHeads != 0) return false;
  const int64_t group = s.queryHeads / s.kvHeads;
  const bool dim = s.headDim == 64 || s.headDim == 96 || s.headDim == 128;
  return dim && s.valueDim == s.headDim && group >= 1 && group <= kRows && s.tokens >= 1;
}

bool launchMmaDecode(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream, bool pipelined) {
  const AttentionShape& s = a.shape;
  if (a.list != nullptr || !mmaDecodeSupports(s, a.dtype)) return false;
  const bool fusedRequested = fusedMerge();  // a bad PRHS_CUDA_MMA_MERGE throws before anything is launched
  MmaParams p{};
  const int64_t blocksY = fillMmaGrid(p, a, "tensor-core decode grid (batch × KV heads > 65535)");
  p.scale = a.scale;
  // The attention workspace: the merge counters (one per KV cache: blocksY ≤ batch × queryHeads of
  // them), then the partials.
  p.counters = reinterpret_cast<unsigned*>(workspace);
  p.partial = workspace ? workspace + attentionCounterFloats(s) : nullptr;
  p.out = out;
  const bool fused = fusedRequested && p.chunks > 1;
  if (a.dtype == Dtype::fp16) {
    launchByDim<__half>(p, int(s.headDim), blocksY, pipelined, fused, stream);
  } else {
    launchByDim<__nv_bfloat16>(p, int(s.headDim), blocksY, pipelined, fused, stream);
  }
  checkLaunch("tensor-core decode kernel launch");
  if (p.chunks > 1 && !fused)
    launchGroupMerge(p.partial, s.batch * s.queryHeads, p.chunks, int(s.valueDim), out, stream);
  return true;
}

const char* mmaMergeName() { return fusedMerge() ? "fused" : "separate"; }

}  // namespace cuda
}  // namespace prhs
