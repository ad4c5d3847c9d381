// Attention over the paged KV cache, for decode (count = 1) and prefill (count > 1, causal).
//
// Block (chunk, kvHead, query row): the 128 threads stage a tile of K and V rows of this KV head
// into shared memory (16-byte loads through the page table), then the group's query heads read
// them from there, so each row leaves DRAM once per group. Warps split the work as teams: with G
// query heads per KV head, min(G, 4) teams each take heads g ≡ team (mod teams), and the 4 / teams
// warps of a team split the tile's 32-token groups. Each warp keeps an online softmax per head (max
// m, sum l, numerator acc in fp32) and writes it as one partial; the merge kernel combines the
// partials of all chunks in slot order.
//
// Two ways to stage the tiles (PRHS_ATTENTION_VARIANT, read once per process; README "Models"):
//  - async (default): cp.async copies straight into shared memory, two tile buffers, so the next
//    tile's rows are in flight while the current one is summed;
//  - sync: each thread loads its share into registers, stores it, and the block waits (one buffer).
// Both sum the same rows in the same order, so they give the same bits; only the split-KV plan the
// engine derives from them differs (modelEngine.cu).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "../cudaCheck.hpp"
#include "asyncCopy.cuh"
#include "deviceMath.cuh"
#include "modelKernels.hpp"
#include "overlappedLaunch.hpp"
#include "pagedCache.cuh"

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
};

// The block's shared memory (dynamic: two buffers exceed the 48 KB of a static allocation).
template <typename T, int D, int Buffers>
struct Shared {
  Tile<T, D> tiles[Buffers];
  float query[maxGroup(D)][D];
};

template <bool Async>
__host__ __device__ constexpr int buffersOf() {
  return Async ? 2 : 1;
}

// Loads slots [t0, t0 + tile) ∩ [.., end) of KV head kv of sequence b into the tile (zeros past end).
// A slot is a position, or with a kept list (sparse decode) the position the list holds there.
// Async: the copies are issued, not waited for (the caller commits and waits).
template <typename T, int D, bool Async>
__device__ void stageTile(const PagedAttentionParams& p, int64_t b, int64_t kv, int64_t t0, int64_t end,
                          Tile<T, D>& s) {
  const int32_t* list = p.kept ? p.kept + (b * p.kvHeads + kv) * p.keptStride : nullptr;
  constexpr int vectors = D / 8;
  const T* K = static_cast<const T*>(p.keyPool);
  const T* V = static_cast<const T*>(p.valuePool);
  for (int v = threadIdx.x; v < tileTokens(D) * vectors; v += kThreads) {
    const int tok = v / vectors, col = (v % vectors) * 8;
    const int64_t slot = t0 + tok;
    int64_t at = 0;  // a valid address even for a zero fill
    if (slot < end) {
      const int64_t pos = list ? int64_t(list[slot]) : slot;
      at = cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, kv, pos) * D + col;
    }
    if constexpr (Async) {
      copyAsync16(&s.keys[tok][col], K + at, slot < end);
      copyAsync16(&s.values[tok][col], V + at, slot < end);
    } else {
      uint4 k = make_uint4(0, 0, 0, 0), val = k;
      if (slot < end) {
        k = *reinterpret_cast<const uint4*>(K + at);
        val = *reinterpret_cast<const uint4*>(V + at);
      }
      *reinterpret_cast<uint4*>(&s.keys[tok][col]) = k;
      *reinterpret_cast<uint4*>(&s.values[tok][col]) = val;
    }
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
__device__ void attendGroup(const Tile<T, D>& s, const float* query, int first, int valid, float scale,
                            HeadState<D>& h) {
  const int lane = threadIdx.x % 32;
  float dot = 0.f;
  for (int d = 0; d < D; d += 8) {
    float k[8];
    load8(&s.keys[first + lane][d], k);
#pragma unroll
    for (int e = 0; e < 8; ++e) dot = fmaf(query[d + e], k[e], dot);
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

// The query heads of this block's group that warp (team, sub) sums over one tile.
template <typename T, int D, int HeadsPerWarp>
__device__ __forceinline__ void attendTile(const Tile<T, D>& tile, const float (*query)[D], int64_t t0, int64_t end,
                                           int64_t group, int teams, int team, int sub, float scale,
                                           HeadState<D> (&state)[HeadsPerWarp]) {
  const int warpsPerHead = kWarps / teams;
  for (int first = sub * 32; first < tileTokens(D) && t0 + first < end; first += warpsPerHead * 32) {
    const int valid = end - t0 - first < 32 ? int(end - t0 - first) : 32;
#pragma unroll
    for (int h = 0; h < HeadsPerWarp; ++h) {
      const int g = team + h * teams;
      if (g < group) attendGroup<T, D>(tile, query[g], first, valid, scale, state[h]);
    }
  }
}

template <typename T, int D, bool Async>
__global__ void __launch_bounds__(kThreads) chunkKernel(PagedAttentionParams p) {
  constexpr int kHeadsPerWarp = (maxGroup(D) + kWarps - 1) / kWarps;
  extern __shared__ __align__(16) unsigned char sharedBytes[];
  auto& s = *reinterpret_cast<Shared<T, D, buffersOf<Async>()>*>(sharedBytes);
  waitForPreviousKernel();
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
  const int64_t first = chunk * p.chunkTokens;
  if constexpr (Async) {
    if (first < end) stageTile<T, D, true>(p, b, kv, first, end, s.tiles[0]);
    commitCopies();
    int buffer = 0;
    for (int64_t t0 = first; t0 < end; t0 += tileTokens(D), buffer ^= 1) {
      // The other buffer was consumed before the previous iteration's last barrier.
      if (t0 + tileTokens(D) < end) stageTile<T, D, true>(p, b, kv, t0 + tileTokens(D), end, s.tiles[buffer ^ 1]);
      commitCopies();
      waitCopies<1>();  // this thread's copies of tile t0 landed (the next tile's may still fly)
      __syncthreads();  // everyone's did (and the query is staged)
      if (team < teams) attendTile<T, D>(s.tiles[buffer], s.query, t0, end, group, teams, team, sub, p.scale, state);
      __syncthreads();  // this buffer is consumed before the next iteration stages into it
    }
  } else {
    for (int64_t t0 = first; t0 < end; t0 += tileTokens(D)) {
      __syncthreads();  // the previous tile is consumed (and the query staged)
      stageTile<T, D, false>(p, b, kv, t0, end, s.tiles[0]);
      __syncthreads();
      if (team < teams) attendTile<T, D>(s.tiles[0], s.query, t0, end, group, teams, team, sub, p.scale, state);
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

constexpr int kMergeBatch = 8;  // partials whose loads are issued before any is summed

// One warp per (query row, head): the partials in slot order, scaled to the common max. The loads
// of kMergeBatch partials are issued together; the sums still run one partial after the other.
template <typename T, int D>
__global__ void mergeKernel(PagedAttentionParams p, int64_t slots) {
  waitForPreviousKernel();
  const int64_t head = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) / 32;
  if (head >= p.batch * p.count * p.queryHeads) return;
  const int lane = threadIdx.x % 32;
  const float* part = p.partial + head * slots * (D + 2);
  float m = -INFINITY;
  for (int64_t s = lane; s < slots; s += 32) m = fmaxf(m, part[s * (D + 2)]);
  m = warpMax(m);
  float l = 0.f, acc[lanesDims(D)] = {};
  for (int64_t s0 = 0; s0 < slots; s0 += kMergeBatch) {
    float ms[kMergeBatch], ls[kMergeBatch], xs[kMergeBatch][lanesDims(D)];
#pragma unroll
    for (int i = 0; i < kMergeBatch; ++i) {
      const float* x = part + (s0 + i < slots ? s0 + i : s0) * (D + 2);
      ms[i] = x[0];
      ls[i] = s0 + i < slots ? x[1] : 0.f;
#pragma unroll
      for (int e = 0; e < lanesDims(D); ++e) xs[i][e] = owns<D>(lane, e) ? x[2 + lane + 32 * e] : 0.f;
    }
#pragma unroll
    for (int i = 0; i < kMergeBatch; ++i) {
      if (ls[i] == 0.f) continue;  // an empty partial (m = −∞), or past the last slot
      const float f = expf(ms[i] - m);
      l = fmaf(ls[i], f, l);
#pragma unroll
      for (int e = 0; e < lanesDims(D); ++e) acc[e] = fmaf(xs[i][e], f, acc[e]);
    }
  }
  T* out = static_cast<T*>(p.out) + head * D;
#pragma unroll
  for (int e = 0; e < lanesDims(D); ++e) {
    if (owns<D>(lane, e)) out[lane + 32 * e] = narrow<T>(acc[e] / l);
  }
}

AttentionVariant variantFromEnvironment() {
  const char* value = std::getenv("PRHS_ATTENTION_VARIANT");
  if (value == nullptr || *value == '\0' || std::strcmp(value, "async") == 0) return AttentionVariant::async;
  if (std::strcmp(value, "sync") == 0) return AttentionVariant::sync;
  throw std::invalid_argument(std::string("PRHS_ATTENTION_VARIANT: expected async or sync, received \"") + value +
                              "\"");
}

// The chunk kernel of one instantiation with its dynamic shared memory allowed (once per process).
template <typename T, int D, bool Async>
struct ChunkLaunch {
  static constexpr size_t bytes = sizeof(Shared<T, D, buffersOf<Async>()>);
  static void (*kernel())(PagedAttentionParams) {
    static const bool allowed = [] {
      check(cudaFuncSetAttribute(chunkKernel<T, D, Async>, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)),
            "cudaFuncSetAttribute (model paged attention kernel)");
      return true;
    }();
    (void)allowed;
    return chunkKernel<T, D, Async>;
  }
};

template <typename T, int D, bool Async>
void launchChunks(const PagedAttentionParams& p, cudaStream_t stream) {
  using L = ChunkLaunch<T, D, Async>;
  const dim3 grid(unsigned(p.chunks), unsigned(p.kvHeads), unsigned(p.batch * p.count));
  launchOverlapped("model paged attention kernel", L::kernel(), LaunchShape{grid, dim3(kThreads), L::bytes}, stream, p);
}

template <typename T, int D>
void launchMerge(const PagedAttentionParams& p, cudaStream_t stream) {
  const int64_t slots = p.chunks * (kWarps / teamsOf(p.queryHeads / p.kvHeads));
  const int64_t warps = p.batch * p.count * p.queryHeads;
  launchOverlapped("model attention merge kernel", mergeKernel<T, D>,
                   LaunchShape{dim3(unsigned((warps + 3) / 4)), dim3(128)}, stream, p, slots);
}

template <typename T, int D>
int blocksPerSm(AttentionVariant variant) {
  int blocks = 0;
  if (variant == AttentionVariant::async) {
    using L = ChunkLaunch<T, D, true>;
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, L::kernel(), kThreads, L::bytes),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor (model paged attention)");
  } else {
    using L = ChunkLaunch<T, D, false>;
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, L::kernel(), kThreads, L::bytes),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor (model paged attention)");
  }
  return blocks;
}

// Op<T, D>::run(args...) for the dtype and head dimension of a launch.
template <typename T, template <typename, int> class Op, typename... Args>
void dispatchDim(int64_t headDim, Args&... args) {
  switch (headDim) {
    case 16: return Op<T, 16>::run(args...);
    case 32: return Op<T, 32>::run(args...);
    case 64: return Op<T, 64>::run(args...);
    case 96: return Op<T, 96>::run(args...);
    case 128: return Op<T, 128>::run(args...);
    default: return Op<T, 256>::run(args...);
  }
}

template <template <typename, int> class Op, typename... Args>
void dispatch(Dtype dtype, int64_t headDim, Args&... args) {
  if (dtype == Dtype::bf16) {
    dispatchDim<__nv_bfloat16, Op>(headDim, args...);
  } else {
    dispatchDim<__half, Op>(headDim, args...);
  }
}

template <typename T, int D>
struct ChunksOp {
  static void run(const PagedAttentionParams& p, cudaStream_t& stream) {
    if (attentionVariant() == AttentionVariant::async) {
      launchChunks<T, D, true>(p, stream);
    } else {
      launchChunks<T, D, false>(p, stream);
    }
  }
};

template <typename T, int D>
struct MergeOp {
  static void run(const PagedAttentionParams& p, cudaStream_t& stream) { launchMerge<T, D>(p, stream); }
};

template <typename T, int D>
struct OccupancyOp {
  static void run(int& blocks) { blocks = blocksPerSm<T, D>(attentionVariant()); }
};

}  // namespace

AttentionVariant attentionVariant() {
  static const AttentionVariant variant = variantFromEnvironment();  // read once: every launch of a process agrees
  return variant;
}

int attentionBlocksPerSm(Dtype dtype, int64_t headDim) {
  int blocks = 0;
  dispatch<OccupancyOp>(dtype, headDim, blocks);
  return blocks;
}

int64_t attentionTileTokens(int64_t headDim) { return tileTokens(int(headDim)); }

int64_t attentionPartialFloats(int64_t rows, int64_t queryHeads, int64_t group, int64_t chunks, int64_t headDim) {
  return rows * queryHeads * chunks * (kWarps / teamsOf(group)) * (headDim + 2);
}

void launchPagedAttentionChunks(const PagedAttentionParams& p, cudaStream_t stream) {
  dispatch<ChunksOp>(p.dtype, p.headDim, p, stream);
}

void launchPagedAttentionMerge(const PagedAttentionParams& p, cudaStream_t stream) {
  dispatch<MergeOp>(p.dtype, p.headDim, p, stream);
}

void launchPagedAttention(const PagedAttentionParams& p, cudaStream_t stream) {
  launchPagedAttentionChunks(p, stream);
  launchPagedAttentionMerge(p, stream);
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
