// The split-KV merge of the decode kernels, in one place: attention.cu's chunk kernel (fused),
// groupDecode.cu's group kernel (fused) and its separate merge kernel, groupDecodeMma.cu's
// tensor-core kernel (fused, or that separate kernel); sparseDecode.cu's sliced kernel sums its
// quarters with accumulateQuarter too. Each row's chunk partials
// (m_s, S_s, n_s) combine to o_c = Σ_s f_s n_sc / Σ_s f_s S_s with f_s = mergeFactor(m_s, M), M the largest m_s. The
// order is fixed: the chunks are split in 4 contiguous quarters (one warp each), each quarter summed in chunk order
// with fmaf (a chunk whose factor underflows to 0 skipped), the four quarter sums added in quarter order from 0. How
// many loads are in flight or how many columns a lane holds does not change a bit (theory/kernel-error.md, "CUDA
// kernels": ⌈c/4⌉ + 2 roundings per term).
#pragma once
#include <cstdint>

#include "decodeRows.cuh"

namespace prhs {
namespace cuda {

constexpr int kMergeTeam = 128;  // threads that merge one row: 4 warps, warp q = quarter q

// Floats of shared scratch one team's mergeRowByTeam<kUnroll, kColumns> needs.
__host__ __device__ constexpr int mergeScratchFloats(int columnsPerLane) { return 4 + 4 * 32 * columnsPerLane + 1; }

// The quarter [from, to) of a row with `chunks` partials, for warp `quarter`.
__device__ __forceinline__ void mergeQuarter(int chunks, int quarter, int& from, int& to) {
  const int per = (chunks + 3) / 4;
  from = min(chunks, quarter * per);
  to = min(chunks, from + per);
}

// M = the largest chunk maximum of a row, for every thread of a team (`active` false: the team has
// no row but meets the barriers). maxOf: [4] floats of shared memory.
__device__ __forceinline__ float mergeMaximum(const float* w, int chunks, int64_t stride, float* maxOf, bool active) {
  const int t = threadIdx.x % kMergeTeam, lane = t & 31, quarter = t >> 5;
  float M = -INFINITY;
  for (int s = t; active && s < chunks; s += kMergeTeam) M = fmaxf(M, __ldcg(w + int64_t(s) * stride));
  for (int o = 16; o > 0; o >>= 1) M = fmaxf(M, __shfl_xor_sync(0xffffffffu, M, o));
  __syncthreads();  // maxOf may still be read by the previous row's merge
  if (lane == 0) maxOf[quarter] = M;
  __syncthreads();
  return fmaxf(fmaxf(maxOf[0], maxOf[1]), fmaxf(maxOf[2], maxOf[3]));
}

// A partial written by another block of this launch: read with ld.global.cg (past the L1).
struct CrossBlockLoad {
  __device__ __forceinline__ float operator()(const float* x) const { return __ldcg(x); }
};

// acc[r] += Σ_{s ∈ [from, to)} f_s·w_s[1 + column(r)] in chunk order (column 0 is S_s, column c ≥ 1
// numerator channel c − 1; column(r) < 0: nothing), kUnroll chunks' loads in flight before their
// first use. `load` reads a partial (by default with ld.global.cg: other blocks wrote them in this
// launch; the sliced kernel reads its own block's partials with plain loads).
template <int kUnroll, int kColumns, typename Column, typename Load = CrossBlockLoad>
__device__ __forceinline__ void accumulateQuarter(const float* w, int64_t stride, int from, int to, float M,
                                                  Column column, float (&acc)[kColumns], Load load = Load{}) {
  for (int s0 = from; s0 < to; s0 += kUnroll) {
    float m[kUnroll], x[kUnroll][kColumns];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const bool real = s0 + u < to;
      const float* row = w + int64_t(s0 + u) * stride;
      m[u] = real ? load(row) : -INFINITY;
#pragma unroll
      for (int r = 0; r < kColumns; ++r) {
        const int c = column(r);
        x[u][r] = real && c >= 0 ? load(row + 1 + c) : 0.f;
      }
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      if (s0 + u >= to) break;
      const float f = mergeFactor(m[u], M);
      if (f == 0.f) continue;  // the whole chunk underflows: skipped, as a zero weight is
#pragma unroll
      for (int r = 0; r < kColumns; ++r) acc[r] = fmaf(x[u][r], f, acc[r]);
    }
  }
}

// One row's merge by a team of kMergeTeam threads, in column groups of 32·kColumns (lane + 32r of
// the group). Every team of the block calls it the same number of times (`active` false where it
// has no row), so the block-wide barriers match. scratch: mergeScratchFloats(kColumns) floats.
template <int kUnroll, int kColumns>
__device__ void mergeRowByTeam(const float* w, int chunks, int dv, float* out, float* scratch, bool active) {
  constexpr int kGroup = 32 * kColumns;
  const int t = threadIdx.x % kMergeTeam, lane = t & 31, quarter = t >> 5;
  const int64_t stride = dv + 2;
  const int columns = dv + 1;                    // S, then the dv numerator channels
  float* maxOf = scratch;                        // [4]
  float* quarterSum = scratch + 4;               // [4][kGroup]
  float* denominator = quarterSum + 4 * kGroup;  // [1]
  const float M = mergeMaximum(w, chunks, stride, maxOf, active);
  int from = 0, to = 0;
  if (active) mergeQuarter(chunks, quarter, from, to);
  for (int base = 0; base < columns; base += kGroup) {
    float acc[kColumns];
#pragma unroll
    for (int r = 0; r < kColumns; ++r) acc[r] = 0.f;
    accumulateQuarter<kUnroll, kColumns>(
        w, stride, from, to, M,
        [&](int r) {
          const int c = base + lane + 32 * r;
          return c < columns ? c : -1;
        },
        acc);
#pragma unroll
    for (int r = 0; r < kColumns; ++r) quarterSum[quarter * kGroup + lane + 32 * r] = acc[r];
    __syncthreads();
    if (active && base == 0 && t == 0) {
      float total = 0.f;
      for (int q = 0; q < 4; ++q) total += quarterSum[q * kGroup];
      *denominator = total;
    }
    __syncthreads();
    for (int c = t; active && c < kGroup; c += kMergeTeam) {
      const int column = base + c;
      if (column < 1 || column >= columns) continue;
      float total = 0.f;
      for (int q = 0; q < 4; ++q) total += quarterSum[q * kGroup + c];
      out[column - 1] = total / *denominator;
    }
    __syncthreads();  // quarterSum is reused by the next column group
  }
}

// The fused merge's election: every block publishes its partials (threadfence) before counting
// itself in counters[blockIdx.y]; the last of the row's `chunks` blocks sees them all, zeroes the
// counter for the next launch, and returns true (for every thread of the block).
__device__ __forceinline__ bool lastBlockOfRow(unsigned* counters, int chunks) {
  __shared__ int isLast;
  __threadfence();
  __syncthreads();
  if (threadIdx.x == 0) {
    const unsigned done = atomicAdd(counters + blockIdx.y, 1u);
    isLast = done == unsigned(chunks - 1);
    if (isLast) atomicExch(counters + blockIdx.y, 0u);
  }
  __syncthreads();
  if (!isLast) return false;
  __threadfence();
  return true;
}

}  // namespace cuda
}  // namespace prhs
