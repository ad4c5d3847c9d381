// Fused CIS selection (src/selectors/cis.ts) on the GPU: one block per (batch, query head) row.
//
// Phase `gate` (every step): the cosine gate cos(q, q_anchor) > τ; a row that passes builds its
// kept set from its stored anchor ranking (dilation of the top m positions by ±r), a row that
// fails only raises its re-anchor flag. Phase `anchor` (after exact scores + top-k of the flagged
// rows): each flagged row stores its query, norm and fresh ranking and builds its set without
// dilation. Both phases build the set the way IndexSetBuilder does: the first min(B, N) distinct
// positions of the candidate sequence
//   sinks [0, s) · window [N − w, N) · (reuse) p_j, p_j − 1, p_j + 1, …, p_j ± r for j < m · ranking · N − 1, N − 2, …
// in that order. First occurrences are found in parallel with a hash table that
// keeps, per position, the lowest candidate index (atomicMin), in shared memory or, for budgets whose
// table does not fit there, in a global-memory table of the row; an ordered block-wide compaction
// (orderedRank.cuh) then writes them out, so the output equals the reference's set element for element, in order.
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

__global__ void __launch_bounds__(kCisThreads) cisKernel(CisParams p, int phase) {
  extern __shared__ int32_t sharedTable[];  // keys [T], then first candidate index [T]
  __shared__ int warpCounts[kCisWarps + 1];
  __shared__ int rowMode;  // 1: build with dilation (reuse), 2: build without (re-anchored), 0: nothing
  const int64_t row = blockIdx.x;
  const int64_t d = p.headDim, B = p.budget;
  const int64_t N = p.lengths ? int64_t(p.lengths[row / p.rowsPerLength]) + p.lengthOffset : p.length;
  const int tid = threadIdx.x;

  // The products x·a and x·x are rounded the same whoever forms them: all threads form them into
  // shared memory (coalesced loads), then thread 0 runs the two sequential sums of cis.ts.
  __shared__ double dotTerm[kCisMaxDim], normTerm[kCisMaxDim];
  const bool gatePhase = phase == 0;
  const bool needsQuery = gatePhase ? p.anchored[row] != 0 : p.reanchor[row] != 0;
  if (needsQuery) {
    for (int64_t c = tid; c < d; c += kCisThreads) {
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
      rowMode = reuse ? 1 : 0;
    } else {
      rowMode = needsQuery ? 2 : 0;
      if (needsQuery) p.anchorNorm[row] = __dsqrt_rn(norm);
    }
  }
  __syncthreads();
  const int mode = rowMode;
  if (mode == 0) return;

  int32_t* ranking = p.ranking + row * B;
  if (mode == 2) {
    // Re-anchor: keep the fresh ranking of the best min(B, N) positions, the query and its norm.
    const int64_t size = N < B ? N : B;
    const int32_t* fresh = p.fresh + row * p.freshStride;
    for (int64_t j = tid; j < size; j += kCisThreads) ranking[j] = fresh[j];
    for (int64_t c = tid; c < d; c += kCisThreads) p.anchorQuery[row * d + c] = p.query[row * d + c];
    if (tid == 0) {
      p.anchored[row] = 1;
      p.rankingSize[row] = int32_t(size);
    }
    __syncthreads();
  }

  const int64_t rankingSize = p.rankingSize[row];
  Candidates cand{};
  cand.sinks = p.sinks < N ? p.sinks : N;
  cand.window = p.window < N ? p.window : N;
  cand.length = N;
  cand.radius = p.radius;
  cand.dilatedCount = mode == 1 ? (p.dilated < rankingSize ? p.dilated : rankingSize) : 0;
  cand.rankingSize = rankingSize;
  cand.ranking = ranking;
  const int64_t C = cand.count();
  const uint32_t T = p.tableSize, mask = T - 1;
  int32_t* table = p.globalTable ? p.globalTable + row * 2 * int64_t(T) : sharedTable;
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

}  // namespace

uint32_t cisTableSize(int64_t budget, int64_t sinks, int64_t window, int64_t dilated, int64_t radius) {
  const int64_t candidates = sinks + window + dilated * (1 + 2 * radius) + budget;
  uint32_t t = 64;
  while (int64_t(t) < 2 * candidates) t <<= 1;  // load factor ≤ 1/2
  return t;
}

void launchCis(const CisParams& p, int phase, cudaStream_t stream) {
  if (p.rows == 0) return;
  const size_t shared = p.globalTable ? 0 : cisTableBytes(p.tableSize);
  if (p.headDim > kCisMaxDim) check(cudaErrorInvalidConfiguration, "CIS selection (headDim above 1024)");
  if (shared > kCisMaxSharedTableBytes)
    check(cudaErrorInvalidConfiguration, "CIS selection (budget too large for the shared-memory table)");
  if (shared > 48 * 1024)
    check(cudaFuncSetAttribute(cisKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
          "cudaFuncSetAttribute(cis)");
  cisKernel<<<unsigned(p.rows), kCisThreads, shared, stream>>>(p, phase);
  checkLaunch(phase == 0 ? "CIS gate + set build launch" : "CIS anchor + set build launch");
}

// One CIS step from host arrays: gate, exact top-k of the given scores for every row (only the
// flagged rows' results are used), anchor update, set build. State arrays are read and written.
void cisStep(const CisHostStep& h) {
  const int64_t rows = h.rows, d = h.headDim, B = h.budget, N = h.length;
  const int64_t k = N < B ? N : B;
  DeviceBuffer<float> query(size_t(rows * d), "cudaMalloc(cis query)"),
      anchorQuery(size_t(rows * d), "cudaMalloc(cis anchor)");
  DeviceBuffer<double> anchorNorm(size_t(rows), "cudaMalloc(cis norm)");
  DeviceBuffer<uint8_t> anchored(size_t(rows), "cudaMalloc(cis anchored)"),
      reanchor(size_t(rows), "cudaMalloc(cis flags)");
  DeviceBuffer<int32_t> ranking(size_t(rows * B), "cudaMalloc(cis ranking)"),
      rankingSize(size_t(rows), "cudaMalloc(cis ranking size)");
  DeviceBuffer<float> scores(size_t(rows * N), "cudaMalloc(cis scores)");
  DeviceBuffer<int32_t> fresh(size_t(rows * k), "cudaMalloc(cis top-k)");
  DeviceBuffer<unsigned char> topKSpace(topKWorkspaceBytes(rows, N, k), "cudaMalloc(cis top-k workspace)");
  DeviceBuffer<int32_t> indices(size_t(rows * B), "cudaMalloc(cis indices)"),
      sizes(size_t(rows), "cudaMalloc(cis sizes)");
  query.upload(h.query, size_t(rows * d), "cudaMemcpy(cis query)");
  anchorQuery.upload(h.anchorQuery, size_t(rows * d), "cudaMemcpy(cis anchor)");
  anchorNorm.upload(h.anchorNorm, size_t(rows), "cudaMemcpy(cis norm)");
  anchored.upload(h.anchored, size_t(rows), "cudaMemcpy(cis anchored)");
  ranking.upload(h.ranking, size_t(rows * B), "cudaMemcpy(cis ranking)");
  rankingSize.upload(h.rankingSize, size_t(rows), "cudaMemcpy(cis ranking size)");
  scores.upload(h.scores, size_t(rows * N), "cudaMemcpy(cis scores)");
  CisParams p{};
  p.query = query.get();
  p.anchorQuery = anchorQuery.get();
  p.anchorNorm = anchorNorm.get();
  p.anchored = anchored.get();
  p.ranking = ranking.get();
  p.rankingSize = rankingSize.get();
  p.fresh = fresh.get();
  p.freshStride = k;
  p.reanchor = reanchor.get();
  p.indices = indices.get();
  p.sizes = sizes.get();
  p.rows = rows;
  p.headDim = d;
  p.length = N;
  p.budget = B;
  p.sinks = h.sinks;
  p.window = h.window;
  p.dilated = h.dilated;
  p.radius = h.radius;
  p.gate = h.gate;
  p.tableSize = cisTableSize(B, h.sinks, h.window, h.dilated, h.radius);
  // As the model engine: a table too large for shared memory goes to global memory.
  const bool globalTable = cisTableBytes(p.tableSize) > kCisMaxSharedTableBytes;
  DeviceBuffer<int32_t> table(globalTable ? size_t(rows) * 2 * p.tableSize : 0, "cudaMalloc(cis table)");
  p.globalTable = globalTable ? table.get() : nullptr;
  launchCis(p, 0, nullptr);
  if (k > 0) launchTopK(scores.get(), rows, N, k, fresh.get(), topKSpace.get(), nullptr);
  launchCis(p, 1, nullptr);
  check(cudaDeviceSynchronize(), "CIS step kernels");
  anchorQuery.download(h.anchorQuery, size_t(rows * d), "cudaMemcpy(cis anchor out)");
  anchorNorm.download(h.anchorNorm, size_t(rows), "cudaMemcpy(cis norm out)");
  anchored.download(h.anchored, size_t(rows), "cudaMemcpy(cis anchored out)");
  ranking.download(h.ranking, size_t(rows * B), "cudaMemcpy(cis ranking out)");
  rankingSize.download(h.rankingSize, size_t(rows), "cudaMemcpy(cis ranking size out)");
  reanchor.download(h.reanchor, size_t(rows), "cudaMemcpy(cis flags out)");
  indices.download(h.indices, size_t(rows * B), "cudaMemcpy(cis indices out)");
  sizes.download(h.sizes, size_t(rows), "cudaMemcpy(cis sizes out)");
}

}  // namespace cuda
}  // namespace prhs
