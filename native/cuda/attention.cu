// Decode attention on the GPU: one kernel template computes, per chunk of kSumBlock list positions and
// per group of query heads sharing a KV head, the logits (scores mode), the chunk's max, exp-sum and
// P·V numerator (attend mode), or its max, exp-sum and dropped exp-sum (dropped mode). The chunks
// are then combined (split-KV): in attend mode by the last block of each row to finish (the merge is
// fused into the chunk kernel), in dropped mode by a second kernel. Arithmetic is fp32 over
// fp32/fp16/bf16 storage.
//
// Determinism: every sum has a fixed order (lane-sequential, then a fixed xor tree; the merge runs
// over chunks in order), so the same list in the same order gives the same bits: sparse attention
// over every token equals dense attention bit for bit, and one head's list never affects another.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "../src/mutants.hpp"
#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "decodeMerge.cuh"
#include "decodeRows.cuh"
#include "sparseDecode.hpp"

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

// Staging step (Stage only): every V row of the chunk requested at once with cp.async, into
// stageV [kSumBlock][valueDim] (shared) from V [tokens][valueDim] of `cache`, for the tokens
// tokenOf [len]; committed, not waited for.
template <typename E, int VEC>
__device__ __forceinline__ void stageValues(const Params& p, int64_t cache, int len, int tid, const int* tokenOf,
                                            E* stageV) {
  const E* Vg = static_cast<const E*>(p.values) + cache * p.tokens * p.valueDim;
  const int vVectors = int(p.valueDim / VEC);
  for (int i = tid; i < len * vVectors; i += kThreads) {
    const int j = i / vVectors, v = i - j * vVectors, t = tokenOf[j];
    if (t >= 0) cpAsync16(stageV + int64_t(j) * p.valueDim + v * VEC, Vg + int64_t(t) * p.valueDim + v * VEC);
  }
  cpAsyncCommit();  // waited for before the numerator; the K rows go to registers as before
}

// Merge step (split-KV, fused): the partials [rows][chunks][stride] of the rows firstRow ..
// firstRow + heads - 1 combined into out [rows][valueDim] by the whole block (decodeMerge.cuh: 8
// chunks' loads in flight per warp, 4 columns per lane), with mergeScratch in shared memory.
__device__ __forceinline__ void mergeChunks(const Params& p, int64_t firstRow, int heads, int64_t stride,
                                            float* mergeScratch) {
  for (int g = 0; g < heads; ++g) {
    const int64_t row = firstRow + g;
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
  const int tid = threadIdx.x, lane32 = tid & 31, warp = tid >> 5;
  const int chunk = blockIdx.x;
  const int64_t start = int64_t(chunk) * kSumBlock;
  const int len = int(p.listLength - start < kSumBlock ? p.listLength - start : int64_t(kSumBlock));
  // Which heads this block serves (G is a compile-time bound on their number).
  int64_t b, firstHead;
  int heads;
  if (p.perHeadList) {
    const int64_t row = blockIdx.y;
    b = row / p.queryHeads;
    firstHead = row % p.queryHeads;
    heads = 1;
  } else {
    const int64_t y = blockIdx.y;
    const int sg = int(y % p.subgroups);
    const int64_t bk = y / p.subgroups;
    b = bk / p.kvHeads;
    const int64_t kv = bk % p.kvHeads;
    firstHead = kv * p.group + int64_t(sg) * G;
    heads = min(G, p.group - sg * G);
  }
  const int64_t cache = b * p.kvHeads + firstHead / p.group;
  const int64_t firstRow = b * p.queryHeads + firstHead;
  const int64_t d = p.headDim;
  const E* K = static_cast<const E*>(p.keys) + cache * p.tokens * d;
  const int32_t* list = p.list ? p.list + firstRow * p.listLength + start : nullptr;

  float* qs = shared;                  // [G][headDim]
  float* zs = shared + G * d;          // [G][kSumBlock]
  float* reduce = zs + G * kSumBlock;  // [teams][G][valueDim] (vectorised numerator)
  // Staged value rows (Stage only): [kSumBlock][valueDim], 16-byte aligned.
  const int64_t reduceFloats = p.valueLanes > 0 ? int64_t(kThreads / p.valueLanes) * G * p.valueDim : 0;
  E* stageV = reinterpret_cast<E*>(reduce + (reduceFloats + 3) / 4 * 4);
  __shared__ float rowMax[G], rowSum[G];
  __shared__ int tokenOf[kSumBlock];

  const E* Q = static_cast<const E*>(p.query) + firstRow * d;
  for (int64_t i = tid; i < int64_t(heads) * d; i += kThreads) qs[i] = widen(Q[i]);
  for (int j = tid; j < len; j += kThreads) tokenOf[j] = list ? list[j] : int(start + j);
  __syncthreads();
  if constexpr (Stage) stageValues<E, VEC>(p, cache, len, tid, tokenOf, stageV);

  // ---- logits: teams of R lanes share a key row; each lane owns every R-th vector of it ----
  {
    const int R = p.lanesPerRow;
    const int team = tid / R, lane = tid % R, teams = kThreads / R;
    const int64_t vectors = d / VEC;
    for (int jb = 0; jb < len; jb += teams * kUnroll) {
      int token[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const int jl = jb + team + u * teams;
        token[u] = jl < len ? tokenOf[jl] : -1;
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
          if (g < heads) {
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
        if (g < heads) {
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
          if (jl >= len) continue;
#pragma unroll
          for (int g = 0; g < G; ++g) {
            if (g < heads) {
              const float z = token[u] >= 0 ? p.scale * part[g][u] : -INFINITY;
              if constexpr (M == Mode::scores) {
                p.out[(firstRow + g) * p.tokens + start + jl] = z;
              } else {
                zs[g * kSumBlock + jl] = z;
              }
            }
          }
        }
      }
    }
  }
  if constexpr (M == Mode::scores) return;
#if PRHS_MUTANT != 5  // the race mutant reads the chunk's logits before every warp has written them
  __syncthreads();
#endif

  // ---- softmax of the chunk: one warp per head; max, then exp in place and the sums ----
  for (int g = warp; g < heads; g += kWarps) {
    float* z = zs + g * kSumBlock;
    float m = -INFINITY;
    for (int j = lane32; j < len; j += 32) m = fmaxf(m, z[j]);  // NaN never becomes the max
    for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    float sum = 0.f, dropped = 0.f;
    const uint8_t* kept = nullptr;
    if constexpr (M == Mode::dropped) kept = p.kept + (firstRow + g) * p.tokens + start;
    for (int j = lane32; j < len - (PRHS_MUTANT == 3 ? 1 : 0); j += 32) {
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
        const int64_t row = firstRow + g;
        if (p.chunks == 1) {
          p.out[row] = dropped / sum;
        } else {
          float* w = p.partial + (row * p.chunks + chunk) * 3;
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
  if constexpr (M == Mode::dropped) return;
  if constexpr (Stage) cpAsyncWait<0>();  // the V rows; published by the barrier below
  __syncthreads();

  // ---- numerator Σ p_j v_j ----
  const E* V = static_cast<const E*>(p.values) + cache * p.tokens * p.valueDim;
  const int64_t stride = p.valueDim + 2;
  auto emit = [&](int g, int64_t c, float acc) {
    const int64_t row = firstRow + g;
    if (p.chunks == 1) {
      p.out[row * p.valueDim + c] = acc / rowSum[g];
    } else {
      p.partial[(row * p.chunks + chunk) * stride + 2 + c] = acc;
    }
  };
  if (p.valueLanes > 0) {
    // Vectorised: teams of valueLanes lanes share a value row (one 16-byte vector per lane);
    // team t sums positions t, t + teams, ... in order, then the team sums are added in team order.
    const int R = p.valueLanes;
    const int team = tid / R, lane = tid % R, teams = kThreads / R;
    const bool active = int64_t(lane) * VEC < p.valueDim;
    float acc[G][VEC];
#pragma unroll
    for (int g = 0; g < G; ++g)
#pragma unroll
      for (int e = 0; e < VEC; ++e) acc[g][e] = 0.f;
    for (int jb = team; jb < len; jb += teams * kUnroll) {
      float v[kUnroll][VEC];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const int j = jb + u * teams;
        const int t = j < len ? tokenOf[j] : -1;
        if (active && t >= 0) {
          if constexpr (Stage) {
            loadRow<E, VEC>(stageV + int64_t(j) * p.valueDim + int64_t(lane) * VEC, v[u]);
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
        if (j >= len || tokenOf[j] < 0) continue;
#pragma unroll
        for (int g = 0; g < G; ++g) {
          if (g < heads) {
            const float w = zs[g * kSumBlock + j];
            if (w != 0.f) {  // zero weight: skipped, as the reference does
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
        if (g < heads) {
#pragma unroll
          for (int e = 0; e < VEC; ++e)
            reduce[(int64_t(team) * G + g) * p.valueDim + int64_t(lane) * VEC + e] = acc[g][e];
        }
      }
    }
    __syncthreads();
    for (int64_t i = tid; i < int64_t(heads) * p.valueDim; i += kThreads) {
      const int g = int(i / p.valueDim);
      const int64_t c = i % p.valueDim;
      float total = 0.f;
      for (int t = 0; t < teams; ++t) total += reduce[(int64_t(t) * G + g) * p.valueDim + c];
      emit(g, c, total);
    }
  } else {
    // Scalar: one thread per value channel, positions in order.
    for (int64_t c = tid; c < p.valueDim; c += kThreads) {
      float acc[G];
#pragma unroll
      for (int g = 0; g < G; ++g) acc[g] = 0.f;
#pragma unroll 4
      for (int j = 0; j < len; ++j) {
        const int t = tokenOf[j];
        if (t < 0) continue;
        const float v = widen(V[int64_t(t) * p.valueDim + c]);
#pragma unroll
        for (int g = 0; g < G; ++g) {
          if (g < heads) {
            const float w = zs[g * kSumBlock + j];
            if (w != 0.f) acc[g] = fmaf(w, v, acc[g]);  // zero weight: skipped, as the reference does
          }
        }
      }
#pragma unroll
      for (int g = 0; g < G; ++g) {
        if (g < heads) emit(g, c, acc[g]);
      }
    }
  }
  if (p.chunks > 1 && tid < heads) {
    float* w = p.partial + ((firstRow + tid) * p.chunks + chunk) * stride;
    w[0] = rowMax[tid];
    w[1] = rowSum[tid];
  }
  if (p.chunks == 1) return;
  // Fused split-KV merge: the last block of this blockIdx.y to finish merges its rows
  // (decodeMerge.cuh: 8 chunks' loads in flight per warp, 4 columns per lane).
  __shared__ float mergeScratch[mergeScratchFloats(4)];
  if (!lastBlockOfRow(p.counters, p.chunks)) return;
  mergeChunks(p, firstRow, heads, stride, mergeScratch);
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

template <Mode M>
void launchTyped(const DeviceAttention& a, const uint8_t* kept, float* out, float* workspace, cudaStream_t stream,
                 Staging staging = Staging::never) {
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
  const dim3 grid(unsigned(p.chunks), unsigned(blocksY));
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
  auto launch = [&](auto kernel) {
    if (shared > 48 * 1024)
      check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
            "cudaFuncSetAttribute");
    kernel<<<grid, kThreads, shared, stream>>>(p);
  };
  auto byGroup = [&](auto one, auto eight) { G == 1 ? launch(one) : launch(eight); };
  auto staged = [&](auto kernel, auto otherwise) {
    if constexpr (M == Mode::attend) {
      if (stage) {
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
  const int64_t rows = s.batch * s.queryHeads;
  if (M == Mode::dropped && p.chunks > 1) {
    mergeDropped<<<unsigned((rows + 127) / 128), 128, 0, stream>>>(workspace, p.chunks, rows, out);
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

namespace {

// mmaForGroups: the tensor-core kernel for dense GQA steps (group ≥ 2) where it applies, the group
// kernel for the rest (multi-head attention, sparse lists, other head dims).
enum class DecodeKernel { chunk, group, mma, mmaPipelined, mmaForGroups };

// The dense decode kernel when PRHS_CUDA_DECODE is unset: the tensor-core kernel for GQA, chosen on
// run 6 (faster than the group kernel in every GQA cell, 1.09-5.3x) and run 7 (bf16 within twice
// the naive error once P is split into hi + lo; bench/cuda/NOTES.md). Going back is this one line
// (DecodeKernel::group); test/backends/cudaBackend.test.ts states the default's summation.
constexpr DecodeKernel kDefaultDenseDecode = DecodeKernel::mmaForGroups;

DecodeKernel chosenDecodeKernel() {
  static const DecodeKernel chosen = [] {
    const char* forced = std::getenv("PRHS_CUDA_DECODE");
    if (forced == nullptr || *forced == '\0') return kDefaultDenseDecode;
    if (std::strcmp(forced, "chunk") == 0) return DecodeKernel::chunk;
    if (std::strcmp(forced, "mma") == 0) return DecodeKernel::mma;
    if (std::strcmp(forced, "mma-pipelined") == 0) return DecodeKernel::mmaPipelined;
    if (std::strcmp(forced, "group") == 0) return DecodeKernel::group;
    throwCudaError(cudaErrorInvalidValue, "PRHS_CUDA_DECODE (must be chunk, group, mma or mma-pipelined)");
  }();
  return chosen;
}

}  // namespace

const char* denseDecodeSummation() {
  const DecodeKernel kernel = chosenDecodeKernel();
  // mmaForGroups runs both kernels; the tensor-core model also bounds the ordered kernels' shapes.
  return kernel == DecodeKernel::chunk || kernel == DecodeKernel::group ? "ordered" : "tensor-core";
}

void launchAttention(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream) {
  const DecodeKernel kernel = chosenDecodeKernel();
  const bool mma = kernel == DecodeKernel::mma || kernel == DecodeKernel::mmaPipelined ||
                   (kernel == DecodeKernel::mmaForGroups && a.shape.queryHeads > a.shape.kvHeads);
  if (mma && launchMmaDecode(a, out, workspace, stream, kernel == DecodeKernel::mmaPipelined)) return;
  // Per-head lists: the sliced sparse kernel (sparseDecode.cu, the same bits) where it applies.
  const SparseDecodeOptions* sliced = kernel == DecodeKernel::chunk ? nullptr : chosenSparseDecode();
  if (sliced != nullptr && launchSparseDecode(a, out, workspace, stream, *sliced)) return;
  if (kernel != DecodeKernel::chunk && launchGroupDecode(a, out, workspace, stream, GroupDecodeOptions{})) return;
  launchChunkAttention(a, out, workspace, stream);
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

// ---- the entry points of kernels.hpp: host arrays in, host arrays out ----
namespace {

size_t storageBytes(Dtype dtype) { return dtype == Dtype::fp32 ? 4 : 2; }

struct Uploaded {
  cuda::DeviceBuffer<unsigned char> query, keys, values;
  cuda::DeviceAttention view{};
};

void upload(Uploaded& u, Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& s,
            float scale) {
  const size_t e = storageBytes(dtype);
  const size_t qBytes = size_t(s.batch * s.queryHeads * s.headDim) * e;
  const size_t kBytes = size_t(s.batch * s.kvHeads * s.tokens * s.headDim) * e;
  u.query.allocate(qBytes, "cudaMalloc(query)");
  u.query.upload(query, qBytes, "cudaMemcpy(query)");
  u.keys.allocate(kBytes, "cudaMalloc(keys)");
  u.keys.upload(keys, kBytes, "cudaMemcpy(keys)");
  if (values) {
    const size_t vBytes = size_t(s.batch * s.kvHeads * s.tokens * s.valueDim) * e;
    u.values.allocate(vBytes, "cudaMalloc(values)");
    u.values.upload(values, vBytes, "cudaMemcpy(values)");
  }
  u.view = cuda::DeviceAttention{dtype, u.query.get(), u.keys.get(), values ? u.values.get() : nullptr,
                                 s,     scale,         nullptr,      s.tokens};
}

}  // namespace

const char* activeIsa() { return "cuda"; }

void scores(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale, float* out,
            float*) {
  Uploaded u;
  upload(u, dtype, query, keys, nullptr, shape, scale);
  const size_t count = size_t(shape.batch * shape.queryHeads * shape.tokens);
  cuda::DeviceBuffer<float> result(count, "cudaMalloc(scores)");
  cuda::launchScores(u.view, result.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "scores kernel");
  result.download(out, count, "cudaMemcpy(scores out)");
}

void decodeAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, float* out, float*) {
  Uploaded u;
  upload(u, dtype, query, keys, values, shape, scale);
  const size_t count = size_t(shape.batch * shape.queryHeads * shape.valueDim);
  cuda::DeviceBuffer<float> result(count, "cudaMalloc(out)");
  cuda::DeviceBuffer<float> workspace(size_t(cuda::attentionWorkspaceFloats(shape, shape.tokens)),
                                      "cudaMalloc(workspace)");
  cuda::check(cudaMemset(workspace.get(), 0, workspace.count() * sizeof(float)), "cudaMemset(workspace)");
  cuda::launchAttention(u.view, result.get(), workspace.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "decodeAttention kernel");
  result.download(out, count, "cudaMemcpy(out)");
}

void sparseAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, const int32_t* indices, int64_t selected, float* out, float*) {
  Uploaded u;
  upload(u, dtype, query, keys, values, shape, scale);
  const size_t listCount = size_t(shape.batch * shape.queryHeads * selected);
  cuda::DeviceBuffer<int32_t> list(listCount, "cudaMalloc(indices)");
  list.upload(indices, listCount, "cudaMemcpy(indices)");
  u.view.list = list.get();
  u.view.listLength = selected;
  const size_t count = size_t(shape.batch * shape.queryHeads * shape.valueDim);
  cuda::DeviceBuffer<float> result(count, "cudaMalloc(out)");
  cuda::DeviceBuffer<float> workspace(size_t(cuda::attentionWorkspaceFloats(shape, selected)), "cudaMalloc(workspace)");
  cuda::check(cudaMemset(workspace.get(), 0, workspace.count() * sizeof(float)), "cudaMemset(workspace)");
  cuda::launchAttention(u.view, result.get(), workspace.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "sparseAttention kernel");
  result.download(out, count, "cudaMemcpy(out)");
}

void droppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale,
                 const int32_t* indices, int64_t selected, float* out, float*, uint8_t*) {
  Uploaded u;
  upload(u, dtype, query, keys, nullptr, shape, scale);
  const int64_t rows = shape.batch * shape.queryHeads;
  const size_t listCount = size_t(rows * selected);
  cuda::DeviceBuffer<int32_t> list(listCount, "cudaMalloc(indices)");
  list.upload(indices, listCount, "cudaMemcpy(indices)");
  cuda::DeviceBuffer<uint8_t> kept(size_t(rows * shape.tokens), "cudaMalloc(kept mask)");
  cuda::check(cudaMemset(kept.get(), 0, kept.count()), "cudaMemset(kept mask)");
  cuda::launchMarkKept(list.get(), rows, selected, shape.tokens, kept.get(), nullptr);
  cuda::DeviceBuffer<float> result(size_t(rows), "cudaMalloc(out)");
  cuda::DeviceBuffer<float> workspace(size_t(cuda::droppedWorkspaceFloats(shape)), "cudaMalloc(workspace)");
  cuda::launchDroppedMass(u.view, kept.get(), result.get(), workspace.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "droppedMass kernel");
  result.download(out, size_t(rows), "cudaMemcpy(out)");
}

}  // namespace prhs
