// Fused CIS selection (src/selectors/cis.ts) on the GPU: one block per (batch, query head) row.
//
// Phase `gate` (every step): the cosine gate cos(q, q_anchor) > τ; a row that passes builds its
// kept set from its stored anchor ranking (dilation of the top m positions by ±r), a row that
// fails only raises its re-anchor flag. Phase `anchor` (after exact scores + top-k of the flagged
// rows): each flagged row stores its query, norm and fresh ranking and builds its set without
// dilation. Both phases build the set the way IndexSetBuilder does: the first min(B, N) distinct
// positions of the candidate sequence
//   sinks [0, s) · window [N − w, N) · (reuse) p_j, p_j − 1, p_j + 1, …, p_j ± r for j < m · ranking · N − 1, N − 2, …
// in that order. First occurrences are found in parallel with a shared-memory hash table that
// keeps, per position, the lowest candidate index (atomicMin); an ordered block-wide compaction
// (orderedRank.cuh) then writes them out, so the output equals the reference's set element for
// element, in order. Budgets whose table exceeds kCisMaxSharedTableBytes take the tiled build
// (cisTiledKernel): tiles of candidates against a bitmap of the positions kept so far, the same
// first-occurrence rule, the same output.
//
// The cosine is computed by one thread in float64, operation for operation as cis.ts does it
// (sequential sums, no fused multiply-adds: __dmul_rn / __dadd_rn), so the gate decides exactly as
// the reference does on the same fp32 queries.
#include <climits>
#include <cstdint>

#include "cisKernels.hpp"
#include "cudaCheck.hpp"
#include "orderedRank.cuh"

namespace prhs {
namespace cuda {
namespace {

constexpr int kCisThreads = 256;
constexpr int kCisWarps = kCisThreads / 32;
constexpr int kCisMaxDim = 1024;  // head dimensions up to this (checked at launch)

__device__ __forceinline__ uint32_t slotOf(int32_t position, uint32_t mask) {
  return (uint32_t(position) * 2654435761u) & mask;
}

// The candidate at sequence index i (−1: skipped, out of range).
struct Candidates {
  int64_t sinks, window, length, dilatedCount, radius, rankingSize;
  const int32_t* ranking;
  __device__ __forceinline__ int64_t count() const {
    return sinks + window + dilatedCount * (1 + 2 * radius) + rankingSize;
  }
  __device__ __forceinline__ int32_t at(int64_t i) const {
    if (i < sinks) return int32_t(i);
    i -= sinks;
    if (i < window) return int32_t(length - window + i);
    i -= window;
    const int64_t per = 1 + 2 * radius;
    if (i < dilatedCount * per) {
      const int64_t j = i / per, slot = i % per;
      const int64_t p = ranking[j];
      if (slot == 0) return int32_t(p);
      const int64_t o = (slot + 1) / 2;
      const int64_t q = slot % 2 == 1 ? p - o : p + o;
      return q >= 0 && q < length ? int32_t(q) : -1;
    }
    i -= dilatedCount * per;
    return ranking[i];
  }
};

__device__ int32_t probe(const int32_t* keys, uint32_t mask, int32_t position) {
  uint32_t h = slotOf(position, mask);
  for (;;) {
    const int32_t k = keys[h];
    if (k == position) return int32_t(h);
    if (k == -1) return -1;
    h = (h + 1) & mask;
  }
}

__device__ __forceinline__ int tileRank(bool keep, int* warpCounts, int* total) {
  return orderedRank<kCisWarps>(keep, warpCounts, total);
}

// Positions row `row` sees at this step.
__device__ __forceinline__ int64_t rowLength(const CisParams& p, int64_t row) {
  return p.lengths ? int64_t(p.lengths[row / p.rowsPerLength]) + p.lengthOffset : p.length;
}

// The gate (phase 0) or the anchor update (phase 1) of one row, by the whole block: returns 1 (build
// with dilation: the row reuses its anchor), 2 (build without: it re-anchored) or 0 (nothing to
// build in this phase). The products x·a and x·x are rounded the same whoever forms them: all
// threads form them into shared memory (coalesced loads), then thread 0 runs the two sequential
// sums of cis.ts. dotTerm, normTerm: [kCisMaxDim] shared.
__device__ int cisRowMode(const CisParams& p, int phase, int64_t row, int64_t N, double* dotTerm, double* normTerm,
                          int* rowMode) {
  const int64_t d = p.headDim, B = p.budget;
  const int tid = threadIdx.x;
  const bool gatePhase = phase == 0;
  const bool needsQuery = gatePhase ? p.anchored[row] != 0 : p.reanchor[row] != 0;
  if (needsQuery) {
    for (int64_t c = tid; c < d; c += blockDim.x) {
      const double x = double(p.query[row * d + c]);
      dotTerm[c] = gatePhase ? __dmul_rn(x, double(p.anchorQuery[row * d + c])) : 0.0;
      normTerm[c] = __dmul_rn(x, x);
    }
  }
  __syncthreads();
  if (tid == 0) {
    double dot = 0.0, norm = 0.0;
    if (needsQuery) {
      for (int64_t c = 0; c < d; ++c) {
        dot = __dadd_rn(dot, dotTerm[c]);
        norm = __dadd_rn(norm, normTerm[c]);
      }
    }
    if (gatePhase) {
      // cis.ts anchorCosine: −∞ without an anchor or with a zero denominator; reuse when cos > τ.
      bool reuse = false;
      if (needsQuery) {
        const double denominator = __dmul_rn(__dsqrt_rn(norm), p.anchorNorm[row]);
        reuse = denominator != 0.0 && __ddiv_rn(dot, denominator) > p.gate;
      }
      p.reanchor[row] = reuse ? 0 : 1;
      *rowMode = reuse ? 1 : 0;
    } else {
      *rowMode = needsQuery ? 2 : 0;
      if (needsQuery) p.anchorNorm[row] = __dsqrt_rn(norm);
    }
  }
  __syncthreads();
  const int mode = *rowMode;
  if (mode == 2) {
    // Re-anchor: keep the fresh ranking of the best min(B, N) positions, the query and its norm.
    const int64_t size = N < B ? N : B;
    const int32_t* fresh = p.fresh + row * p.freshStride;
    int32_t* ranking = p.ranking + row * B;
    for (int64_t j = tid; j < size; j += blockDim.x) ranking[j] = fresh[j];
    for (int64_t c = tid; c < d; c += blockDim.x) p.anchorQuery[row * d + c] = p.query[row * d + c];
    if (tid == 0) {
      p.anchored[row] = 1;
      p.rankingSize[row] = int32_t(size);
    }
    __syncthreads();
  }
  return mode;
}

// The row's candidate sequence in this mode (after cisRowMode).
__device__ Candidates candidatesOf(const CisParams& p, int64_t row, int64_t N, int mode) {
  const int64_t rankingSize = p.rankingSize[row];
  Candidates cand{};
  cand.sinks = p.sinks < N ? p.sinks : N;
  cand.window = p.window < N ? p.window : N;
  cand.length = N;
  cand.radius = p.radius;
  cand.dilatedCount = mode == 1 ? (p.dilated < rankingSize ? p.dilated : rankingSize) : 0;
  cand.rankingSize = rankingSize;
  cand.ranking = p.ranking + row * p.budget;
  return cand;
}

// This block's row at this step: its length and, when there is a set to build in this phase
// (mode ≠ 0), its candidate sequence.
struct CisRow {
  int64_t row, length;
  int mode;  // cisRowMode's
  Candidates candidates;
};

// The gate or anchor update of this block's row (cisRowMode), by the whole block, then its candidates.
__device__ __forceinline__ CisRow cisRowOf(const CisParams& p, int phase) {
  __shared__ int rowMode;
  __shared__ double dotTerm[kCisMaxDim], normTerm[kCisMaxDim];
  CisRow r{};
  r.row = blockIdx.x;
  r.length = rowLength(p, r.row);
  r.mode = cisRowMode(p, phase, r.row, r.length, dotTerm, normTerm, &rowMode);
  if (r.mode != 0) r.candidates = candidatesOf(p, r.row, r.length, r.mode);
  return r;
}

// The set from one hash table of every candidate (shared memory, tableSize slots).
__global__ void __launch_bounds__(kCisThreads) cisKernel(CisParams p, int phase) {
  extern __shared__ int32_t table[];  // keys [T], then first candidate index [T]
  __shared__ int warpCounts[kCisWarps + 1];
  const CisRow r = cisRowOf(p, phase);
  if (r.mode == 0) return;
  const int64_t row = r.row, B = p.budget, N = r.length, C = r.candidates.count();
  const Candidates& cand = r.candidates;
  const int tid = threadIdx.x;
  const uint32_t T = p.tableSize, mask = T - 1;
  int32_t* keys = table;
  int32_t* first = table + T;
  for (uint32_t h = tid; h < T; h += kCisThreads) {
    keys[h] = -1;
    first[h] = INT_MAX;
  }
  __syncthreads();
  for (int64_t i = tid; i < C; i += kCisThreads) {
    const int32_t pos = cand.at(i);
    if (pos < 0) continue;
    uint32_t h = slotOf(pos, mask);
    for (;;) {
      const int32_t k = atomicCAS(&keys[h], -1, pos);
      if (k == -1 || k == pos) {
        atomicMin(&first[h], int(i));
        break;
      }
      h = (h + 1) & mask;
    }
  }
  __syncthreads();

  const int64_t limit = N < B ? N : B;
  int32_t* out = p.indices + row * B;
  int64_t count = 0;
  for (int64_t base = 0; base < C && count < limit; base += kCisThreads) {
    const int64_t i = base + tid;
    int32_t pos = -1;
    bool keep = false;
    if (i < C) {
      pos = cand.at(i);
      keep = pos >= 0 && first[probe(keys, mask, pos)] == int(i);
    }
    int total = 0;
    const int rank = tileRank(keep, warpCounts, &total);
    if (keep && count + rank < limit) out[count + rank] = pos;
    count += total;
  }
  if (count > limit) count = limit;
  // fillRecent: newest positions not yet in the set. Every table key is in the set here (nothing
  // was cut off by the limit when count < limit), so membership is a table lookup.
  for (int64_t top = N - 1; top >= 0 && count < limit; top -= kCisThreads) {
    const int64_t pos = top - tid;
    const bool keep = pos >= 0 && probe(keys, mask, int32_t(pos)) < 0;
    int total = 0;
    const int rank = tileRank(keep, warpCounts, &total);
    if (keep && count + rank < limit) out[count + rank] = int32_t(pos);
    count += total;
  }
  if (count > limit) count = limit;
  for (int64_t j = count + tid; j < B; j += kCisThreads) out[j] = -1;
  if (tid == 0) p.sizes[row] = int32_t(count);
}

// Large budgets: the candidates in tiles of kTile (kTilePerThread consecutive candidates per
// thread), each tile against a bitmap of the positions kept so far (shared, one bit per position)
// and a small hash table of its own first occurrences (cleared after every tile); a candidate is
// kept when its position is in neither, which is the first-occurrence rule of the single table.
// The tiles stop once the set is full.
constexpr int kTiledThreads = 1024;
constexpr int kTiledWarps = kTiledThreads / 32;
constexpr int kTilePerThread = 4;
constexpr int64_t kTile = int64_t(kTiledThreads) * kTilePerThread;
constexpr uint32_t kTileSlots = 2 * uint32_t(kTile);  // load factor ≤ 1/2
constexpr uint32_t kTileMask = kTileSlots - 1;

__device__ __forceinline__ bool bitSet(const uint32_t* bits, int32_t pos) {
  return ((bits[pos >> 5] >> (pos & 31)) & 1u) != 0;
}

__global__ void __launch_bounds__(kTiledThreads) cisTiledKernel(CisParams p, int phase) {
  extern __shared__ int32_t tiledShared[];  // tile keys [kTileSlots], tile first [kTileSlots], bitmap
  __shared__ int warpCounts[kTiledWarps + 1];
  const CisRow r = cisRowOf(p, phase);
  if (r.mode == 0) return;
  const int64_t row = r.row, B = p.budget, N = r.length, C = r.candidates.count();
  const Candidates& cand = r.candidates;
  const int tid = threadIdx.x;
  int32_t* keys = tiledShared;
  int32_t* first = tiledShared + kTileSlots;
  uint32_t* bits = reinterpret_cast<uint32_t*>(tiledShared + 2 * kTileSlots);
  const int64_t words = (N + 31) / 32;
  for (int64_t w = tid; w < words; w += kTiledThreads) bits[w] = 0u;
  for (uint32_t h = tid; h < kTileSlots; h += kTiledThreads) {
    keys[h] = -1;
    first[h] = INT_MAX;
  }
  __syncthreads();

  const int64_t limit = N < B ? N : B;
  int32_t* out = p.indices + row * B;
  int64_t count = 0;
  for (int64_t base = 0; base < C && count < limit; base += kTile) {
    int32_t pos[kTilePerThread];
    bool keep[kTilePerThread];
#pragma unroll
    for (int k = 0; k < kTilePerThread; ++k) {
      const int64_t i = base + int64_t(tid) * kTilePerThread + k;
      pos[k] = i < C ? cand.at(i) : -1;
      keep[k] = pos[k] >= 0 && !bitSet(bits, pos[k]);
      if (!keep[k]) continue;
      uint32_t h = slotOf(pos[k], kTileMask);
      for (;;) {
        const int32_t key = atomicCAS(&keys[h], -1, pos[k]);
        if (key == -1 || key == pos[k]) {
          atomicMin(&first[h], int(i - base));
          break;
        }
        h = (h + 1) & kTileMask;
      }
    }
    __syncthreads();
    int mine = 0;
#pragma unroll
    for (int k = 0; k < kTilePerThread; ++k) {
      const int local = tid * kTilePerThread + k;
      keep[k] = keep[k] && first[probe(keys, kTileMask, pos[k])] == local;
      mine += keep[k] ? 1 : 0;
    }
    int total = 0;
    int64_t at = count + orderedOffset<kTiledWarps>(mine, warpCounts, &total);  // synchronises: probes done
#pragma unroll
    for (int k = 0; k < kTilePerThread; ++k) {
      if (!keep[k]) continue;
      if (at < limit) out[at] = pos[k];
      ++at;
      atomicOr(&bits[pos[k] >> 5], 1u << (pos[k] & 31));
    }
    count += total;
    for (uint32_t h = tid; h < kTileSlots; h += kTiledThreads) {
      keys[h] = -1;
      first[h] = INT_MAX;
    }
    __syncthreads();
  }
  if (count > limit) count = limit;
  // fillRecent: newest positions not yet in the set. When count < limit every tile ran and every
  // distinct candidate is in the bitmap, so membership is a bit.
  for (int64_t top = N - 1; top >= 0 && count < limit; top -= kTiledThreads) {
    const int64_t position = top - tid;
    const bool fresh = position >= 0 && !bitSet(bits, int32_t(position));
    int total = 0;
    const int rank = orderedRank<kTiledWarps>(fresh, warpCounts, &total);
    if (fresh && count + rank < limit) out[count + rank] = int32_t(position);
    count += total;
  }
  if (count > limit) count = limit;
  for (int64_t j = count + tid; j < B; j += kTiledThreads) out[j] = -1;
  if (tid == 0) p.sizes[row] = int32_t(count);
}

size_t tiledSharedBytes(int64_t maxLength) {
  return size_t(2 * kTileSlots) * sizeof(int32_t) + size_t((maxLength + 31) / 32) * sizeof(uint32_t);
}

}  // namespace

uint32_t cisTableSize(int64_t budget, int64_t sinks, int64_t window, int64_t dilated, int64_t radius) {
  const int64_t candidates = sinks + window + dilated * (1 + 2 * radius) + budget;
  uint32_t t = 64;
  while (int64_t(t) < 2 * candidates) t <<= 1;  // load factor ≤ 1/2
  return t;
}

bool cisTiled(uint32_t tableSize) { return cisTableBytes(tableSize) > kCisMaxSharedTableBytes; }

void launchCis(const CisParams& p, int phase, cudaStream_t stream) {
  if (p.rows == 0) return;
  if (p.headDim > kCisMaxDim) check(cudaErrorInvalidConfiguration, "CIS selection (headDim above 1024)");
  if (!cisTiled(p.tableSize)) {
    const size_t shared = cisTableBytes(p.tableSize);
    if (shared > 48 * 1024)
      check(cudaFuncSetAttribute(cisKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
            "cudaFuncSetAttribute(cis)");
    cisKernel<<<unsigned(p.rows), kCisThreads, shared, stream>>>(p, phase);
  } else {
    const size_t shared = tiledSharedBytes(p.lengths ? p.maxLength : p.length);
    if (shared > kCisMaxTiledSharedBytes)
      check(cudaErrorInvalidConfiguration, "CIS selection (context too long for the tiled set build's bitmap)");
    check(cudaFuncSetAttribute(cisTiledKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
          "cudaFuncSetAttribute(cis tiled)");
    cisTiledKernel<<<unsigned(p.rows), kTiledThreads, shared, stream>>>(p, phase);
  }
  checkLaunch(phase == 0 ? "CIS gate + set build launch" : "CIS anchor + set build launch");
}

int64_t cisMaxTiledLength() {
  return int64_t((kCisMaxTiledSharedBytes - size_t(2 * kTileSlots) * sizeof(int32_t)) / sizeof(uint32_t)) * 32;
}

CisDeviceState::CisDeviceState(int64_t rows, int64_t headDim, int64_t budget)
    : anchorQuery(size_t(rows * headDim), "cudaMalloc(cis anchor)"),
      anchorNorm(size_t(rows), "cudaMalloc(cis norm)"),
      anchored(size_t(rows), "cudaMalloc(cis anchored)"),
      ranking(size_t(rows * budget), "cudaMalloc(cis ranking)"),
      rankingSize(size_t(rows), "cudaMalloc(cis ranking size)"),
      reanchor(size_t(rows), "cudaMalloc(cis flags)"),
      indices(size_t(rows * budget), "cudaMalloc(cis indices)"),
      sizes(size_t(rows), "cudaMalloc(cis sizes)") {}

CisParams CisDeviceState::params(const CisSelection& s, const float* query, const int32_t* fresh,
                                 int64_t freshStride) const {
  CisParams p{};
  p.query = query;
  p.anchorQuery = anchorQuery.get();
  p.anchorNorm = anchorNorm.get();
  p.anchored = anchored.get();
  p.ranking = ranking.get();
  p.rankingSize = rankingSize.get();
  p.fresh = fresh;
  p.freshStride = freshStride;
  p.reanchor = reanchor.get();
  p.indices = indices.get();
  p.sizes = sizes.get();
  p.rows = s.rows;
  p.headDim = s.headDim;
  p.length = s.length;
  p.budget = s.budget;
  p.sinks = s.sinks;
  p.window = s.window;
  p.dilated = s.dilated;
  p.radius = s.radius;
  p.gate = s.gate;
  p.tableSize = cisTableSize(s.budget, s.sinks, s.window, s.dilated, s.radius);
  return p;
}

// One CIS step from host arrays: gate, exact top-k of the given scores for every row (only the
// flagged rows' results are used), anchor update, set build. State arrays are read and written.
void cisStep(const CisHostStep& h) {
  const int64_t rows = h.rows, d = h.headDim, B = h.budget, N = h.length;
  const int64_t k = N < B ? N : B;
  DeviceBuffer<float> query(size_t(rows * d), "cudaMalloc(cis query)");
  DeviceBuffer<float> scores(size_t(rows * N), "cudaMalloc(cis scores)");
  DeviceBuffer<int32_t> fresh(size_t(rows * k), "cudaMalloc(cis top-k)");
  DeviceBuffer<unsigned char> topKSpace(topKWorkspaceBytes(rows, N, k), "cudaMalloc(cis top-k workspace)");
  CisDeviceState state(rows, d, B);
  query.upload(h.query, size_t(rows * d), "cudaMemcpy(cis query)");
  state.anchorQuery.upload(h.anchorQuery, size_t(rows * d), "cudaMemcpy(cis anchor)");
  state.anchorNorm.upload(h.anchorNorm, size_t(rows), "cudaMemcpy(cis norm)");
  state.anchored.upload(h.anchored, size_t(rows), "cudaMemcpy(cis anchored)");
  state.ranking.upload(h.ranking, size_t(rows * B), "cudaMemcpy(cis ranking)");
  state.rankingSize.upload(h.rankingSize, size_t(rows), "cudaMemcpy(cis ranking size)");
  scores.upload(h.scores, size_t(rows * N), "cudaMemcpy(cis scores)");
  const CisParams p = state.params(h, query.get(), fresh.get(), k);
  launchCis(p, 0, nullptr);
  if (k > 0) launchTopK(scores.get(), rows, N, k, fresh.get(), topKSpace.get(), nullptr);
  launchCis(p, 1, nullptr);
  check(cudaDeviceSynchronize(), "CIS step kernels");
  state.anchorQuery.download(h.anchorQuery, size_t(rows * d), "cudaMemcpy(cis anchor out)");
  state.anchorNorm.download(h.anchorNorm, size_t(rows), "cudaMemcpy(cis norm out)");
  state.anchored.download(h.anchored, size_t(rows), "cudaMemcpy(cis anchored out)");
  state.ranking.download(h.ranking, size_t(rows * B), "cudaMemcpy(cis ranking out)");
  state.rankingSize.download(h.rankingSize, size_t(rows), "cudaMemcpy(cis ranking size out)");
  state.reanchor.download(h.reanchor, size_t(rows), "cudaMemcpy(cis flags out)");
  state.indices.download(h.indices, size_t(rows * B), "cudaMemcpy(cis indices out)");
  state.sizes.download(h.sizes, size_t(rows), "cudaMemcpy(cis sizes out)");
}

}  // namespace cuda
}  // namespace prhs
