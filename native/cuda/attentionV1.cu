// The previous version of the decode-attention kernels (commit c16f5fe: chunks of 64, a separate
// merge kernel, no occupancy bound), kept only as the in-run baseline of bench/cuda (benchmark.cu
// times it beside the current kernels on the same card). Not used by any correctness entry point.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"

namespace prhs {
namespace cuda {
namespace v1 {
constexpr int kChunk = 64;
inline int64_t chunkCount(int64_t n) { return (n + kChunk - 1) / kChunk; }
namespace {

constexpr int kThreads = 128;  // 4 warps
constexpr int kWarps = kThreads / 32;
constexpr int kGroupMax = 8;  // query heads per block (a larger GQA group is split over blocks)
constexpr int kLanesMax = 32;
constexpr int kUnroll = 4;  // positions per team in flight

enum class Mode { attend, dropped, scores };

__device__ __forceinline__ float widen(float x) { return x; }
__device__ __forceinline__ float widen(__half x) { return __half2float(x); }
__device__ __forceinline__ float widen(__nv_bfloat16 x) { return __bfloat162float(x); }

// Loads VEC consecutive elements as floats; VEC > 1 is one 16-byte load (the caller guarantees
// alignment: rows of headDim·sizeof(E) bytes with headDim % VEC == 0).
template <typename E, int VEC>
__device__ __forceinline__ void loadRow(const E* p, float (&out)[VEC]) {
  if constexpr (VEC == 1) {
    out[0] = widen(p[0]);
  } else {
    static_assert(VEC * sizeof(E) == 16, "vector loads are 16 bytes");
    const uint4 raw = *reinterpret_cast<const uint4*>(p);
    const E* e = reinterpret_cast<const E*>(&raw);
#pragma unroll
    for (int i = 0; i < VEC; ++i) out[i] = widen(e[i]);
  }
}

struct Params {
  const void* query;
  const void* keys;
  const void* values;
  const int32_t* list;  // [rows, n] or nullptr
  const uint8_t* kept;  // dropped mode: [rows, tokens]
  int64_t queryHeads, kvHeads, tokens, d, dv, n;
  int group;        // queryHeads / kvHeads
  int subgroups;    // ceil(group / kGroupMax) (dense); 1 (per-head lists)
  int perHeadList;  // 1: one query head per block, reading its own list
  int lanesPerRow;  // R: lanes that share one key row (a power of two ≤ 32)
  int valueLanes;   // lanes that share one value row (vectorised numerator), 0: scalar numerator
  int chunks;
  float scale;
  float* partial;  // [rows, chunks, stride] when chunks > 1
  float* out;
};

template <typename E, int VEC, Mode M, int G>
__global__ void __launch_bounds__(kThreads) chunkKernel(Params p) {
  extern __shared__ float shared[];
  const int tid = threadIdx.x, lane32 = tid & 31, warp = tid >> 5;
  const int chunk = blockIdx.x;
  const int64_t start = int64_t(chunk) * kChunk;
  const int len = int(p.n - start < kChunk ? p.n - start : int64_t(kChunk));
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
  const int64_t d = p.d;
  const E* K = static_cast<const E*>(p.keys) + cache * p.tokens * d;
  const int32_t* list = p.list ? p.list + firstRow * p.n + start : nullptr;

  float* qs = shared;               // [G][d]
  float* zs = shared + G * d;       // [G][kChunk]
  float* reduce = zs + G * kChunk;  // [teams][G][dv] (vectorised numerator)
  __shared__ float rowMax[G], rowSum[G];
  __shared__ int tokenOf[kChunk];

  const E* Q = static_cast<const E*>(p.query) + firstRow * d;
  for (int64_t i = tid; i < int64_t(heads) * d; i += kThreads) qs[i] = widen(Q[i]);
  for (int j = tid; j < len; j += kThreads) tokenOf[j] = list ? list[j] : int(start + j);
  __syncthreads();

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
                zs[g * kChunk + jl] = z;
              }
            }
          }
        }
      }
    }
  }
  if constexpr (M == Mode::scores) return;
  __syncthreads();

  // ---- softmax of the chunk: one warp per head; max, then exp in place and the sums ----
  for (int g = warp; g < heads; g += kWarps) {
    float* z = zs + g * kChunk;
    float m = -INFINITY;
    for (int j = lane32; j < len; j += 32) m = fmaxf(m, z[j]);  // NaN never becomes the max
    for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    float sum = 0.f, dropped = 0.f;
    const uint8_t* kept = nullptr;
    if constexpr (M == Mode::dropped) kept = p.kept + (firstRow + g) * p.tokens + start;
    for (int j = lane32; j < len; j += 32) {
      const float e = expf(z[j] - m);
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
  __syncthreads();

  // ---- numerator Σ p_j v_j ----
  const E* V = static_cast<const E*>(p.values) + cache * p.tokens * p.dv;
  const int64_t stride = p.dv + 2;
  auto emit = [&](int g, int64_t c, float acc) {
    const int64_t row = firstRow + g;
    if (p.chunks == 1) {
      p.out[row * p.dv + c] = acc / rowSum[g];
    } else {
      p.partial[(row * p.chunks + chunk) * stride + 2 + c] = acc;
    }
  };
  if (p.valueLanes > 0) {
    // Vectorised: teams of valueLanes lanes share a value row (one 16-byte vector per lane);
    // team t sums positions t, t + teams, ... in order, then the team sums are added in team order.
    const int R = p.valueLanes;
    const int team = tid / R, lane = tid % R, teams = kThreads / R;
    const bool active = int64_t(lane) * VEC < p.dv;
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
          loadRow<E, VEC>(V + int64_t(t) * p.dv + int64_t(lane) * VEC, v[u]);
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
            const float w = zs[g * kChunk + j];
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
          for (int e = 0; e < VEC; ++e) reduce[(int64_t(team) * G + g) * p.dv + int64_t(lane) * VEC + e] = acc[g][e];
        }
      }
    }
    __syncthreads();
    for (int64_t i = tid; i < int64_t(heads) * p.dv; i += kThreads) {
      const int g = int(i / p.dv);
      const int64_t c = i % p.dv;
      float total = 0.f;
      for (int t = 0; t < teams; ++t) total += reduce[(int64_t(t) * G + g) * p.dv + c];
      emit(g, c, total);
    }
  } else {
    // Scalar: one thread per value channel, positions in order.
    for (int64_t c = tid; c < p.dv; c += kThreads) {
      float acc[G];
#pragma unroll
      for (int g = 0; g < G; ++g) acc[g] = 0.f;
#pragma unroll 4
      for (int j = 0; j < len; ++j) {
        const int t = tokenOf[j];
        if (t < 0) continue;
        const float v = widen(V[int64_t(t) * p.dv + c]);
#pragma unroll
        for (int g = 0; g < G; ++g) {
          if (g < heads) {
            const float w = zs[g * kChunk + j];
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
}

// The merge factor of chunk s: 1 for a chunk holding the max (also when the max is ±Inf or when
// there is one chunk), e^{m_s − M} otherwise.
__device__ __forceinline__ float mergeFactor(float m, float M) { return m == M ? 1.f : expf(m - M); }

__device__ __forceinline__ float rowMaximum(const float* w, int chunks, int64_t stride) {
  float M = -INFINITY;
  for (int s = 0; s < chunks; ++s) M = fmaxf(M, w[s * stride]);
  return M;
}

// One block per row: o_c = Σ_s f_s n_sc / Σ_s f_s S_s, chunks in order. The factors f_s of a tile
// of chunks are computed in parallel into shared memory; then each thread runs the sequential sum of
// one column (column 1 is S_s, column 2 + c is n_sc) over the tile, so the loads of many chunks are
// in flight while the fused multiply-adds stay in chunk order.
constexpr int kMergeTile = 1024;

__global__ void mergeAttention(const float* partial, int chunks, int64_t dv, float* out) {
  __shared__ float factor[kMergeTile];
  __shared__ float maxOf[32];
  __shared__ float denominator;
  const int64_t row = blockIdx.x;
  const int64_t stride = dv + 2;
  const float* w = partial + row * chunks * stride;
  float M = -INFINITY;
  for (int s = threadIdx.x; s < chunks; s += blockDim.x) M = fmaxf(M, w[s * stride]);
  for (int o = 16; o > 0; o >>= 1) M = fmaxf(M, __shfl_xor_sync(0xffffffffu, M, o));
  if ((threadIdx.x & 31) == 0) maxOf[threadIdx.x >> 5] = M;
  __syncthreads();
  M = -INFINITY;
  for (int i = 0; i < int(blockDim.x >> 5); ++i) M = fmaxf(M, maxOf[i]);
  const int64_t columns = dv + 1;  // S, then the dv numerator channels
  // Each thread owns up to 4 columns (blockDim × 4 ≥ columns is checked at launch).
  float acc[4] = {0.f, 0.f, 0.f, 0.f};
  for (int tile = 0; tile < chunks; tile += kMergeTile) {
    const int count = min(kMergeTile, chunks - tile);
    __syncthreads();
    for (int s = threadIdx.x; s < count; s += blockDim.x) factor[s] = mergeFactor(w[int64_t(tile + s) * stride], M);
    __syncthreads();
#pragma unroll
    for (int r = 0; r < 4; ++r) {
      const int64_t column = threadIdx.x + int64_t(r) * blockDim.x;
      if (column >= columns) continue;
      const float* x = w + int64_t(tile) * stride + 1 + column;
      float a = acc[r];
#pragma unroll 8
      for (int s = 0; s < count; ++s) {
        const float f = factor[s];
        const float value = x[int64_t(s) * stride];
        if (f != 0.f) a = fmaf(value, f, a);
      }
      acc[r] = a;
    }
  }
  if (threadIdx.x == 0) denominator = acc[0];
  __syncthreads();
#pragma unroll
  for (int r = 0; r < 4; ++r) {
    const int64_t column = threadIdx.x + int64_t(r) * blockDim.x;
    if (column >= 1 && column < columns) out[row * dv + column - 1] = acc[r] / denominator;
  }
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

int lanesPerRow(int64_t vectors) {
  int r = 1;
  while (r < 32 && r < vectors) r <<= 1;
  return r;
}

template <Mode M>
void launchTyped(const DeviceAttention& a, const uint8_t* kept, float* out, float* workspace, cudaStream_t stream) {
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
  p.d = s.headDim;
  p.dv = s.valueDim;
  p.n = a.list ? a.listLength : s.tokens;
  p.group = int(s.queryHeads / s.kvHeads);
  p.perHeadList = a.list ? 1 : 0;
  p.chunks = int(chunkCount(p.n));
  p.scale = a.scale;
  p.partial = workspace;
  p.out = out;
  const size_t elementBytes = a.dtype == Dtype::fp32 ? 4 : 2;
  const int vec = int(16 / elementBytes);
  const bool vectorised = s.headDim % vec == 0;
  p.lanesPerRow = lanesPerRow(vectorised ? s.headDim / vec : s.headDim);
  const bool vectorisedValues = vectorised && s.valueDim % vec == 0 && s.valueDim / vec <= kLanesMax;
  p.valueLanes = vectorisedValues ? lanesPerRow(s.valueDim / vec) : 0;
  // One head per block when each head has its own list or the group is 1; else up to 8.
  const int heads = a.list ? 1 : (p.group < kGroupMax ? p.group : kGroupMax);
  const int G = heads == 1 ? 1 : kGroupMax;
  p.subgroups = a.list ? 1 : (p.group + G - 1) / G;
  const int64_t blocksY = a.list ? s.batch * s.queryHeads : s.batch * s.kvHeads * p.subgroups;
  if (blocksY > 65535) check(cudaErrorInvalidConfiguration, "attention grid (batch × heads > 65535)");
  const dim3 grid(unsigned(p.chunks), unsigned(blocksY));
  const int64_t valueTeams = p.valueLanes > 0 ? kThreads / p.valueLanes : 0;
  const size_t shared = sizeof(float) * size_t(G) * size_t(s.headDim + kChunk + valueTeams * s.valueDim);
  auto launch = [&](auto kernel) {
    if (shared > 48 * 1024)
      check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
            "cudaFuncSetAttribute");
    kernel<<<grid, kThreads, shared, stream>>>(p);
  };
  auto byGroup = [&](auto one, auto eight) { G == 1 ? launch(one) : launch(eight); };
  switch (a.dtype) {
    case Dtype::fp32:
      vectorised ? byGroup(chunkKernel<float, 4, M, 1>, chunkKernel<float, 4, M, kGroupMax>)
                 : byGroup(chunkKernel<float, 1, M, 1>, chunkKernel<float, 1, M, kGroupMax>);
      break;
    case Dtype::fp16:
      vectorised ? byGroup(chunkKernel<__half, 8, M, 1>, chunkKernel<__half, 8, M, kGroupMax>)
                 : byGroup(chunkKernel<__half, 1, M, 1>, chunkKernel<__half, 1, M, kGroupMax>);
      break;
    case Dtype::bf16:
      vectorised ? byGroup(chunkKernel<__nv_bfloat16, 8, M, 1>, chunkKernel<__nv_bfloat16, 8, M, kGroupMax>)
                 : byGroup(chunkKernel<__nv_bfloat16, 1, M, 1>, chunkKernel<__nv_bfloat16, 1, M, kGroupMax>);
      break;
  }
  checkLaunch("attention chunk kernel launch");
  const int64_t rows = s.batch * s.queryHeads;
  if (M == Mode::attend && p.chunks > 1) {
    const int64_t threads = std::min<int64_t>(1024, std::max<int64_t>(128, (s.valueDim + 1 + 127) / 128 * 128));
    if (threads * 4 < s.valueDim + 1) check(cudaErrorInvalidConfiguration, "attention merge (valueDim above 4095)");
    mergeAttention<<<unsigned(rows), unsigned(threads), 0, stream>>>(workspace, p.chunks, s.valueDim, out);
    checkLaunch("attention merge launch");
  } else if (M == Mode::dropped && p.chunks > 1) {
    mergeDropped<<<unsigned((rows + 127) / 128), 128, 0, stream>>>(workspace, p.chunks, rows, out);
    checkLaunch("dropped-mass merge launch");
  }
}

}  // namespace

int64_t attentionWorkspaceFloats(const AttentionShape& s, int64_t listLength) {
  const int64_t chunks = chunkCount(listLength);
  return chunks > 1 ? s.batch * s.queryHeads * chunks * (s.valueDim + 2) : 0;
}

void launchAttention(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream) {
  launchTyped<Mode::attend>(a, nullptr, out, workspace, stream);
}

}  // namespace v1
}  // namespace cuda
}  // namespace prhs
