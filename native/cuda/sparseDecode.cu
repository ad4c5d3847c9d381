// Sliced sparse decode: the attend step over per-head index lists with the fixed cost of a small
// step cut down. A block holds W slices of 128 threads; each slice runs the chunk kernel's arithmetic
// for one chunk of 128 list positions at a time (the group kernel's one-head layout: S threads per
// key row with L lane partials each, the chunk kernel's value teams). A row's chunks are spread over
// the slices of one block, or over a thread-block cluster of P ≤ 8 blocks (sm_90), and the split-KV
// merge runs right after the block's (or the cluster's) barrier, by every slice of the row at once,
// each for its share of the value channels: no threadfence, no atomic counter, no single block that
// merges every column after the others. With one block per row the partials stay in shared memory.
//
// Bits: every sum keeps the chunk kernel's order (attention.cu; groupDecode.cu explains the lane
// partials): the logit's lane partials and xor butterfly, the chunk's softmax (one warp, lane-strided,
// xor trees), the numerator's teams added in team order, and the merge's four quarters of chunks, each
// summed in chunk order, added in quarter order. Which slice, block or cluster rank handles a chunk or
// a column changes no operation and no order, so theory/kernel-error.md ("CUDA kernels") holds
// unchanged and the outputs equal the chunk kernel's bit for bit (the benchmark compares them).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "chunkSteps.cuh"
#include "cudaCheck.hpp"
#include "decodeMerge.cuh"
#include "decodeRows.cuh"
#include "deviceAttributes.hpp"
#include "sparseDecode.hpp"

namespace prhs {
namespace cuda {
namespace {

constexpr int kSlice = 128;               // threads of one slice (the chunk kernel's block)
constexpr int kClusterMax = 8;            // blocks per row at most (the portable cluster size)
constexpr int kSharedPartialChunks = 16;  // one block per row keeps at most this many partials in shared memory
constexpr int kValueBatch = 4;            // value rows per team and batch (two batches in flight)

struct SparseParams : ChunkParams {  // list: always set; partial: when !sharedPartials and chunks > 1
  int cluster;                       // P: blocks per row (gridDim.x); > 1 only with a cluster launch
  int sharedPartials;                // 1: the row's partials live in shared memory (P = 1)
  int reduceFloats;                  // per slice: max(team sums, merge scratch)
  int sliceFloats;                   // per slice: qs, zs, reduce, tokenOf, stats (a multiple of 4)
};

// The barrier of one slice (named barrier 1 + slice; __syncthreads is barrier 0). Immediate ids, so
// the block reserves 5 hardware barriers, not all 16.
__device__ __forceinline__ void sliceBarrier(int slice) {
  switch (slice) {
    case 0: asm volatile("bar.sync 1, %0;\n" ::"n"(kSlice) : "memory"); break;
    case 1: asm volatile("bar.sync 2, %0;\n" ::"n"(kSlice) : "memory"); break;
    case 2: asm volatile("bar.sync 3, %0;\n" ::"n"(kSlice) : "memory"); break;
    default: asm volatile("bar.sync 4, %0;\n" ::"n"(kSlice) : "memory"); break;
  }
}

// Every thread of the row's blocks: what each wrote (shared or global) is visible to all after it.
__device__ __forceinline__ void rowBarrier(int cluster) {
  if (cluster > 1) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
    asm volatile("barrier.cluster.arrive.release.aligned;\n" ::: "memory");
    asm volatile("barrier.cluster.wait.acquire.aligned;\n" ::: "memory");
#else
    __trap();  // the host launches clusters only where the device supports them
#endif
  } else {
    __syncthreads();
  }
}

// One slice's working memory.
struct SliceMemory {
  float* qs;     // [d]
  float* zs;     // [kSumBlock]
  float* sums;   // [teams][dv] team sums; the merge's scratch afterwards
  int* tokenOf;  // [kSumBlock]
  float* stats;  // [2]: the chunk's max and exp-sum
};

__device__ __forceinline__ SliceMemory sliceMemory(float* base, const SparseParams& p) {
  SliceMemory m;
  m.qs = base;
  m.zs = base + p.headDim;
  m.sums = m.zs + kSumBlock;
  m.tokenOf = reinterpret_cast<int*>(m.sums + p.reduceFloats);
  m.stats = reinterpret_cast<float*>(m.tokenOf + kSumBlock);
  return m;
}

// The logits of one chunk into zs: S = R / L threads per key row, L lane partials each (a lane's
// FMA chain over its 16-byte vector from +0), the butterfly's top level inside the thread when L = 2,
// the rest shuffles among the S threads; U rows per thread in flight.
template <typename E, int L, int U>
__device__ __forceinline__ void chunkLogits(const SparseParams& p, const E* K, int len, const SliceMemory& m, int st) {
  constexpr int VEC = 16 / int(sizeof(E));
  const int S = p.keyLanes / L;
  const int s = st % S, keySlot = st / S, keySlots = kSlice / S;
  const int vectors = p.headDim / VEC;
  const KeyLanes lanes{s, S, keySlot, keySlots, vectors, p.headDim};
  for (int j0 = 0; j0 < len; j0 += keySlots * U) {
    int token[U];
    uint4 raw[U][L];
    loadKeyRows<E, L, U>(K, m.tokenOf, len, j0, lanes, token, raw);
    float k[U][L][VEC];
    widenKeyRows<E, L, U>(raw, k);
    float part[U][L];
    lanePartials<L, U, VEC>(m.qs, k, lanes, part);
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const float x = logitOfLanePartials<L>(part[u], S);
      const int jl = j0 + keySlot + u * keySlots;
      if (s == 0 && jl < len) m.zs[jl] = token[u] >= 0 ? p.scale * x : -INFINITY;
    }
  }
}

// One chunk of one row by one slice: logits, the chunk's softmax, the numerator; the result goes to
// out (a single chunk) or to the chunk's partial (max, exp-sum, dv numerator sums).
template <typename E, int L, int U, bool Deep>
__device__ void attendChunk(const SparseParams& p, int64_t row, int chunk, const SliceMemory& m, float* partial,
                            int slice, int st) {
  constexpr int VEC = 16 / int(sizeof(E));
  const int64_t start = int64_t(chunk) * kSumBlock;
  const int len = int(p.listLength - start < kSumBlock ? p.listLength - start : int64_t(kSumBlock));
  const int64_t cache = (row / p.queryHeads) * p.kvHeads + (row % p.queryHeads) / p.group;
  const E* K = static_cast<const E*>(p.keys) + cache * p.tokens * p.headDim;
  const E* V = static_cast<const E*>(p.values) + cache * p.tokens * p.valueDim;
  const int32_t* list = p.list + row * p.listLength + start;
  for (int j = st; j < len; j += kSlice) m.tokenOf[j] = list[j];
  sliceBarrier(slice);  // also publishes qs (written once per row before the first chunk)

  // The numerator's first value rows do not depend on the logits or the softmax: requested before
  // the key rows when Deep (registers to spare: they stay in flight during the logits), else after.
  const int dv = p.valueDim;
  const ValueTeam valueTeam = valueTeamOf(st, kSlice, p.valueLanes, VEC, dv);
  const auto [teams, team, vlane, active] = valueTeam;
  const int step = teams * kValueBatch;
  uint4 next[kValueBatch];
  if constexpr (Deep) loadValueRows<E, kValueBatch>(V, dv, m.tokenOf, len, team, valueTeam, next);
  chunkLogits<E, L, U>(p, K, len, m, st);
  if constexpr (!Deep) loadValueRows<E, kValueBatch>(V, dv, m.tokenOf, len, team, valueTeam, next);
  sliceBarrier(slice);

  // The chunk's softmax: one warp; max, then exp in place and the sum (lane-strided, xor trees).
  if (st < 32) {
    float mx, sum;
    warpSoftmax(m.zs, len, st, mx, sum);
    if (st == 0) {
      m.stats[0] = mx;
      m.stats[1] = sum;
    }
  }
  sliceBarrier(slice);

  // Numerator Σ p_j v_j: team t sums positions t, t + teams, ... in order; two batches in flight.
  float acc[VEC];
#pragma unroll
  for (int e = 0; e < VEC; ++e) acc[e] = 0.f;
  for (int jb = team; jb < len; jb += step) {
    uint4 current[kValueBatch];
#pragma unroll
    for (int u = 0; u < kValueBatch; ++u) current[u] = next[u];
    if (jb + step < len) loadValueRows<E, kValueBatch>(V, dv, m.tokenOf, len, jb + step, valueTeam, next);
#pragma unroll
    for (int u = 0; u < kValueBatch; ++u) {
      const int j = jb + u * teams;
      if (j >= len || m.tokenOf[j] < 0) continue;
      float v[VEC];
      widenRaw<E, VEC>(current[u], v);
      const float w = m.zs[j];
      if (w != 0.f) {  // zero weight: skipped, as the reference does
#pragma unroll
        for (int e = 0; e < VEC; ++e) acc[e] = fmaf(w, v[e], acc[e]);
      }
    }
  }
  if (active) {
#pragma unroll
    for (int e = 0; e < VEC; ++e) m.sums[team * dv + vlane * VEC + e] = acc[e];
  }
  sliceBarrier(slice);
  for (int c = st; c < dv; c += kSlice) {
    float total = 0.f;
    for (int t = 0; t < teams; ++t) total += m.sums[t * dv + c];  // team order
    if (p.chunks == 1) {
      p.out[row * dv + c] = total / m.stats[1];
    } else {
      partial[2 + c] = total;
    }
  }
  if (p.chunks > 1 && st == 0) {
    partial[0] = m.stats[0];
    partial[1] = m.stats[1];
  }
}

// Partials of this block (P = 1: shared memory, or global memory after __syncthreads) are read
// with plain loads; those of other blocks of the cluster with ld.global.cg, after the cluster barrier.
template <bool OwnBlock>
__device__ __forceinline__ float loadPartial(const float* w) {
  if constexpr (OwnBlock) {
    return *w;
  } else {
    return __ldcg(w);
  }
}

// The merge of one row's columns {0 (the denominator)} ∪ [c0, c1) by one slice: warp q sums the
// chunks of quarter q in chunk order (lane = column), then the four quarter sums are added in quarter
// order, as the chunk kernel's mergeRow does for every column; out[c] = numerator / denominator.
template <bool OwnBlock>
__device__ void mergeColumns(const float* w, int chunks, int dv, int c0, int c1, float* out, float* scratch, int slice,
                             int st) {
  const int lane = st & 31, quarter = st >> 5;
  const int64_t stride = dv + 2;
  const int columns = 1 + (c1 - c0);  // column 0: S (offset 1); column i ≥ 1: channel c0 + i − 1 (offset 1 + c0 + i)
  float* maxOf = scratch;             // [4]
  float* quarterSum = scratch + 4;    // [4][columns]
  float M = -INFINITY;
  for (int s = st; s < chunks; s += kSlice) M = fmaxf(M, loadPartial<OwnBlock>(w + int64_t(s) * stride));
  for (int o = 16; o > 0; o >>= 1) M = fmaxf(M, __shfl_xor_sync(0xffffffffu, M, o));
  if (lane == 0) maxOf[quarter] = M;
  sliceBarrier(slice);
  M = fmaxf(fmaxf(maxOf[0], maxOf[1]), fmaxf(maxOf[2], maxOf[3]));
  int from, to;
  mergeQuarter(chunks, quarter, from, to);
  constexpr int kColumns = 5;  // one pass for up to 160 columns
  constexpr int kUnroll = 4;   // chunks' loads in flight per lane before the first use
  for (int base = 0; base < columns; base += 32 * kColumns) {
    float acc[kColumns];
#pragma unroll
    for (int r = 0; r < kColumns; ++r) acc[r] = 0.f;
    // Partial offset 1 + c: column 0 is S (c = 0), column i ≥ 1 channel c0 + i − 1 (c = c0 + i).
    accumulateQuarter<kUnroll, kColumns>(
        w, stride, from, to, M,
        [&](int r) {
          const int column = base + lane + 32 * r;
          return column >= columns ? -1 : column == 0 ? 0 : c0 + column;
        },
        acc, [](const float* x) { return loadPartial<OwnBlock>(x); });
#pragma unroll
    for (int r = 0; r < kColumns; ++r) {
      const int column = base + lane + 32 * r;
      if (column < columns) quarterSum[quarter * columns + column] = acc[r];
    }
  }
  sliceBarrier(slice);
  float denominator = 0.f;
  for (int q = 0; q < 4; ++q) denominator += quarterSum[q * columns];
  for (int column = 1 + st; column < columns; column += kSlice) {
    float total = 0.f;
    for (int q = 0; q < 4; ++q) total += quarterSum[q * columns + column];
    out[c0 + column - 1] = total / denominator;
  }
}

template <int W, bool Deep>
constexpr int slicedMinBlocks() {
  return (Deep ? 5 : 8) / W > 0 ? (Deep ? 5 : 8) / W : 1;
}

// Block (rank, row): W slices; slot rank·W + slice takes chunks slot, slot + P·W, ... of the row.
template <typename E, int L, int W, bool Deep>
__global__ void __launch_bounds__(W* kSlice, (slicedMinBlocks<W, Deep>())) slicedKernel(SparseParams p) {
  constexpr int U = (Deep ? 8 : 4) / L;  // key rows per thread in flight: 2 (4 when Deep) at L = 2
  extern __shared__ __align__(16) float shared[];
  const int slice = threadIdx.x / kSlice, st = threadIdx.x % kSlice;
  const int64_t row = blockIdx.y;
  const SliceMemory m = sliceMemory(shared + slice * p.sliceFloats, p);
  float* localPartials = shared + W * p.sliceFloats;  // [chunks][dv + 2] when sharedPartials
  const int64_t stride = p.valueDim + 2;
  float* rowPartials = p.sharedPartials ? localPartials : p.partial ? p.partial + row * p.chunks * stride : nullptr;
  const int slots = p.cluster * W, slot = int(blockIdx.x) * W + slice;

  const E* Q = static_cast<const E*>(p.query) + row * p.headDim;
  for (int i = st; i < p.headDim; i += kSlice) m.qs[i] = widen(Q[i]);
  for (int c = slot; c < p.chunks; c += slots) {
    attendChunk<E, L, U, Deep>(p, row, c, m, rowPartials + c * stride, slice, st);
  }
  if (p.chunks == 1) return;
  rowBarrier(p.cluster);

  const int share = (p.valueDim + slots - 1) / slots;
  const int c0 = min(p.valueDim, slot * share), c1 = min(p.valueDim, c0 + share);
  if (c0 >= c1) return;  // no channels left for this slice (its barriers are its own)
  float* out = p.out + row * p.valueDim;
  if (p.cluster == 1) {
    mergeColumns<true>(rowPartials, p.chunks, p.valueDim, c0, c1, out, m.sums, slice, st);
  } else {
    mergeColumns<false>(rowPartials, p.chunks, p.valueDim, c0, c1, out, m.sums, slice, st);
  }
}

}  // namespace

const SparseDecodeOptions* chosenSparseDecode() {
  struct Choice {
    bool sliced = true;
    SparseDecodeOptions options;
  };
  static const Choice choice = [] {
    Choice c;
    const char* forced = std::getenv("PRHS_CUDA_SPARSE");
    // Unset: the group kernel. The sliced kernel gives the same bits but measured slower on an H100
    // at each of the five sparse rows of issue 14 (bench/results/cuda-sparse-h100-2026-12-06), so it
    // is opt-in: PRHS_CUDA_SPARSE=sliced, or one of its forced layouts.
    if (forced == nullptr || *forced == '\0' || std::strcmp(forced, "group") == 0) {
      c.sliced = false;
    } else if (std::strcmp(forced, "sliced") == 0) {
      // the sliced kernel with its default layout (SparseDecodeOptions as constructed)
    } else if (std::strcmp(forced, "no-cluster") == 0) {
      c.options.clusters = false;
    } else if (std::strcmp(forced, "w1") == 0) {
      c.options.slices = 1;
    } else if (std::strcmp(forced, "w4") == 0) {
      c.options.slices = 4;
    } else if (std::strcmp(forced, "deep") == 0) {
      c.options.deep = 1;
    } else if (std::strcmp(forced, "shallow") == 0) {
      c.options.deep = 0;
    } else {
      throwCudaError(cudaErrorInvalidValue,
                     "PRHS_CUDA_SPARSE (must be group, sliced, no-cluster, w1, w4, deep or shallow)");
    }
    return c;
  }();
  return choice.sliced ? &choice.options : nullptr;
}

const char* sparseDecodeName() {
  const char* forced = std::getenv("PRHS_CUDA_SPARSE");
  return chosenSparseDecode() == nullptr ? "group" : forced;
}

bool sparseDecodeSupports(const AttentionShape& s, Dtype dtype) {
  const int e = dtype == Dtype::fp32 ? 4 : 2, vec = 16 / e;
  if (s.headDim < vec || s.valueDim < vec || s.headDim % vec != 0 || s.valueDim % vec != 0) return false;
  return s.headDim / vec <= 32 && s.valueDim / vec <= 32;
}

bool launchSparseDecode(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream,
                        const SparseDecodeOptions& o) {
  const AttentionShape& s = a.shape;
  if (a.list == nullptr || a.listLength < 1 || !sparseDecodeSupports(s, a.dtype)) return false;
  const int64_t rows = s.batch * s.queryHeads;
  if (rows > 65535) return false;
  SparseParams p{chunkParams(a, a.listLength, out)};

  int W = o.slices > 0 ? o.slices : 2;
  if (W != 1 && W != 2 && W != 4) return false;
  while (W > 1 && W > p.chunks) W /= 2;
  const bool clusters = o.clusters && deviceAttribute(cudaDevAttrClusterLaunch) != 0;
  p.cluster = clusters ? std::min(kClusterMax, (p.chunks + W - 1) / W) : 1;
  p.sharedPartials = p.cluster == 1 && p.chunks > 1 && p.chunks <= kSharedPartialChunks ? 1 : 0;
  if (p.chunks > 1 && !p.sharedPartials) {
    if (workspace == nullptr) return false;
    p.partial = workspace + attentionCounterFloats(s);  // the attention workspace's layout
  }
  const int64_t blocks = int64_t(p.cluster) * rows;
  const bool deep = o.deep >= 0 ? o.deep != 0 : blocks * W <= multiprocessorCount() * 5;
  const int slots = p.cluster * W;
  const int teams = kSlice / p.valueLanes;
  const int mergeFloats = 4 + 4 * (1 + (p.valueDim + slots - 1) / slots);
  p.reduceFloats = std::max(teams * p.valueDim, mergeFloats);
  p.sliceFloats = (p.headDim + kSumBlock + p.reduceFloats + kSumBlock + 2 + 3) / 4 * 4;
  const size_t shared = sizeof(float) * (size_t(W) * size_t(p.sliceFloats) +
                                         (p.sharedPartials ? size_t(p.chunks) * (p.valueDim + 2) : 0));
  const dim3 grid(unsigned(p.cluster), unsigned(rows));
  auto launch = [&](auto kernel) {
    if (shared > 48 * 1024)
      check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
            "cudaFuncSetAttribute(sliced sparse decode)");
    if (p.cluster == 1) {
      kernel<<<grid, W * kSlice, shared, stream>>>(p);
      return;
    }
    cudaLaunchConfig_t config{};
    config.gridDim = grid;
    config.blockDim = dim3(unsigned(W * kSlice));
    config.dynamicSmemBytes = shared;
    config.stream = stream;
    cudaLaunchAttribute attribute{};
    attribute.id = cudaLaunchAttributeClusterDimension;
    attribute.val.clusterDim.x = unsigned(p.cluster);
    attribute.val.clusterDim.y = 1;
    attribute.val.clusterDim.z = 1;
    config.attrs = &attribute;
    config.numAttrs = 1;
    check(cudaLaunchKernelEx(&config, kernel, p), "cudaLaunchKernelEx(sliced sparse decode)");
  };
  auto bySlices = [&](auto tag, auto lanes, auto isDeep) {
    using E = decltype(tag);
    constexpr int Lc = decltype(lanes)::value;
    constexpr bool D = decltype(isDeep)::value;
    switch (W) {
      case 1: launch(slicedKernel<E, Lc, 1, D>); break;
      case 2: launch(slicedKernel<E, Lc, 2, D>); break;
      default: launch(slicedKernel<E, Lc, 4, D>); break;
    }
  };
  auto byShape = [&](auto tag) {
    using One = std::integral_constant<int, 1>;
    using Two = std::integral_constant<int, 2>;
    const bool twoLanes = p.keyLanes >= 2;
    if (twoLanes) {
      deep ? bySlices(tag, Two{}, std::true_type{}) : bySlices(tag, Two{}, std::false_type{});
    } else {
      deep ? bySlices(tag, One{}, std::true_type{}) : bySlices(tag, One{}, std::false_type{});
    }
  };
  switch (a.dtype) {
    case Dtype::fp32: byShape(float{}); break;
    case Dtype::fp16: byShape(__half{}); break;
    case Dtype::bf16: byShape(__nv_bfloat16{}); break;
  }
  checkLaunch("sliced sparse decode launch");
  return true;
}

}  // namespace cuda
}  // namespace prhs
