// The chunk kernel: one kernel template computes, per chunk of kSumBlock list positions and per
// group of query heads sharing a KV head, the logits (scores mode), the chunk's max, exp-sum and
// P·V numerator (attend mode), or its max, exp-sum and dropped exp-sum (dropped mode). The chunks
// are then combined (split-KV): in attend mode by the last block of each row to finish (the merge is
// fused into the chunk kernel), in dropped mode by a second kernel. Arithmetic is fp32 over
// fp32/fp16/bf16 storage. The kernel is its steps in order: the block's heads (chunkBlockOf), its
// shared memory (chunkSharedOf), the logits, the softmax, the numerator and the merge. Which kernel
// serves a decode step is decodeDispatch.cu's choice; hostEntryPoints.cu runs them on host arrays.
//
// Determinism: every sum has a fixed order (lane-sequential, then a fixed xor tree; the merge runs
// over chunks in order), so the same list in the same order gives the same bits: sparse attention
// over every token equals dense attention bit for bit, and one head's list never affects another.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>

#include "../src/mutants.hpp"
#include "chunkSteps.cuh"
#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "decodeMerge.cuh"
#include "decodeRows.cuh"

namespace prhs {
namespace cuda {
namespace {

constexpr int kThreads = 128;  // 4 warps
constexpr int kWarps = kThreads / 32;
constexpr int kGroupMax = 8;  // query heads per block (a larger GQA group is split over blocks)
constexpr int kLanesMax = 32;
constexpr int kUnroll = 4;  // positions per team in flight
static_assert(kThreads == kMergeTeam, "one block merges a row as one team (decodeMerge.cuh)");

enum class Mode { attend, dropped, scores };

struct Params {
  const void* query;
  const void* keys;
  const void* values;
  const int32_t* list;  // [rows, listLength] or nullptr
  const uint8_t* kept;  // dropped mode: [rows, tokens]
  int64_t queryHeads, kvHeads, tokens, headDim, valueDim, listLength;
  int group;        // queryHeads / kvHeads
  int subgroups;    // ceil(group / kGroupMax) (dense); 1 (per-head lists)
  int perHeadList;  // 1: one query head per block, reading its own list
  int lanesPerRow;  // R: lanes that share one key row (a power of two ≤ 32)
  int valueLanes;   // lanes that share one value row (vectorised numerator), 0: scalar numerator
  int chunks;
  float scale;
  float* partial;      // [rows, chunks, stride] when chunks > 1
  unsigned* counters;  // attend mode: [blocksY] finished chunks (zero between launches)
  float* out;
};

// The block's chunk and heads: blockIdx.y is a (batch, query head) row when each head has its own
// list, else a (batch, KV head, subgroup of at most G heads of its group).
template <int G>
__device__ __forceinline__ ChunkBlock chunkBlockOf(const Params& p) {
  ChunkBlock blk;
  blk.chunk = blockIdx.x;
  blk.start = int64_t(blk.chunk) * kSumBlock;
  blk.len = int(p.listLength - blk.start < kSumBlock ? p.listLength - blk.start : int64_t(kSumBlock));
  int64_t b, firstHead;
  if (p.perHeadList) {
    const int64_t row = blockIdx.y;
    b = row / p.queryHeads;
    firstHead = row % p.queryHeads;
    blk.heads = 1;
  } else {
    const int64_t y = blockIdx.y;
    const int sg = int(y % p.subgroups);
    const int64_t bk = y / p.subgroups;
    b = bk / p.kvHeads;
    const int64_t kv = bk % p.kvHeads;
    firstHead = kv * p.group + int64_t(sg) * G;
    blk.heads = min(G, p.group - sg * G);
  }
  blk.cache = b * p.kvHeads + firstHead / p.group;
  blk.firstRow = b * p.queryHeads + firstHead;
  return blk;
}

// The block's shared memory: the widened queries qs [G][headDim], the chunk's logits (then weights)
// zs [G][kSumBlock], the vectorised numerator's team sums reduce [teams][G][valueDim], and (Stage
// only) the staged value rows stageV [kSumBlock][valueDim], 16-byte aligned.
template <typename E, int G>
struct ChunkShared {
  float* qs;
  float* zs;
  float* reduce;
  E* stageV;
};

template <typename E, int G>
__device__ __forceinline__ ChunkShared<E, G> chunkSharedOf(const Params& p, float* shared) {
  ChunkShared<E, G> s;
  s.qs = shared;
  s.zs = shared + G * p.headDim;
  s.reduce = s.zs + G * kSumBlock;
  const int64_t reduceFloats = p.valueLanes > 0 ? int64_t(kThreads / p.valueLanes) * G * p.valueDim : 0;
  s.stageV = reinterpret_cast<E*>(s.reduce + (reduceFloats + 3) / 4 * 4);
  return s;
}

// Staging step (Stage only): every V row of the chunk requested at once with cp.async, into
// stageV [kSumBlock][valueDim] (shared) from V [tokens][valueDim] of the block's cache, for the
// tokens tokenOf [len]; committed, not waited for.
template <typename E, int VEC>
__device__ __forceinline__ void stageValues(const Params& p, const ChunkBlock& blk, const int* tokenOf, E* stageV) {
  const E* Vg = static_cast<const E*>(p.values) + blk.cache * p.tokens * p.valueDim;
  const int vVectors = int(p.valueDim / VEC);
  for (int i = threadIdx.x; i < blk.len * vVectors; i += kThreads) {
    const int j = i / vVectors, v = i - j * vVectors, t = tokenOf[j];
    if (t >= 0) cpAsync16(stageV + int64_t(j) * p.valueDim + v * VEC, Vg + int64_t(t) * p.valueDim + v * VEC);
  }
  cpAsyncCommit();  // waited for before the numerator; the K rows go to registers as before
}

// Logits step: z = scale·q·k for the chunk's positions and the block's heads, into zs [G][kSumBlock]
// (-inf for a padded list entry), or in scores mode straight to out [rows][tokens]. Teams of
// R = lanesPerRow lanes share a key row K [tokens][headDim]; each lane owns every R-th vector of it,
// kUnroll rows in flight per team, and the lane partials are summed by a fixed xor tree.
template <typename E, int VEC, Mode M, int G>
__device__ __forceinline__ void chunkLogits(const Params& p, const ChunkBlock& blk, const E* K, const int* tokenOf,
                                            const float* qs, float* zs) {
  const int64_t d = p.headDim;
  const int R = p.lanesPerRow, tid = threadIdx.x;
  const int team = tid / R, lane = tid % R, teams = kThreads / R;
  const int64_t vectors = d / VEC;
  for (int jb = 0; jb < blk.len; jb += teams * kUnroll) {
    int token[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int jl = jb + team + u * teams;
      token[u] = jl < blk.len ? tokenOf[jl] : -1;
    }
    float part[G][kUnroll];
#pragma unroll
    for (int g = 0; g < G; ++g)
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) part[g][u] = 0.f;
    for (int64_t v = lane; v < vectors; v += R) {
      float k[kUnroll][VEC];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        if (token[u] >= 0) {
          loadRow<E, VEC>(K + int64_t(token[u]) * d + v * VEC, k[u]);
        } else {
#pragma unroll
          for (int e = 0; e < VEC; ++e) k[u][e] = 0.f;
        }
      }
#pragma unroll
      for (int g = 0; g < G; ++g) {
        if (g < blk.heads) {
#pragma unroll
          for (int e = 0; e < VEC; ++e) {
            const float q = qs[g * d + v * VEC + e];
#pragma unroll
            for (int u = 0; u < kUnroll; ++u) part[g][u] = fmaf(q, k[u][e], part[g][u]);
          }
        }
      }
    }
#pragma unroll
    for (int g = 0; g < G; ++g) {
      if (g < blk.heads) {
#pragma unroll
        for (int u = 0; u < kUnroll; ++u) {
          for (int o = R >> 1; o > 0; o >>= 1) part[g][u] += __shfl_xor_sync(0xffffffffu, part[g][u], o);
        }
      }
    }
    if (lane == 0) {
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const int jl = jb + team + u * teams;
        if (jl >= blk.len) continue;
#pragma unroll
        for (int g = 0; g < G; ++g) {
          if (g < blk.heads) {
            const float z = token[u] >= 0 ? p.scale * part[g][u] : -INFINITY;
            if constexpr (M == Mode::scores) {
              p.out[(blk.firstRow + g) * p.tokens + blk.start + jl] = z;
            } else {
              zs[g * kSumBlock + jl] = z;
            }
          }
        }
      }
    }
  }
}

// Softmax step: one warp per head; the chunk's max m, then exp(z − m) in place of each logit and
// its sum. Attend mode keeps (m, sum) per head in rowMax/rowSum [G]; dropped mode also sums the
// exps of the positions not kept ([rows][tokens]) and writes dropped/sum, or the chunk's
// (m, sum, dropped) to the partials [rows][chunks][3].
template <Mode M>
__device__ __forceinline__ void chunkSoftmax(const Params& p, const ChunkBlock& blk, float* zs, float* rowMax,
                                             float* rowSum) {
  const int lane32 = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int g = warp; g < blk.heads; g += kWarps) {
    float* z = zs + g * kSumBlock;
    float m = -INFINITY;
    for (int j = lane32; j < blk.len; j += 32) m = fmaxf(m, z[j]);  // NaN never becomes the max
    for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    float sum = 0.f, dropped = 0.f;
    const uint8_t* kept = nullptr;
    if constexpr (M == Mode::dropped) kept = p.kept + (blk.firstRow + g) * p.tokens + blk.start;
    for (int j = lane32; j < blk.len - (PRHS_MUTANT == 3 ? 1 : 0); j += 32) {
      const float e = expf(z[j] - (PRHS_MUTANT == 1 ? 0.f : m));
      z[j] = e;
      sum += e;
      if constexpr (M == Mode::dropped) {
        if (!kept[j]) dropped += e;
      }
    }
    for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
    if constexpr (M == Mode::dropped) {
      for (int o = 16; o > 0; o >>= 1) dropped += __shfl_xor_sync(0xffffffffu, dropped, o);
      if (lane32 == 0) {
        const int64_t row = blk.firstRow + g;
        if (p.chunks == 1) {
          p.out[row] = dropped / sum;
        } else {
          float* w = p.partial + (row * p.chunks + blk.chunk) * 3;
          w[0] = m;
          w[1] = sum;
          w[2] = dropped;
        }
      }
    } else {
      if (lane32 == 0) {
        rowMax[g] = m;
        rowSum[g] = sum;
      }
    }
  }
}

// One numerator entry: column c of head g's Σ p_j v_j, divided by the sum into out [rows][valueDim]
// when the list is one chunk, else into the chunk's partial [rows][chunks][valueDim + 2] after
// its (m, sum).
__device__ __forceinline__ void storeNumerator(const Params& p, const ChunkBlock& blk, const float* rowSum, int g,
                                               int64_t c, float acc) {
  const int64_t row = blk.firstRow + g;
  if (p.chunks == 1) {
    p.out[row * p.valueDim + c] = acc / rowSum[g];
  } else {
    p.partial[(row * p.chunks + blk.chunk) * (p.valueDim + 2) + 2 + c] = acc;
  }
}

// Numerator step, vectorised: teams of valueLanes lanes share a value row (one 16-byte vector per
// lane, from V [tokens][valueDim] or, with Stage, stageV [kSumBlock][valueDim]); team t sums
// positions t, t + teams, ... in order into reduce [teams][G][valueDim], then the team sums are
// added in team order. Zero weights are skipped, as the reference does.
template <typename E, int VEC, int G, bool Stage>
__device__ __forceinline__ void numeratorVectorised(const Params& p, const ChunkBlock& blk, const E* V,
                                                    const int* tokenOf, const ChunkShared<E, G>& s,
                                                    const float* rowSum) {
  const int R = p.valueLanes;
  const int tid = threadIdx.x, team = tid / R, lane = tid % R, teams = kThreads / R;
  const bool active = int64_t(lane) * VEC < p.valueDim;
  float acc[G][VEC];
#pragma unroll
  for (int g = 0; g < G; ++g)
#pragma unroll
    for (int e = 0; e < VEC; ++e) acc[g][e] = 0.f;
  for (int jb = team; jb < blk.len; jb += teams * kUnroll) {
    float v[kUnroll][VEC];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int j = jb + u * teams;
      const int t = j < blk.len ? tokenOf[j] : -1;
      if (active && t >= 0) {
        if constexpr (Stage) {
          loadRow<E, VEC>(s.stageV + int64_t(j) * p.valueDim + int64_t(lane) * VEC, v[u]);
        } else {
          loadRow<E, VEC>(V + int64_t(t) * p.valueDim + int64_t(lane) * VEC, v[u]);
        }
      } else {
#pragma unroll
        for (int e = 0; e < VEC; ++e) v[u][e] = 0.f;
      }
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int j = jb + u * teams;
      if (j >= blk.len || tokenOf[j] < 0) continue;
#pragma unroll
      for (int g = 0; g < G; ++g) {
        if (g < blk.heads) {
          const float w = s.zs[g * kSumBlock + j];
          if (w != 0.f) {
#pragma unroll
            for (int e = 0; e < VEC; ++e) acc[g][e] = fmaf(w, v[u][e], acc[g][e]);
          }
        }
      }
    }
  }
  if (active) {
#pragma unroll
    for (int g = 0; g < G; ++g) {
      if (g < blk.heads) {
#pragma unroll
        for (int e = 0; e < VEC; ++e)
          s.reduce[(int64_t(team) * G + g) * p.valueDim + int64_t(lane) * VEC + e] = acc[g][e];
      }
    }
  }
  __syncthreads();
  for (int64_t i = tid; i < int64_t(blk.heads) * p.valueDim; i += kThreads) {
    const int g = int(i / p.valueDim);
    const int64_t c = i % p.valueDim;
    float total = 0.f;
    for (int t = 0; t < teams; ++t) total += s.reduce[(int64_t(t) * G + g) * p.valueDim + c];
    storeNumerator(p, blk, rowSum, g, c, total);
  }
}

// Numerator step, scalar: one thread per value channel c of V [tokens][valueDim], positions in
// order; zero weights are skipped, as the reference does.
template <typename E, int G>
__device__ __forceinline__ void numeratorScalar(const Params& p, const ChunkBlock& blk, const E* V, const int* tokenOf,
                                                const float* zs, const float* rowSum) {
  for (int64_t c = threadIdx.x; c < p.valueDim; c += kThreads) {
    float acc[G];
#pragma unroll
    for (int g = 0; g < G; ++g) acc[g] = 0.f;
#pragma unroll 4
    for (int j = 0; j < blk.len; ++j) {
      const int t = tokenOf[j];
      if (t < 0) continue;
      const float v = widen(V[int64_t(t) * p.valueDim + c]);
#pragma unroll
      for (int g = 0; g < G; ++g) {
        if (g < blk.heads) {
          const float w = zs[g * kSumBlock + j];
          if (w != 0.f) acc[g] = fmaf(w, v, acc[g]);
        }
      }
    }
#pragma unroll
    for (int g = 0; g < G; ++g) {
      if (g < blk.heads) storeNumerator(p, blk, rowSum, g, c, acc[g]);
    }
  }
}

// Merge step (split-KV, fused): the partials [rows][chunks][valueDim + 2] of the block's rows
// combined into out [rows][valueDim] by the whole block (decodeMerge.cuh: 8 chunks' loads in
// flight per warp, 4 columns per lane), with mergeScratch in shared memory.
__device__ __forceinline__ void mergeChunks(const Params& p, const ChunkBlock& blk, float* mergeScratch) {
  const int64_t stride = p.valueDim + 2;
  for (int g = 0; g < blk.heads; ++g) {
    const int64_t row = blk.firstRow + g;
    mergeRowByTeam<8, 4>(p.partial + row * p.chunks * stride, p.chunks, int(p.valueDim), p.out + row * p.valueDim,
                         mergeScratch, true);
  }
}

// One query head per block (G = 1): at most 64 registers, so 8 blocks (32 warps) fit an SM and
// the 1024 blocks of shape (a) run in one wave on 132 SMs.
// Stage (attend mode, G = 1, 16-byte rows, opt-in): right after the list is read, every V row of
// the chunk is requested at once with cp.async into shared memory, so the V traffic overlaps the K
// loads, the logits and the softmax (K rows still go to registers, 32 rows in flight per block).
// The arithmetic reads the same values in the same order from shared memory instead of global
// memory: results are bit for bit those of the unstaged path. Whether it pays: bench/cuda/NOTES.md.
template <typename E, int VEC, Mode M, int G, bool Stage = false>
__global__ void __launch_bounds__(kThreads, Stage ? 5 : (G == 1 ? 8 : 4)) chunkKernel(Params p) {
  static_assert(!Stage || (G == 1 && VEC > 1 && M == Mode::attend), "staging: one head, 16-byte rows, attend mode");
  extern __shared__ __align__(16) float shared[];
  __shared__ float rowMax[G], rowSum[G];
  __shared__ int tokenOf[kSumBlock];
  const int tid = threadIdx.x;
  const ChunkBlock blk = chunkBlockOf<G>(p);
  const int64_t d = p.headDim;
  const E* K = static_cast<const E*>(p.keys) + blk.cache * p.tokens * d;
  const int32_t* list = p.list ? p.list + blk.firstRow * p.listLength + blk.start : nullptr;
  const ChunkShared<E, G> s = chunkSharedOf<E, G>(p, shared);
  const E* Q = static_cast<const E*>(p.query) + blk.firstRow * d;
  for (int64_t i = tid; i < int64_t(blk.heads) * d; i += kThreads) s.qs[i] = widen(Q[i]);
  for (int j = tid; j < blk.len; j += kThreads) tokenOf[j] = list ? list[j] : int(blk.start + j);
  __syncthreads();
  if constexpr (Stage) stageValues<E, VEC>(p, blk, tokenOf, s.stageV);

  chunkLogits<E, VEC, M, G>(p, blk, K, tokenOf, s.qs, s.zs);
  if constexpr (M == Mode::scores) return;
#if PRHS_MUTANT != 5  // the race mutant reads the chunk's logits before every warp has written them
  __syncthreads();
#endif
  chunkSoftmax<M>(p, blk, s.zs, rowMax, rowSum);
  if constexpr (M == Mode::dropped) return;
  if constexpr (Stage) cpAsyncWait<0>();  // the V rows; published by the barrier below
  __syncthreads();

  const E* V = static_cast<const E*>(p.values) + blk.cache * p.tokens * p.valueDim;
  if (p.valueLanes > 0) {
    numeratorVectorised<E, VEC, G, Stage>(p, blk, V, tokenOf, s, rowSum);
  } else {
    numeratorScalar<E, G>(p, blk, V, tokenOf, s.zs, rowSum);
  }
  if (p.chunks > 1 && threadIdx.x < blk.heads) {
    float* w = p.partial + ((blk.firstRow + threadIdx.x) * p.chunks + blk.chunk) * (p.valueDim + 2);
    w[0] = rowMax[threadIdx.x];
    w[1] = rowSum[threadIdx.x];
  }
  if (p.chunks == 1) return;
  // Fused split-KV merge: the last block of this blockIdx.y to finish merges its rows.
  __shared__ float mergeScratch[mergeScratchFloats(4)];
  if (!lastBlockOfRow(p.counters, p.chunks)) return;
  mergeChunks(p, blk, mergeScratch);
}

__device__ __forceinline__ float rowMaximum(const float* w, int chunks, int64_t stride) {
  float M = -INFINITY;
  for (int s = 0; s < chunks; ++s) M = fmaxf(M, w[s * stride]);
  return M;
}

__global__ void mergeDropped(const float* partial, int chunks, int64_t rows, float* out) {
  const int64_t row = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (row >= rows) return;
  const float* w = partial + row * chunks * 3;
  const float M = rowMaximum(w, chunks, 3);
  float sum = 0.f, dropped = 0.f;
  for (int s = 0; s < chunks; ++s) {
    const float f = mergeFactor(w[s * 3], M);
    if (f == 0.f) continue;
    sum = fmaf(w[s * 3 + 1], f, sum);
    dropped = fmaf(w[s * 3 + 2], f, dropped);
  }
  out[row] = dropped / sum;
}

__global__ void markKept(const int32_t* indices, int64_t rows, int64_t selected, int64_t tokens, uint8_t* kept) {
  const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= rows * selected) return;
  const int32_t t = indices[i];
  if (t >= 0) kept[(i / selected) * tokens + t] = 1;
}

// Floats (128-byte aligned) that hold one merge counter per row, ahead of the partials.
int64_t counterFloats(const AttentionShape& s) { return (s.batch * s.queryHeads + 31) / 32 * 32; }

// Which attend launches stage their V rows in shared memory (chunkKernel's Stage). The default is
// never (bench/cuda/NOTES.md has the measurements); the benchmark times it
// (launchAttentionStaging) beside the default.
enum class Staging { sparseOnly, never, always };

// One chunk-kernel launch: its parameters, grid, heads per block (G), whether the rows are read as
// 16-byte vectors, whether V is staged in shared memory, and the dynamic shared memory in bytes.
struct ChunkLaunch {
  Params p;
  dim3 grid;
  int G;
  bool vectorised;
  bool stage;
  size_t shared;
};

template <Mode M>
ChunkLaunch planChunkLaunch(const DeviceAttention& a, const uint8_t* kept, float* out, float* workspace,
                            Staging staging) {
  const AttentionShape& s = a.shape;
  Params p{};
  p.query = a.query;
  p.keys = a.keys;
  p.values = a.values;
  p.list = a.list;
  p.kept = kept;
  p.queryHeads = s.queryHeads;
  p.kvHeads = s.kvHeads;
  p.tokens = s.tokens;
  p.headDim = s.headDim;
  p.valueDim = s.valueDim;
  p.listLength = a.list ? a.listLength : s.tokens;
  p.group = int(s.queryHeads / s.kvHeads);
  p.perHeadList = a.list ? 1 : 0;
  p.chunks = int(chunkCount(p.listLength));
  p.scale = a.scale;
  // Attend mode: the merge counters first (one per blockIdx.y), then the partials.
  p.counters = M == Mode::attend ? reinterpret_cast<unsigned*>(workspace) : nullptr;
  p.partial = M == Mode::attend && workspace ? workspace + counterFloats(s) : workspace;
  p.out = out;
  const size_t elementBytes = a.dtype == Dtype::fp32 ? 4 : 2;
  const int vec = int(16 / elementBytes);
  const bool vectorised = s.headDim % vec == 0;
  p.lanesPerRow = lanesForVectors(vectorised ? s.headDim / vec : s.headDim);
  const bool vectorisedValues = vectorised && s.valueDim % vec == 0 && s.valueDim / vec <= kLanesMax;
  p.valueLanes = vectorisedValues ? lanesForVectors(s.valueDim / vec) : 0;
  // One head per block when each head has its own list or the group is 1; else up to 8.
  const int heads = a.list ? 1 : (p.group < kGroupMax ? p.group : kGroupMax);
  const int G = heads == 1 ? 1 : kGroupMax;
  p.subgroups = a.list ? 1 : (p.group + G - 1) / G;
  const int64_t blocksY = a.list ? s.batch * s.queryHeads : s.batch * s.kvHeads * p.subgroups;
  if (blocksY > 65535) check(cudaErrorInvalidConfiguration, "attention grid (batch × heads > 65535)");
  const int64_t valueTeams = p.valueLanes > 0 ? kThreads / p.valueLanes : 0;
  // Staging: one head per block, 16-byte K and V rows, value rows ≤ 256 bytes (32 KB of shared
  // memory per block for dv = 128 in fp16/bf16: 5 blocks per H100 SM).
  const bool stage = M == Mode::attend && G == 1 && elementBytes == 2 && vectorisedValues && s.valueDim <= 128 &&
                     (staging == Staging::always || (staging == Staging::sparseOnly && a.list != nullptr));
  const size_t reduceFloats = size_t(valueTeams * s.valueDim);
  const size_t stagedBytes = stage ? (reduceFloats + 3) / 4 * 4 * sizeof(float) - reduceFloats * sizeof(float) +
                                         size_t(kSumBlock) * size_t(s.valueDim) * elementBytes
                                   : 0;
  const size_t shared =
      sizeof(float) * size_t(G) * size_t(s.headDim + kSumBlock + valueTeams * s.valueDim) + stagedBytes;
  return ChunkLaunch{p, dim3(unsigned(p.chunks), unsigned(blocksY)), G, vectorised, stage, shared};
}

template <Mode M>
void launchTyped(const DeviceAttention& a, const uint8_t* kept, float* out, float* workspace, cudaStream_t stream,
                 Staging staging = Staging::never) {
  const ChunkLaunch plan = planChunkLaunch<M>(a, kept, out, workspace, staging);
  const bool vectorised = plan.vectorised;
  auto launch = [&](auto kernel) {
    if (plan.shared > 48 * 1024)
      check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(plan.shared)),
            "cudaFuncSetAttribute");
    kernel<<<plan.grid, kThreads, plan.shared, stream>>>(plan.p);
  };
  auto byGroup = [&](auto one, auto eight) { plan.G == 1 ? launch(one) : launch(eight); };
  auto staged = [&](auto kernel, auto otherwise) {
    if constexpr (M == Mode::attend) {
      if (plan.stage) {
        launch(kernel);
        return;
      }
    }
    otherwise();
  };
  switch (a.dtype) {
    case Dtype::fp32:
      vectorised ? byGroup(chunkKernel<float, 4, M, 1>, chunkKernel<float, 4, M, kGroupMax>)
                 : byGroup(chunkKernel<float, 1, M, 1>, chunkKernel<float, 1, M, kGroupMax>);
      break;
    case Dtype::fp16:
      staged(chunkKernel<__half, 8, Mode::attend, 1, true>, [&] {
        vectorised ? byGroup(chunkKernel<__half, 8, M, 1>, chunkKernel<__half, 8, M, kGroupMax>)
                   : byGroup(chunkKernel<__half, 1, M, 1>, chunkKernel<__half, 1, M, kGroupMax>);
      });
      break;
    case Dtype::bf16:
      staged(chunkKernel<__nv_bfloat16, 8, Mode::attend, 1, true>, [&] {
        vectorised ? byGroup(chunkKernel<__nv_bfloat16, 8, M, 1>, chunkKernel<__nv_bfloat16, 8, M, kGroupMax>)
                   : byGroup(chunkKernel<__nv_bfloat16, 1, M, 1>, chunkKernel<__nv_bfloat16, 1, M, kGroupMax>);
      });
      break;
  }
  checkLaunch("attention chunk kernel launch");
  const int64_t rows = a.shape.batch * a.shape.queryHeads;
  if (M == Mode::dropped && plan.p.chunks > 1) {
    mergeDropped<<<unsigned((rows + 127) / 128), 128, 0, stream>>>(workspace, plan.p.chunks, rows, out);
    checkLaunch("dropped-mass merge launch");
  }
}

}  // namespace

int64_t attentionWorkspaceFloats(const AttentionShape& s, int64_t listLength) {
  const int64_t chunks = chunkCount(listLength);
  return chunks > 1 ? counterFloats(s) + s.batch * s.queryHeads * chunks * (s.valueDim + 2) : 0;
}

int64_t droppedWorkspaceFloats(const AttentionShape& s) {
  const int64_t chunks = chunkCount(s.tokens);
  return chunks > 1 ? s.batch * s.queryHeads * chunks * 3 : 0;
}

int64_t attentionCounterFloats(const AttentionShape& s) { return counterFloats(s); }

void launchChunkAttention(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream) {
  launchTyped<Mode::attend>(a, nullptr, out, workspace, stream);
}

// For the benchmark only (declared in benchmark.cu): the chunk kernel with staging forced off or
// on (dense too), timed beside the default in one run.
void launchAttentionStaging(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream, bool stage) {
  launchTyped<Mode::attend>(a, nullptr, out, workspace, stream, stage ? Staging::always : Staging::never);
}

void launchScores(const DeviceAttention& a, float* out, cudaStream_t stream) {
  DeviceAttention dense = a;
  dense.list = nullptr;
  launchTyped<Mode::scores>(dense, nullptr, out, nullptr, stream);
}

void launchDroppedMass(const DeviceAttention& a, const uint8_t* kept, float* out, float* workspace,
                       cudaStream_t stream) {
  DeviceAttention dense = a;
  dense.list = nullptr;
  launchTyped<Mode::dropped>(dense, kept, out, workspace, stream);
}

void launchMarkKept(const int32_t* indices, int64_t rows, int64_t selected, int64_t tokens, uint8_t* kept,
                    cudaStream_t stream) {
  const int64_t total = rows * selected;
  if (total == 0) return;
  markKept<<<unsigned((total + 255) / 256), 256, 0, stream>>>(indices, rows, selected, tokens, kept);
  checkLaunch("markKept launch");
}

}  // namespace cuda

}  // namespace prhs
