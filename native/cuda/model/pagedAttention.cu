// Attention over the paged KV cache, for decode (count = 1) and prefill (count > 1, causal).
//
// Block (chunk, kvHead, query row): the 128 threads stage a tile of K and V rows of this KV head
// into shared memory (16-byte loads through the page table), then the group's query heads read
// them from there, so each row leaves DRAM once per group. Warps split the work as teams: with G
// query heads per KV head, min(G, 4) teams each take heads g ≡ team (mod teams), and the 4 / teams
// warps of a team split the tile's 32-token groups. Each warp keeps an online softmax per head (max
// m, sum l, numerator acc in fp32) and writes it as one partial; the merge kernel combines the
// partials of all chunks in slot order.
#include <algorithm>
#include <cmath>

#include "../cudaCheck.hpp"
#include "deviceMath.cuh"
#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / 32;

__host__ __device__ constexpr int tileTokens(int d) { return d <= 128 ? 64 : 32; }
__host__ __device__ constexpr int maxGroup(int d) { return d <= 128 ? kMaxGroup : kMaxGroup / 2; }
__host__ __device__ constexpr int teamsOf(int64_t group) { return group < kWarps ? int(group) : kWarps; }

template <typename T, int D>
struct Tile {
  T keys[tileTokens(D)][D + 8];  // padded: 16-byte reads of different rows hit different banks
  T values[tileTokens(D)][D];
  float query[maxGroup(D)][D];
};

// Loads slots [t0, t0 + tile) ∩ [.., end) of KV head kv of sequence b into the tile (zeros past end).
// A slot is a position, or with a kept list (sparse decode) the position the list holds there.
template <typename T, int D>
__device__ void stageTile(const PagedAttentionParams& p, int64_t b, int64_t kv, int64_t t0, int64_t end,
                          Tile<T, D>& s) {
  const int32_t* list = p.kept ? p.kept + (b * p.kvHeads + kv) * p.keptStride : nullptr;
  constexpr int vectors = D / 8;
  const T* K = static_cast<const T*>(p.keyPool);
  const T* V = static_cast<const T*>(p.valuePool);
  for (int v = threadIdx.x; v < tileTokens(D) * vectors; v += kThreads) {
    const int tok = v / vectors, col = (v % vectors) * 8;
    const int64_t slot = t0 + tok;
    uint4 k = make_uint4(0, 0, 0, 0), val = k;
    if (slot < end) {
      const int64_t pos = list ? int64_t(list[slot]) : slot;
      const int64_t page = p.pageTable[b * p.pagesPerSequence + pos / kPageSize];
      const int64_t at = ((page * p.kvHeads + kv) * kPageSize + pos % kPageSize) * D + col;
      k = *reinterpret_cast<const uint4*>(K + at);
      val = *reinterpret_cast<const uint4*>(V + at);
    }
    *reinterpret_cast<uint4*>(&s.keys[tok][col]) = k;
    *reinterpret_cast<uint4*>(&s.values[tok][col]) = val;
  }
}

// Dimensions per lane, and whether lane owns dimension lane + 32 e (headDim 16 leaves half the lanes idle).
__host__ __device__ constexpr int lanesDims(int d) { return (d + 31) / 32; }
template <int D>
__device__ __forceinline__ bool owns(int lane, int e) {
  return D % 32 == 0 || lane + 32 * e < D;
}

// Online-softmax state of one warp for one query head: lane owns dimensions lane + 32 e.
template <int D>
struct HeadState {
  float m = -INFINITY, l = 0.f, acc[lanesDims(D)] = {};
};

// One 32-token group of the tile for head g: lane j scores token j, then every lane adds the
// group's weighted value rows into its dimensions.
template <typename T, int D>
__device__ void attendGroup(const Tile<T, D>& s, int g, int first, int valid, float scale, HeadState<D>& h) {
  const int lane = threadIdx.x % 32;
  float dot = 0.f;
  for (int d = 0; d < D; d += 8) {
    float k[8];
    load8(&s.keys[first + lane][d], k);
#pragma unroll
    for (int e = 0; e < 8; ++e) dot = fmaf(s.query[g][d + e], k[e], dot);
  }
  const float z = lane < valid ? dot * scale : -INFINITY;
  const float mNew = fmaxf(h.m, warpMax(z));
  const float w = lane < valid ? expf(z - mNew) : 0.f;
  const float alpha = expf(h.m - mNew);  // 0 while h.m is −∞
  h.l = fmaf(h.l, alpha, warpSum(w));
  h.m = mNew;
#pragma unroll
  for (int e = 0; e < lanesDims(D); ++e) h.acc[e] *= alpha;
  for (int j = 0; j < valid; ++j) {
    const float wj = __shfl_sync(0xffffffffu, w, j);
#pragma unroll
    for (int e = 0; e < lanesDims(D); ++e) {
      if (owns<D>(lane, e)) h.acc[e] = fmaf(wj, widen(s.values[first + j][lane + 32 * e]), h.acc[e]);
    }
  }
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads) chunkKernel(PagedAttentionParams p) {
  constexpr int kHeadsPerWarp = (maxGroup(D) + kWarps - 1) / kWarps;
  __shared__ __align__(16) Tile<T, D> s;
  const int64_t chunk = blockIdx.x, kv = blockIdx.y, row = blockIdx.z;
  const int64_t b = row / p.count, group = p.queryHeads / p.kvHeads;
  // With a kept list the slots are the list's entries (keptCount of them), in its order; with every
  // position kept in position order the blocks therefore sum exactly as the dense launch does.
  const int64_t visible = p.kept ? int64_t(p.keptCount[b * p.kvHeads + kv]) : int64_t(p.lengths[b]) + row % p.count + 1;
  const int64_t chunkEnd = (chunk + 1) * p.chunkTokens;
  const int64_t end = visible < chunkEnd ? visible : chunkEnd;
  const int teams = teamsOf(group), warpsPerHead = kWarps / teams;
  const int warp = threadIdx.x / 32, team = warp / warpsPerHead, sub = warp % warpsPerHead;
  const T* q = static_cast<const T*>(p.query) + (row * p.queryHeads + kv * group) * D;
  for (int64_t e = threadIdx.x; e < group * D; e += kThreads) s.query[e / D][e % D] = widen(q[e]);
  HeadState<D> state[kHeadsPerWarp];
  for (int64_t t0 = chunk * p.chunkTokens; t0 < end; t0 += tileTokens(D)) {
    __syncthreads();  // the previous tile is consumed (and the query staged)
    stageTile<T, D>(p, b, kv, t0, end, s);
    __syncthreads();
    if (team >= teams) continue;
    for (int first = sub * 32; first < tileTokens(D) && t0 + first < end; first += warpsPerHead * 32) {
      const int valid = end - t0 - first < 32 ? int(end - t0 - first) : 32;
#pragma unroll
      for (int h = 0; h < kHeadsPerWarp; ++h) {
        const int g = team + h * teams;
        if (g < group) attendGroup<T, D>(s, g, first, valid, p.scale, state[h]);
      }
    }
  }
  if (team >= teams) return;
  const int64_t slots = p.chunks * warpsPerHead, slot = chunk * warpsPerHead + sub;
  const int lane = threadIdx.x % 32;
#pragma unroll
  for (int h = 0; h < kHeadsPerWarp; ++h) {
    const int g = team + h * teams;
    if (g >= group) break;
    float* out = p.partial + ((row * p.queryHeads + kv * group + g) * slots + slot) * (D + 2);
    if (lane == 0) {
      out[0] = state[h].m;
      out[1] = state[h].l;
    }
#pragma unroll
    for (int e = 0; e < lanesDims(D); ++e) {
      if (owns<D>(lane, e)) out[2 + lane + 32 * e] = state[h].acc[e];
    }
  }
}

// One warp per (query row, head): the partials in slot order, scaled to the common max.
template <typename T, int D>
__global__ void mergeKernel(PagedAttentionParams p, int64_t slots) {
  const int64_t head = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  if (head >= p.batch * p.count * p.queryHeads) return;
  const int lane = threadIdx.x % 32;
  const float* part = p.partial + head * slots * (D + 2);
  float m = -INFINITY;
  for (int64_t s = 0; s < slots; ++s) m = fmaxf(m, part[s * (D + 2)]);
  float l = 0.f, acc[lanesDims(D)] = {};
  for (int64_t s = 0; s < slots; ++s) {
    const float* x = part + s * (D + 2);
    if (x[1] == 0.f) continue;  // an empty partial (m = −∞)
    const float f = expf(x[0] - m);
    l = fmaf(x[1], f, l);
#pragma unroll
    for (int e = 0; e < lanesDims(D); ++e) {
      if (owns<D>(lane, e)) acc[e] = fmaf(x[2 + lane + 32 * e], f, acc[e]);
    }
  }
  T* out = static_cast<T*>(p.out) + head * D;
#pragma unroll
  for (int e = 0; e < lanesDims(D); ++e) {
    if (owns<D>(lane, e)) out[lane + 32 * e] = narrow<T>(acc[e] / l);
  }
}

template <typename T, int D>
void launchTyped(const PagedAttentionParams& p, cudaStream_t stream) {
  const dim3 grid(unsigned(p.chunks), unsigned(p.kvHeads), unsigned(p.batch * p.count));
  chunkKernel<T, D><<<grid, kThreads, 0, stream>>>(p);
  checkLaunch("model paged attention kernel");
  const int64_t slots = p.chunks * (kWarps / teamsOf(p.queryHeads / p.kvHeads));
  const int64_t warps = p.batch * p.count * p.queryHeads;
  mergeKernel<T, D><<<unsigned((warps + 3) / 4), 128, 0, stream>>>(p, slots);
  checkLaunch("model attention merge kernel");
}

template <typename T>
void launchDim(const PagedAttentionParams& p, cudaStream_t stream) {
  switch (p.headDim) {
    case 16: return launchTyped<T, 16>(p, stream);
    case 32: return launchTyped<T, 32>(p, stream);
    case 64: return launchTyped<T, 64>(p, stream);
    case 96: return launchTyped<T, 96>(p, stream);
    case 128: return launchTyped<T, 128>(p, stream);
    default: return launchTyped<T, 256>(p, stream);
  }
}

}  // namespace

int64_t attentionTileTokens(int64_t headDim) { return tileTokens(int(headDim)); }

int64_t attentionPartialFloats(int64_t rows, int64_t queryHeads, int64_t group, int64_t chunks, int64_t headDim) {
  return rows * queryHeads * chunks * (kWarps / teamsOf(group)) * (headDim + 2);
}

void launchPagedAttention(const PagedAttentionParams& p, cudaStream_t stream) {
  if (p.dtype == Dtype::bf16) {
    launchDim<__nv_bfloat16>(p, stream);
  } else {
    launchDim<__half>(p, stream);
  }
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
