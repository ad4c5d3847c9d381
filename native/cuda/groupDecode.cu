// Group decode: the attend step of attention.cu's chunk kernel, reorganised so that one block
// serves every query head of a GQA group (up to 16) and reads each K and V row of its chunk once,
// with fewer lanes per key row (fewer shuffles per logit) and more rows in flight per thread.
//
// Bit-identical to the chunk kernel (launchAttention with PRHS_CUDA_DECODE=chunk): every sum keeps
// the chunk kernel's order, so theory/kernel-error.md's bound ("CUDA kernels") applies unchanged.
//  - Logit: the chunk kernel gives each of R = lanesPerRow(d / VEC) lanes one 16-byte vector of the
//    key row (an FMA chain over its VEC elements from 0), then adds the R partials by an xor
//    butterfly. Here a thread holds L of those lane partials (lanes s, s + S, ..., S = R / L): the
//    butterfly's top log2(L) levels are additions inside the thread, the rest shuffles among S
//    threads. Addition is commutative, so each level yields the same bits as the chunk kernel's.
//  - Softmax of the chunk: the same code (one warp per head, lane-strided, xor trees).
//  - Numerator: the same teams (team t sums positions t, t + T, ... in order, per channel; T =
//    128 / lanesPerRow(dv / VEC)), the team sums added in team order; zero weights skipped.
//    Groups of more than 8 heads use two slices of 128 threads, each the chunk kernel's numerator
//    for its heads; both read the same V vectors (from DRAM once, the second read from cache).
//  - Merge: decodeMerge.cuh, shared with the chunk kernel (chunks split in 4 contiguous runs, each
//    summed in chunk order, the four sums added in order), either fused (the last block of the
//    group merges) or as a second kernel with one block per (row, 32 value channels).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "chunkSteps.cuh"
#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "decodeMerge.cuh"
#include "decodeRows.cuh"

namespace prhs {
namespace cuda {
namespace {

constexpr int kSlice = 128;        // threads of one numerator slice (the chunk kernel's block)
constexpr int kGroupLimit = 16;    // query heads per block
constexpr int kHeadsPerSlice = 8;  // numerator heads per thread at most
constexpr int kMergeColumns = 5;   // fused merge: columns per lane (one group of 160 for dv < 160)
static_assert(kSlice == kMergeTeam, "a numerator slice is one merge team");

struct GroupParams : ChunkParams {  // partial: when chunks > 1
  int fusedMerge;
  unsigned* counters;  // fused merge: [gridDim.y] finished chunks (zero between launches)
};

template <int HP, bool Deep>
constexpr int minBlocks() {
  return HP == 1 ? (Deep ? 5 : 8) : HP == 2 ? 4 : HP == 4 ? 4 : 2;
}

// The merge as its own kernel: block (row, slice of 32 channels), 4 warps = the 4 quarters; each
// lane sums its channel and S (column 0) over its quarter, kLoads chunks' loads in flight
// (decodeMerge.cuh: the same sums, in the same order, as the fused merges, at any kLoads).
template <int kLoads>
__global__ void __launch_bounds__(kMergeTeam) mergeKernel(const float* partial, int chunks, int dv, float* out) {
  __shared__ float maxOf[4], quarterS[4], quarterSum[4][32];
  const int t = threadIdx.x, lane = t & 31, quarter = t >> 5;
  const int64_t row = blockIdx.x;
  const int64_t stride = dv + 2;
  const float* w = partial + row * chunks * stride;
  const int channel = blockIdx.y * 32 + lane;  // 0-based value channel (column channel + 1)
  const int channelColumn = channel < dv ? channel + 1 : -1;
  const float M = mergeMaximum(w, chunks, stride, maxOf, true);
  int from, to;
  mergeQuarter(chunks, quarter, from, to);
  float acc[2] = {0.f, 0.f};  // S, channel
  accumulateQuarter<kLoads, 2>(w, stride, from, to, M, [&](int r) { return r == 0 ? 0 : channelColumn; }, acc);
  quarterSum[quarter][lane] = acc[1];
  if (lane == 0) quarterS[quarter] = acc[0];
  __syncthreads();
  if (t < 32 && channel < dv) {
    float denominator = 0.f, total = 0.f;
    for (int q = 0; q < 4; ++q) denominator += quarterS[q];
    for (int q = 0; q < 4; ++q) total += quarterSum[q][t];
    out[row * dv + channel] = total / denominator;
  }
}

// PRHS_CUDA_MERGE_LOADS = 16 (default) or 32: chunks' loads in flight per warp of the separate
// merge kernel (the same bits either way; bench/cuda/NOTES.md, run 7, times both).
int mergeLoads() {
  static const int loads = [] {
    const char* text = std::getenv("PRHS_CUDA_MERGE_LOADS");
    if (text == nullptr || *text == '\0') return 16;
    if (std::strcmp(text, "16") == 0) return 16;
    if (std::strcmp(text, "32") == 0) return 32;
    throwCudaError(cudaErrorInvalidValue, "PRHS_CUDA_MERGE_LOADS (must be 16 or 32)");
  }();
  return loads;
}

// The list positions and query heads one block of the group kernel serves (chunkSteps.cuh), and
// its threads.
struct GroupBlock : ChunkBlock {
  int threads;  // blockDim.x
};

// The block's chunk and heads: blockIdx.y is a (batch, query head) row when each head has its own
// list (List), else a (batch, KV head) whose whole group the block serves.
template <bool List>
__device__ __forceinline__ GroupBlock groupBlockOf(const GroupParams& p) {
  GroupBlock blk;
  blk.threads = blockDim.x;
  blk.chunk = blockIdx.x;
  blk.start = int64_t(blk.chunk) * kSumBlock;
  blk.len = int(p.listLength - blk.start < kSumBlock ? p.listLength - blk.start : int64_t(kSumBlock));
  int64_t b, firstHead;
  if constexpr (List) {
    b = blockIdx.y / p.queryHeads;
    firstHead = blockIdx.y % p.queryHeads;
    blk.heads = 1;
  } else {
    b = blockIdx.y / p.kvHeads;
    firstHead = (blockIdx.y % p.kvHeads) * p.group;
    blk.heads = p.group;
  }
  blk.cache = b * p.kvHeads + firstHead / p.group;
  blk.firstRow = b * p.queryHeads + firstHead;
  return blk;
}

// Where a thread works in the numerator: its slice of kSlice threads (heads slice·HP ..
// slice·HP + HP − 1 of the block) and its place in that slice's value teams.
struct SliceTeam {
  int slice;
  ValueTeam value;
};

// Load step: the block's queries Q [heads][d] (of the query [rows][d]) widened into qs [heads][d],
// and the token of each of the chunk's positions into tokenOf [len]: the list's entry (−1 for
// padding) with per-head lists [rows][listLength], else the position itself.
template <typename E, bool List>
__device__ __forceinline__ void loadQueriesAndTokens(const GroupParams& p, const GroupBlock& blk, float* qs,
                                                     int* tokenOf, int tid) {
  const int nthreads = blk.threads;
  const int d = p.headDim;
  const E* Q = static_cast<const E*>(p.query) + blk.firstRow * d;
  for (int i = tid; i < blk.heads * d; i += nthreads) qs[i] = widen(Q[i]);
  if constexpr (List) {
    const int32_t* list = p.list + blk.firstRow * p.listLength + blk.start;
    for (int j = tid; j < blk.len; j += nthreads) tokenOf[j] = list[j];
  } else {
    for (int j = tid; j < blk.len; j += nthreads) tokenOf[j] = int(blk.start + j);
  }
}

// Logits step: z = scale·q·k for the block's heads (qs [heads][d]) and the chunk's key rows (K
// [tokens][d] of the block's cache) into zs [heads][kSumBlock], −inf for a padded list entry.
// S = keyLanes / L threads per key row, L lane partials each, U rows per thread in flight.
template <typename E, int HP, int L, int U>
__device__ __forceinline__ void groupLogits(const GroupParams& p, const GroupBlock& blk, const E* K, const int* tokenOf,
                                            const float* qs, float* zs, int tid) {
  constexpr int VEC = 16 / int(sizeof(E));
  const int nthreads = blk.threads;
  const int d = p.headDim;
  const int S = p.keyLanes / L;
  const int s = tid % S, slot = tid / S, slots = nthreads / S;
  const int vectors = d / VEC;
  const KeyLanes lanes{s, S, slot, slots, vectors, d};
  for (int j0 = 0; j0 < blk.len; j0 += slots * U) {
    int token[U];
    uint4 raw[U][L];
    loadKeyRows<E, L, U>(K, tokenOf, blk.len, j0, lanes, token, raw);
    float k[U][L][VEC];
    widenKeyRows<E, L, U>(raw, k);
    const int logitHeads = HP == 1 ? 1 : blk.heads;  // a compile-time 1 lets the widening meet its use
    for (int g = 0; g < logitHeads; ++g) {
      float part[U][L];
      lanePartials<L, U, VEC>(qs + g * d, k, lanes, part);
#pragma unroll
      for (int u = 0; u < U; ++u) {
        const float x = logitOfLanePartials<L>(part[u], S);
        const int jl = j0 + slot + u * slots;
        if (s == 0 && jl < blk.len) zs[g * kSumBlock + jl] = token[u] >= 0 ? p.scale * x : -INFINITY;
      }
    }
  }
}

// Softmax step: one warp per head; the chunk's max, then exp(z − max) in place of each logit of
// zs [heads][kSumBlock] and their sum, kept per head in rowMax and rowSum [heads].
__device__ __forceinline__ void groupSoftmax(const GroupBlock& blk, float* zs, float* rowMax, float* rowSum, int lane32,
                                             int warp) {
  const int nthreads = blk.threads;
  const int warps = nthreads / 32;
  for (int g = warp; g < blk.heads; g += warps) {
    float m, sum;
    warpSoftmax(zs + g * kSumBlock, blk.len, lane32, m, sum);
    if (lane32 == 0) {
      rowMax[g] = m;
      rowSum[g] = sum;
    }
  }
}

// Numerator step: Σ p_j v_j of the slice's HP heads into acc [HP][VEC], the weights from zs
// [heads][kSumBlock] and the value rows from V [tokens][dv] of the block's cache. The chunk's
// teams: team t sums positions t, t + teams, ... in order; two batches of NU value rows in flight
// (next holds the first batch on entry). Zero weights are skipped, as the reference does.
template <typename E, int HP, int NU>
__device__ __forceinline__ void groupNumerator(const GroupParams& p, const GroupBlock& blk, const E* V,
                                               const int* tokenOf, const float* zs, const SliceTeam& place,
                                               uint4 (&next)[NU], float (&acc)[HP][16 / int(sizeof(E))]) {
  constexpr int VEC = 16 / int(sizeof(E));
  const int dv = p.valueDim;
  const int teams = place.value.teams, team = place.value.team;
  const int step = teams * NU;
  const int firstSliceHead = place.slice * HP;
#pragma unroll
  for (int g = 0; g < HP; ++g)
#pragma unroll
    for (int e = 0; e < VEC; ++e) acc[g][e] = 0.f;
  for (int jb = team; jb < blk.len; jb += step) {
    uint4 current[NU];
#pragma unroll
    for (int u = 0; u < NU; ++u) current[u] = next[u];
    if (jb + step < blk.len) loadValueRows<E, NU>(V, dv, tokenOf, blk.len, jb + step, place.value, next);
#pragma unroll
    for (int u = 0; u < NU; ++u) {
      const int j = jb + u * teams;
      if (j >= blk.len || tokenOf[j] < 0) continue;
      float v[VEC];
      widenRaw<E, VEC>(current[u], v);
#pragma unroll
      for (int g = 0; g < HP; ++g) {
        if (firstSliceHead + g < blk.heads) {
          const float w = zs[(firstSliceHead + g) * kSumBlock + j];
          if (w != 0.f) {  // zero weight: skipped, as the reference does
#pragma unroll
            for (int e = 0; e < VEC; ++e) acc[g][e] = fmaf(w, v[e], acc[g][e]);
          }
        }
      }
    }
  }
}

// Store step: each thread's acc [HP][VEC] into reduce [slices][teams][HP][dv], then per (head,
// channel) the team sums added in team order: divided by the head's sum (rowSum [heads]) into out
// [rows][dv] when the list is one chunk, else into the chunk's partial [rows][chunks][dv + 2]
// after its (max, sum).
template <int HP, int VEC>
__device__ __forceinline__ void storeNumerator(const GroupParams& p, const GroupBlock& blk, float* reduce,
                                               const float* rowSum, const SliceTeam& place, const float (&acc)[HP][VEC],
                                               int tid) {
  const int nthreads = blk.threads;
  const int dv = p.valueDim;
  const auto [teams, team, vlane, active] = place.value;
  const int slice = place.slice, firstSliceHead = slice * HP;
  if (active) {
#pragma unroll
    for (int g = 0; g < HP; ++g) {
      if (firstSliceHead + g < blk.heads) {
        float* into = reduce + ((int64_t(slice) * teams + team) * HP + g) * dv + vlane * VEC;
#pragma unroll
        for (int e = 0; e < VEC; ++e) into[e] = acc[g][e];
      }
    }
  }
  __syncthreads();
  const int64_t stride = dv + 2;
  for (int i = tid; i < blk.heads * dv; i += nthreads) {
    const int g = i / dv, c = i - g * dv;
    const int sl = g / HP, gl = g - sl * HP;
    float total = 0.f;
    for (int t = 0; t < teams; ++t) total += reduce[((int64_t(sl) * teams + t) * HP + gl) * dv + c];
    const int64_t row = blk.firstRow + g;
    if (p.chunks == 1) {
      p.out[row * dv + c] = total / rowSum[g];
    } else {
      p.partial[(row * p.chunks + blk.chunk) * stride + 2 + c] = total;
    }
  }
}

// The chunk's (max, sum) of each head (rowMax, rowSum [heads]) into the first two columns of its
// partial [rows][chunks][dv + 2].
__device__ __forceinline__ void storeMaxAndSum(const GroupParams& p, const GroupBlock& blk, const float* rowMax,
                                               const float* rowSum, int tid) {
  const int dv = p.valueDim;
  const int64_t stride = dv + 2;
  if (tid < blk.heads) {
    float* w = p.partial + ((blk.firstRow + tid) * p.chunks + blk.chunk) * stride;
    w[0] = rowMax[tid];
    w[1] = rowSum[tid];
  }
}

// Merge step (split-KV, fused; run by the last block of the row to finish): the partials
// [rows][chunks][dv + 2] of the block's rows combined into out [rows][dv], one team of kMergeTeam
// threads per row (decodeMerge.cuh), each team's scratch in shared memory (where qs and zs were).
template <int HP>
__device__ __forceinline__ void mergeGroupRows(const GroupParams& p, const GroupBlock& blk, float* shared, int tid) {
  const int nthreads = blk.threads;
  const int dv = p.valueDim;
  const int64_t stride = dv + 2;
  const int mergeTeams = nthreads / kMergeTeam, mergeTeam = tid / kMergeTeam;
  float* scratch = shared + int64_t(mergeTeam) * mergeScratchFloats(kMergeColumns);
  for (int g0 = 0; g0 < blk.heads; g0 += mergeTeams) {
    const int g = min(g0 + mergeTeam, blk.heads - 1);
    const int64_t row = blk.firstRow + g;
    mergeRowByTeam<HP == 1 ? 4 : 8, kMergeColumns>(p.partial + row * p.chunks * stride, p.chunks, dv, p.out + row * dv,
                                                   scratch, g0 + mergeTeam < blk.heads);
  }
}

// HP: numerator heads per thread (the slice's heads); L: lane partials per thread (S = R / L
// threads per key row); List: per-head lists (one head per block); Deep (one head only): twice the
// key rows in flight per thread, at 5 blocks per SM instead of 8. The kernel is its steps in order:
// the block's heads (groupBlockOf), the queries and tokens, the logits, the first value rows, the
// softmax, the numerator, its store, and the fused merge.
template <typename E, int HP, int L, bool List, bool Deep = false>
__global__ void __launch_bounds__(HP == kHeadsPerSlice ? 2 * kSlice : kSlice, (minBlocks<HP, Deep>()))
    groupKernel(GroupParams p) {
  static_assert(!Deep || HP == 1, "Deep: one head per block");
  constexpr int VEC = 16 / int(sizeof(E));
  // Key vectors in flight per thread, U rows of L vectors: 64 bytes (one head), 128 bytes (groups, Deep).
  constexpr int U = (HP == 1 && !Deep ? 4 : 8) / L;
  constexpr int NU = HP == kHeadsPerSlice ? 2 : 4;  // value rows per team and batch (two batches in flight)
  extern __shared__ __align__(16) float shared[];
  __shared__ float rowMax[kGroupLimit], rowSum[kGroupLimit];
  __shared__ int tokenOf[kSumBlock];
  const int tid = threadIdx.x, lane32 = tid & 31, warp = tid >> 5;
  const GroupBlock blk = groupBlockOf<List>(p);
  const int d = p.headDim, dv = p.valueDim;
  const E* K = static_cast<const E*>(p.keys) + blk.cache * p.tokens * d;
  const E* V = static_cast<const E*>(p.values) + blk.cache * p.tokens * dv;
  float* qs = shared;                  // [heads][d]
  float* zs = shared + blk.heads * d;  // [heads][kSumBlock]
  float* reduce = shared;              // [slices][teams][HP][dv], after qs and zs are done with

  loadQueriesAndTokens<E, List>(p, blk, qs, tokenOf, tid);
  __syncthreads();
  groupLogits<E, HP, L, U>(p, blk, K, tokenOf, qs, zs, tid);
  // The numerator's first value rows, requested before the softmax (they do not depend on it).
  const SliceTeam place{tid / kSlice, valueTeamOf(tid % kSlice, kSlice, p.valueLanes, VEC, dv)};
  uint4 next[NU];
  loadValueRows<E, NU>(V, dv, tokenOf, blk.len, place.value.team, place.value, next);
  __syncthreads();
  groupSoftmax(blk, zs, rowMax, rowSum, lane32, warp);
  __syncthreads();
  float acc[HP][VEC];
  groupNumerator<E, HP, NU>(p, blk, V, tokenOf, zs, place, next, acc);
  __syncthreads();  // every thread is done with qs and zs: reduce overwrites them
  storeNumerator<HP, VEC>(p, blk, reduce, rowSum, place, acc, tid);
  if (p.chunks == 1) return;
  storeMaxAndSum(p, blk, rowMax, rowSum, tid);
  if (!p.fusedMerge) return;
  // Fused split-KV merge: the last block of this blockIdx.y to finish merges its rows.
  if (!lastBlockOfRow(p.counters, p.chunks)) return;
  mergeGroupRows<HP>(p, blk, shared, tid);
}

int headsPerSlice(int heads) { return heads <= 1 ? 1 : heads <= 2 ? 2 : heads <= 4 ? 4 : kHeadsPerSlice; }

}  // namespace

void launchGroupMerge(const float* partial, int64_t rows, int chunks, int dv, float* out, cudaStream_t stream) {
  const dim3 mergeGrid(unsigned(rows), unsigned((dv + 31) / 32));
  if (mergeLoads() == 32) {
    mergeKernel<32><<<mergeGrid, kSlice, 0, stream>>>(partial, chunks, dv, out);
  } else {
    mergeKernel<16><<<mergeGrid, kSlice, 0, stream>>>(partial, chunks, dv, out);
  }
  checkLaunch("split-KV merge launch");
}

bool groupDecodeSupports(const AttentionShape& s, Dtype dtype, bool perHeadLists, int lanesPerThread) {
  const int e = dtype == Dtype::fp32 ? 4 : 2, vec = 16 / e;
  if (s.headDim % vec != 0 || s.valueDim % vec != 0) return false;
  const int64_t vectors = s.headDim / vec, valueVectors = s.valueDim / vec;
  if (vectors > 32 || valueVectors > 32 || lanesForVectors(int(vectors)) < lanesPerThread) return false;
  const int64_t group = s.queryHeads / s.kvHeads;
  return perHeadLists || group <= kGroupLimit;
}

int groupDecodeLanesPerThread(const AttentionShape& s, bool perHeadLists) {
  return perHeadLists || s.queryHeads == s.kvHeads ? 2 : 4;
}

bool launchGroupDecode(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream,
                       const GroupDecodeOptions& o) {
  const AttentionShape& s = a.shape;
  const bool lists = a.list != nullptr;
  const int L = o.lanesPerThread > 0 ? o.lanesPerThread : groupDecodeLanesPerThread(s, lists);
  if ((L != 2 && L != 4) || !groupDecodeSupports(s, a.dtype, lists, L)) return false;
  if (o.deep && (L != 2 || (!lists && s.queryHeads != s.kvHeads))) return false;  // Deep: one head per block, L = 2
  GroupParams p{chunkParams(a, lists ? a.listLength : s.tokens, out)};
  p.fusedMerge = o.fusedMerge ? 1 : 0;
  p.counters = reinterpret_cast<unsigned*>(workspace);
  p.partial = workspace ? workspace + attentionCounterFloats(s) : nullptr;
  const int heads = lists ? 1 : p.group;
  const int HP = headsPerSlice(heads);
  const int slices = (heads + HP - 1) / HP;
  const int threads = kSlice * slices;
  const int64_t blocksY = lists ? s.batch * s.queryHeads : s.batch * s.kvHeads;
  if (blocksY > 65535) check(cudaErrorInvalidConfiguration, "group decode grid (batch × heads > 65535)");
  const int teams = kSlice / p.valueLanes;
  const size_t front = size_t(heads) * size_t(p.headDim + kSumBlock);
  const size_t reduceFloats = size_t(slices) * size_t(teams) * size_t(HP) * size_t(p.valueDim);
  const size_t mergeFloats =
      p.chunks > 1 && o.fusedMerge ? size_t(slices) * size_t(mergeScratchFloats(kMergeColumns)) : 0;
  const size_t shared = sizeof(float) * std::max({front, reduceFloats, mergeFloats});
  const dim3 grid(unsigned(p.chunks), unsigned(blocksY));
  auto launch = [&](auto kernel) {
    if (shared > 48 * 1024)
      check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
            "cudaFuncSetAttribute(group decode)");
    kernel<<<grid, threads, shared, stream>>>(p);
  };
  auto byShape = [&](auto tag) {
    using E = decltype(tag);
    if (lists) {
      o.deep   ? launch(groupKernel<E, 1, 2, true, true>)
      : L == 2 ? launch(groupKernel<E, 1, 2, true>)
               : launch(groupKernel<E, 1, 4, true>);
      return;
    }
    switch (HP) {
      case 1:
        o.deep   ? launch(groupKernel<E, 1, 2, false, true>)
        : L == 2 ? launch(groupKernel<E, 1, 2, false>)
                 : launch(groupKernel<E, 1, 4, false>);
        break;
      case 2: L == 2 ? launch(groupKernel<E, 2, 2, false>) : launch(groupKernel<E, 2, 4, false>); break;
      case 4: L == 2 ? launch(groupKernel<E, 4, 2, false>) : launch(groupKernel<E, 4, 4, false>); break;
      default:
        L == 2 ? launch(groupKernel<E, kHeadsPerSlice, 2, false>) : launch(groupKernel<E, kHeadsPerSlice, 4, false>);
        break;
    }
  };
  switch (a.dtype) {
    case Dtype::fp32: byShape(float{}); break;
    case Dtype::fp16: byShape(__half{}); break;
    case Dtype::bf16: byShape(__nv_bfloat16{}); break;
  }
  checkLaunch("group decode kernel launch");
  if (p.chunks > 1 && !o.fusedMerge) {
    launchGroupMerge(p.partial, s.batch * s.queryHeads, p.chunks, p.valueDim, out, stream);
  }
  return true;
}

}  // namespace cuda
}  // namespace prhs
