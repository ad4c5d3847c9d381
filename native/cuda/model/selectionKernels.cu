// Kernels of PrHS selection inside the model engine (selectionKernels.hpp).
#include <cmath>

#include "../cudaCheck.hpp"
#include "../orderedRank.cuh"
#include "deviceMath.cuh"
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
