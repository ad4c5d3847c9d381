// Kernels of PrHS selection inside the model engine (selectionKernels.hpp).
#include <cmath>

#include "../cudaCheck.hpp"
#include "../orderedRank.cuh"
#include "deviceMath.cuh"
#include "groupScoreSteps.cuh"
#include "pagedCache.cuh"
#include "selectionKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

template <typename T>
__global__ void widenKernel(const T* in, int64_t n, float* out) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    out[i] = widen(in[i]);
}

// The staged group scores: the same scores, bit for bit, with the keys read in 16-byte loads.
// A warp takes 8 consecutive positions (half a page: 8 · headDim contiguous elements), loads them
// with 16-byte loads into its own shared buffer, and lane l reads back elements l, l + 32, ...,
// so each score's fp32 fma chain and its butterfly sum are those of groupScoreKernel. The 8
// positions' sums are reduced together: at offsets 16, 8 and 4 a lane keeps half of its partial
// sums and sends the other half (each kept sum adds exactly the partner value the butterfly adds),
// then offsets 2 and 1 as in warpSum; lane l ends with position (l >> 2) & 7: 9 shuffles for 8
// positions instead of 40. The block holds its row's group query in shared memory; items are
// (listed row, kStageSpan positions).
constexpr int kStagePositions = 8;
constexpr int kStageBatches = 4;  // batches of 8 positions per warp and item
constexpr int64_t kStageSpan = int64_t(kWarps) * kStagePositions * kStageBatches;

__device__ __forceinline__ float transposedWarpSum8(float (&v)[kStagePositions]) {
  const int lane = threadIdx.x & 31;
#pragma unroll
  for (int half = 4, offset = 16; half >= 1; half >>= 1, offset >>= 1) {
    const bool upper = (lane & offset) != 0;
#pragma unroll
    for (int k = 0; k < half; ++k) {
      const float send = upper ? v[k] : v[k + half];
      const float keep = upper ? v[k + half] : v[k];
      v[k] = keep + __shfl_xor_sync(0xffffffffu, send, offset);
    }
  }
  float x = v[0];
  x += __shfl_xor_sync(0xffffffffu, x, 2);
  x += __shfl_xor_sync(0xffffffffu, x, 1);
  return x;
}

size_t stagedSharedBytes(Dtype dtype, int64_t group, int64_t headDim) {
  const size_t element = dtype == Dtype::bf16 ? sizeof(__nv_bfloat16) : sizeof(__half);
  return size_t(group * headDim) * sizeof(float) + size_t(kWarps * kStagePositions * headDim) * element;
}

// Dynamic shared memory above 48 KiB needs the kernel's opt-in (a group of 16 heads at head dim 256).
template <typename Kernel>
void allowStagedShared(Kernel kernel, size_t bytes) {
  if (bytes > 48 * 1024)
    check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)),
          "cudaFuncSetAttribute (staged group scores)");
}

template <typename T>
__global__ void __launch_bounds__(kThreads) stagedGroupScoreKernel(GroupScoreParams p) {
  extern __shared__ float stagedShared[];  // query [group · headDim], then per warp [8, headDim] of T
  const int d = int(p.headDim);
  const int64_t width = p.group * d;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  float* q = stagedShared;
  T* stage = reinterpret_cast<T*>(stagedShared + width) + warp * kStagePositions * d;
  const int64_t count = scoredRowCount(p);
  const int64_t tiles = (longestVisible(p) + kStageSpan - 1) / kStageSpan;
  const int chunks = kStagePositions * d / 8;  // 16-byte chunks of 8 positions
  int64_t loaded = -1;
  for (int64_t item = blockIdx.x; item < count * tiles; item += gridDim.x) {
    const auto [row, b, kv, length] = scoredRow(p, item / tiles);
    const int64_t tileStart = (item % tiles) * kStageSpan;
    if (tileStart >= length) continue;  // the same for the whole block
    if (row != loaded) {
      __syncthreads();  // every warp is done with the previous row's query
      for (int64_t i = threadIdx.x; i < width; i += kThreads) q[i] = p.query[row * width + i];
      __syncthreads();
      loaded = row;
    }
    for (int batch = 0; batch < kStageBatches; ++batch) {
      const int64_t t0 = tileStart + (int64_t(batch) * kWarps + warp) * kStagePositions;
      if (t0 >= length) break;
      // t0 is a multiple of 8, so its 8 positions lie in one page: one contiguous run of rows.
      const uint4* src = reinterpret_cast<const uint4*>(
          static_cast<const T*>(p.keyPool) + cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, kv, t0) * d);
      const int64_t inside = length - t0 < kStagePositions ? length - t0 : kStagePositions;
      const int valid = int(inside) * d / 8;  // chunks of positions before the end
      uint4* dst = reinterpret_cast<uint4*>(stage);
      for (int c = lane; c < chunks; c += 32) dst[c] = c < valid ? src[c] : make_uint4(0u, 0u, 0u, 0u);
      __syncwarp();
      float best = -INFINITY;
      for (int64_t g = 0; g < p.group; ++g) {
        float dot[kStagePositions];
        laneDots(q + g * d, d, lane, [&](int i, int c) { return widen(stage[i * d + c]); }, dot);
        best = fmaxf(best, transposedWarpSum8(dot) * p.scale);
      }
      const int i = (lane >> 2) & 7;
      if ((lane & 3) == 0 && t0 + i < length) p.out[row * p.capacity + t0 + i] = best;
      __syncwarp();  // the stage is reused by the next batch
    }
  }
}

__global__ void streamingKernel(StreamingKeptParams p) {
  const int64_t row = blockIdx.x;
  const int64_t length = visible(p.lengths, row / p.kvHeads);
  const int64_t k = p.budget < length ? p.budget : length, s = p.sinks < k ? p.sinks : k;
  for (int64_t j = threadIdx.x; j < k; j += blockDim.x)
    p.kept[row * p.stride + j] = int32_t(j < s ? j : length - (k - j));
  if (threadIdx.x == 0) p.keptCount[row] = int32_t(k);
}

// Marks in 16-byte chunks: each thread zeroes, then counts and writes out, 16 consecutive marks,
// so a row of N positions takes ⌈N / (16 · kSortThreads)⌉ ordered tiles.
constexpr int kSortThreads = 1024;
constexpr int kMarksPerChunk = 16;

__global__ void __launch_bounds__(kSortThreads) sortKeptKernel(SortKeptParams p) {
  __shared__ int warpCounts[kSortThreads / 32 + 1];
  const int64_t row = blockIdx.x;
  const int64_t length = visible(p.lengths, row / p.kvHeads);
  const int64_t chunks = (length + kMarksPerChunk - 1) / kMarksPerChunk;
  uint8_t* marks = p.marks + row * p.marksStride;
  uint4* chunk = reinterpret_cast<uint4*>(marks);
  for (int64_t c = threadIdx.x; c < chunks; c += kSortThreads) chunk[c] = make_uint4(0u, 0u, 0u, 0u);
  __syncthreads();
  const int64_t n = p.sizes ? p.sizes[row] : (p.count < length ? p.count : length);
  for (int64_t j = threadIdx.x; j < n; j += kSortThreads) {
    const int32_t pos = p.indices[row * p.indexStride + j];
    if (pos >= 0 && pos < length) marks[pos] = 1;
  }
  __syncthreads();
  int64_t count = 0;
  for (int64_t c0 = 0; c0 < chunks; c0 += kSortThreads) {
    const int64_t c = c0 + threadIdx.x;
    const uint4 v = c < chunks ? chunk[c] : make_uint4(0u, 0u, 0u, 0u);
    const int mine = __popc(v.x) + __popc(v.y) + __popc(v.z) + __popc(v.w);  // marks are 0 or 1
    int total = 0;
    int64_t at = count + orderedOffset<kSortThreads / 32>(mine, warpCounts, &total);
    if (mine > 0) {
      const uint32_t words[4] = {v.x, v.y, v.z, v.w};
      for (int w = 0; w < 4; ++w) {
        for (int byte = 0; byte < 4; ++byte) {
          if (((words[w] >> (8 * byte)) & 0xffu) == 0) continue;
          if (at < p.stride) p.kept[row * p.stride + at] = int32_t(c * kMarksPerChunk + 4 * w + byte);
          ++at;
        }
      }
    }
    count += total;
  }
  if (threadIdx.x == 0) p.keptCount[row] = int32_t(count < p.stride ? count : p.stride);
}

__global__ void __launch_bounds__(kThreads)
    compactRowsKernel(const uint8_t* flags, int64_t rows, int32_t* list, int32_t* count) {
  __shared__ int warpCounts[kWarps + 1];
  int64_t written = 0;
  for (int64_t r0 = 0; r0 < rows; r0 += kThreads) {
    const int64_t r = r0 + threadIdx.x;
    const bool flag = r < rows && flags[r] != 0;
    int total = 0;
    const int rank = orderedRank<kWarps>(flag, warpCounts, &total);
    if (flag) list[written + rank] = int32_t(r);
    written += total;
  }
  if (threadIdx.x == 0) *count = int32_t(written);
}

__global__ void countKernel(const int32_t* keptCount, const uint8_t* reanchor, int everyRow, int64_t rows,
                            unsigned long long* counters) {
  __shared__ unsigned long long sums[2];
  if (threadIdx.x == 0) sums[0] = sums[1] = 0;
  __syncthreads();
  for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) {
    atomicAdd(&sums[0], (unsigned long long)keptCount[r]);
    const bool retrieved = reanchor ? reanchor[r] != 0 : everyRow != 0;
    if (retrieved) atomicAdd(&sums[1], 1ull);
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    counters[0] += sums[0];
    counters[1] += sums[1];
    counters[2] += (unsigned long long)rows;
  }
}

__device__ bool listed(const int32_t* list, int64_t n, int64_t pos) {
  int64_t lo = 0, hi = n;
  while (lo < hi) {
    const int64_t mid = (lo + hi) / 2;
    if (list[mid] < pos)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < n && list[lo] == pos;
}

// Block-wide reductions in a fixed order (thread 0 over the shared array): deterministic.
__device__ double blockReduce(double x, double* scratch, bool maximum) {
  scratch[threadIdx.x] = x;
  __syncthreads();
  if (threadIdx.x == 0) {
    double r = scratch[0];
    for (int i = 1; i < kThreads; ++i) r = maximum ? fmax(r, scratch[i]) : r + scratch[i];
    scratch[kThreads] = r;
  }
  __syncthreads();
  const double r = scratch[kThreads];
  __syncthreads();
  return r;
}

template <typename T>
__global__ void __launch_bounds__(kThreads) checkKernel(CheckHeadParams p) {
  __shared__ double scratch[kThreads + 1];
  __shared__ double weight[kThreads];
  __shared__ uint8_t inList[kThreads];
  const int64_t head = blockIdx.x, b = head / p.queryHeads, h = head % p.queryHeads;
  const int64_t kv = h / (p.queryHeads / p.kvHeads), d = p.headDim, N = p.length;
  const T* q = static_cast<const T*>(p.query) + head * d;
  const T* K = static_cast<const T*>(p.keyPool);
  const T* V = static_cast<const T*>(p.valuePool);
  const int32_t* list = p.kept + (b * p.kvHeads + kv) * p.stride;
  const int64_t listSize = p.keptCount[b * p.kvHeads + kv];
  auto logit = [&](int64_t t, double* magnitude) {
    const T* k = K + cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, kv, t) * d;
    double dot = 0, absolute = 0;
    for (int64_t c = 0; c < d; ++c) {
      const double x = double(widen(q[c])) * double(widen(k[c]));  // exact: two 11-bit significands
      dot += x;
      absolute += fabs(x);
    }
    if (magnitude) *magnitude = fmax(*magnitude, absolute * double(p.scale));
    return dot * double(p.scale);
  };
  double m = -INFINITY, magnitude = 0;
  for (int64_t t = threadIdx.x; t < N; t += kThreads) m = fmax(m, logit(t, &magnitude));
  m = blockReduce(m, scratch, true);
  magnitude = blockReduce(magnitude, scratch, true);
  double total = 0, dropped = 0, maxNormSq = 0, o = 0, ohat = 0;
  const int64_t c = threadIdx.x;
  for (int64_t t0 = 0; t0 < N; t0 += kThreads) {
    const int64_t t = t0 + threadIdx.x;
    if (t < N) {
      const double w = exp(logit(t, nullptr) - m);
      const bool in = listed(list, listSize, t);
      const T* v = V + cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, kv, t) * d;
      double norm = 0;
      for (int64_t e = 0; e < d; ++e) norm += double(widen(v[e])) * double(widen(v[e]));
      maxNormSq = fmax(maxNormSq, norm);
      total += w;
      if (!in) dropped += w;
      weight[threadIdx.x] = w;
      inList[threadIdx.x] = in;
    }
    __syncthreads();
    if (c < d) {
      for (int64_t j = 0; j < kThreads && t0 + j < N; ++j) {
        const T* v = V + cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, kv, t0 + j) * d;
        const double x = weight[j] * double(widen(v[c]));
        o += x;
        if (inList[j]) ohat += x;
      }
    }
    __syncthreads();
  }
  total = blockReduce(total, scratch, false);
  dropped = blockReduce(dropped, scratch, false);
  maxNormSq = blockReduce(maxNormSq, scratch, true);
  const double keptWeight = total - dropped;
  double exactDiff = 0, engineDiff = 0, denseErr = 0, sparseErr = 0;
  if (c < d) {
    o /= total;
    ohat = keptWeight > 0 ? ohat / keptWeight : 0;
    const double oe = widen(static_cast<const T*>(p.denseOut)[head * d + c]);
    const double se = widen(static_cast<const T*>(p.sparseOut)[head * d + c]);
    exactDiff = (o - ohat) * (o - ohat);
    engineDiff = (oe - se) * (oe - se);
    denseErr = (oe - o) * (oe - o);
    sparseErr = (se - ohat) * (se - ohat);
  }
  exactDiff = blockReduce(exactDiff, scratch, false);
  engineDiff = blockReduce(engineDiff, scratch, false);
  denseErr = blockReduce(denseErr, scratch, false);
  sparseErr = blockReduce(sparseErr, scratch, false);
  if (threadIdx.x == 0) {
    double* r = p.record + head * kCheckFields;
    r[kDelta] = dropped / total;
    r[kMaxValueNorm] = sqrt(maxNormSq);
    r[kExactGap] = sqrt(exactDiff);
    r[kEngineGap] = sqrt(engineDiff);
    r[kDenseError] = sqrt(denseErr);
    r[kSparseError] = sqrt(sparseErr);
    r[kKept] = double(listSize);
    r[kLogitMagnitude] = magnitude;
  }
}

}  // namespace

void launchWidenQuery(Dtype dtype, const void* query, int64_t elements, float* out, cudaStream_t stream) {
  const unsigned blocks =
      unsigned((elements + kThreads - 1) / kThreads < 4096 ? (elements + kThreads - 1) / kThreads : 4096);
  if (dtype == Dtype::bf16) {
    widenKernel<<<blocks, kThreads, 0, stream>>>(static_cast<const __nv_bfloat16*>(query), elements, out);
  } else {
    widenKernel<<<blocks, kThreads, 0, stream>>>(static_cast<const __half*>(query), elements, out);
  }
  checkLaunch("selection query widen kernel");
}

bool stagedGroupScoresSupport(int64_t headDim) { return headDim % 8 == 0 && headDim <= kGroupScoreMaxHeadDim; }

int64_t stagedGroupScoreBlocksPerSm(Dtype dtype, int64_t group, int64_t headDim) {
  const size_t shared = stagedSharedBytes(dtype, group, headDim);
  int blocks = 0;
  if (dtype == Dtype::bf16) {
    allowStagedShared(stagedGroupScoreKernel<__nv_bfloat16>, shared);
    check(
        cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, stagedGroupScoreKernel<__nv_bfloat16>, kThreads, shared),
        "cudaOccupancyMaxActiveBlocksPerMultiprocessor (staged group scores)");
  } else {
    allowStagedShared(stagedGroupScoreKernel<__half>, shared);
    check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, stagedGroupScoreKernel<__half>, kThreads, shared),
          "cudaOccupancyMaxActiveBlocksPerMultiprocessor (staged group scores)");
  }
  return blocks > 0 ? blocks : 1;
}

void launchStagedGroupScores(const GroupScoreParams& p, int64_t blocks, cudaStream_t stream) {
  if (blocks == 0 || p.batch * p.kvHeads == 0) return;
  if (!stagedGroupScoresSupport(p.headDim)) check(cudaErrorInvalidValue, "staged group score kernel (head dim)");
  const size_t shared = stagedSharedBytes(p.dtype, p.group, p.headDim);
  if (p.dtype == Dtype::bf16) {
    allowStagedShared(stagedGroupScoreKernel<__nv_bfloat16>, shared);
    stagedGroupScoreKernel<__nv_bfloat16><<<unsigned(blocks), kThreads, shared, stream>>>(p);
  } else {
    allowStagedShared(stagedGroupScoreKernel<__half>, shared);
    stagedGroupScoreKernel<__half><<<unsigned(blocks), kThreads, shared, stream>>>(p);
  }
  checkLaunch("selection staged group score kernel");
}

void launchStreamingKept(const StreamingKeptParams& p, cudaStream_t stream) {
  streamingKernel<<<unsigned(p.rows), kThreads, 0, stream>>>(p);
  checkLaunch("StreamingLLM kept-set kernel");
}

void launchCompactRows(const uint8_t* flags, int64_t rows, int32_t* list, int32_t* count, cudaStream_t stream) {
  compactRowsKernel<<<1, kThreads, 0, stream>>>(flags, rows, list, count);
  checkLaunch("re-anchor row list kernel");
}

void launchSortKept(const SortKeptParams& p, cudaStream_t stream) {
  if (p.marksStride % kMarksPerChunk != 0) check(cudaErrorInvalidValue, "kept-list order kernel (marks stride)");
  sortKeptKernel<<<unsigned(p.rows), kSortThreads, 0, stream>>>(p);
  checkLaunch("kept-list order kernel");
}

void launchCountSelection(const int32_t* keptCount, const uint8_t* reanchor, bool everyRowRetrieves, int64_t rows,
                          unsigned long long* counters, cudaStream_t stream) {
  countKernel<<<1, kThreads, 0, stream>>>(keptCount, reanchor, everyRowRetrieves ? 1 : 0, rows, counters);
  checkLaunch("selection counter kernel");
}

void launchCheckHeads(const CheckHeadParams& p, cudaStream_t stream) {
  const unsigned blocks = unsigned(p.batch * p.queryHeads);
  if (p.dtype == Dtype::bf16) {
    checkKernel<__nv_bfloat16><<<blocks, kThreads, 0, stream>>>(p);
  } else {
    checkKernel<__half><<<blocks, kThreads, 0, stream>>>(p);
  }
  checkLaunch("selection check kernel");
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
