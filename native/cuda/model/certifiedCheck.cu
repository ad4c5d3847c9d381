// Check mode's certified dropped mass (certifiedCheck.hpp): page summaries of the paged cache, then
// one block per (sequence, query head) for δ̂. Sums of outward-rounded terms are sound in any order
// (each partial is an upper, or lower, bound of the exact partial), so threads sum their own terms
// and thread 0 adds the partials in a fixed order: deterministic, and the same bound as the
// reference's sequential loop up to the rounding of the order.
#include <cmath>

#include "../certifiedMath.cuh"
#include "../cudaCheck.hpp"
#include "certifiedCheck.hpp"
#include "pagedCache.cuh"

namespace prhs {
namespace cuda {
namespace model {
namespace {

using namespace certified;

constexpr int kThreads = 256;
constexpr int kMaxHeadDim = 256;

struct SummaryParams {
  Dtype dtype;
  const void* keyPool;
  const int32_t* pageTable;
  int64_t kvHeads, headDim, pagesPerSequence, length, pages;  // pages: visible pages
  float *minimum, *maximum, *center, *radius;                 // [batch, kvHeads, pagesPerSequence, (headDim)]
};

// One block per (sequence, KV head, visible page).
__global__ void __launch_bounds__(kThreads) pagedSummaryKernel(SummaryParams p) {
  __shared__ double largestOf[kThreads];
  const int64_t cache = blockIdx.x / p.pages, page = blockIdx.x % p.pages;
  const int64_t b = cache / p.kvHeads, kv = cache % p.kvHeads, d = p.headDim;
  const int64_t start = page * kPageSize;
  const int64_t count = p.length - start < kPageSize ? p.length - start : kPageSize;
  const int64_t first = cacheRow(p.pageTable, p.pagesPerSequence, p.kvHeads, b, kv, start) * d;
  const auto keyAt = [&](int64_t i, int64_t c) { return widenAt(p.dtype, p.keyPool, first + i * d + c); };
  const int64_t summary = cache * p.pagesPerSequence + page;
  summarisePage(keyAt, count, d, p.minimum + summary * d, p.maximum + summary * d, p.center + summary * d,
                p.radius + summary, largestOf);
}

struct RowParams {
  Dtype dtype;
  const void* query;
  const void* keyPool;
  const int32_t* pageTable;
  int64_t queryHeads, kvHeads, headDim, pagesPerSequence, length, pages;
  double scale;
  const int32_t* kept;
  const int32_t* keptCount;
  int64_t stride;
  const float *minimum, *maximum, *center, *radius;
  double* pageBounds;      // [rows, pagesPerSequence]
  int32_t* droppedCounts;  // [rows, pagesPerSequence]
  double* keptLogits;      // [rows, stride]
  double* out;
  int64_t outStride;
};

// Thread 0 combines the block's values in thread order with `combine`; every thread gets the result.
template <typename Combine>
__device__ double blockCombine(double x, double* scratch, const Combine& combine) {
  scratch[threadIdx.x] = x;
  __syncthreads();
  if (threadIdx.x == 0) {
    double r = scratch[0];
    for (int i = 1; i < kThreads; ++i) r = combine(r, scratch[i]);
    scratch[kThreads] = r;
  }
  __syncthreads();
  const double r = scratch[kThreads];
  __syncthreads();
  return r;
}

__global__ void __launch_bounds__(kThreads) certifiedRowKernel(RowParams a) {
  __shared__ double q[kMaxHeadDim];
  __shared__ double scratch[kThreads + 1];
  __shared__ double queryNorm;
  const int64_t row = blockIdx.x, b = row / a.queryHeads, h = row % a.queryHeads;
  const int64_t kv = h / (a.queryHeads / a.kvHeads), d = a.headDim, cache = b * a.kvHeads + kv;
  for (int64_t c = threadIdx.x; c < d; c += kThreads) q[c] = widenAt(a.dtype, a.query, row * d + c);
  int32_t* dropped = a.droppedCounts + row * a.pagesPerSequence;
  for (int64_t p = threadIdx.x; p < a.pages; p += kThreads) {
    const int64_t count = a.length - p * kPageSize;
    dropped[p] = int32_t(count < kPageSize ? count : kPageSize);
  }
  __syncthreads();
  if (threadIdx.x == 0) queryNorm = normUp(q, d);
  const int32_t* list = a.kept + cache * a.stride;
  const int64_t listSize = a.keptCount[cache];
  double* keptLogits = a.keptLogits + row * a.stride;
  for (int64_t j = threadIdx.x; j < listSize; j += kThreads) {
    const int64_t pos = list[j];
    const int64_t key = cacheRow(a.pageTable, a.pagesPerSequence, a.kvHeads, b, kv, pos) * d;
    keptLogits[j] = logitDown(q, d, a.scale, [&](int64_t c) { return widenAt(a.dtype, a.keyPool, key + c); });
    atomicSub(&dropped[pos / kPageSize], 1);
  }
  __syncthreads();
  double* bounds = a.pageBounds + row * a.pagesPerSequence;
  double highest = -infinity();
  for (int64_t p = threadIdx.x; p < a.pages; p += kThreads) {
    if (dropped[p] <= 0) continue;
    const int64_t s = cache * a.pagesPerSequence + p;
    bounds[p] = pageBound(q, d, a.minimum + s * d, a.maximum + s * d, a.center + s * d, double(a.radius[s]), a.scale,
                          queryNorm, PageBound::min);
    highest = maxOf(highest, bounds[p]);
  }
  const auto larger = [](double x, double y) { return maxOf(x, y); };
  double reference = blockCombine(highest, scratch, larger);
  double* out = a.out + row * a.outStride;
  if (reference == -infinity() || reference == infinity()) {  // nothing dropped: 0; an unbounded page: 1
    if (threadIdx.x == 0) *out = reference == infinity() ? 1.0 : 0.0;
    return;
  }
  for (int64_t j = threadIdx.x; j < listSize; j += kThreads) highest = maxOf(highest, keptLogits[j]);
  reference = blockCombine(highest, scratch, larger);
  double numerator = 0, keptSum = 0;
  for (int64_t p = threadIdx.x; p < a.pages; p += kThreads) {
    if (dropped[p] > 0) numerator = up(__dadd_rn(numerator, droppedTermUp(dropped[p], bounds[p], reference)));
  }
  for (int64_t j = threadIdx.x; j < listSize; j += kThreads)
    keptSum = down(__dadd_rn(keptSum, keptTermDown(keptLogits[j], reference)));
  numerator = blockCombine(numerator, scratch, [](double x, double y) { return up(__dadd_rn(x, y)); });
  keptSum = blockCombine(keptSum, scratch, [](double x, double y) { return down(__dadd_rn(x, y)); });
  if (threadIdx.x == 0) *out = ratioUp(numerator, keptSum);
}

}  // namespace

CertifiedCheck::CertifiedCheck(const ModelSpec& spec, int64_t stride) : spec_(spec), stride_(stride) {
  const ModelSpec& s = spec_;
  const size_t summaries = size_t(s.batch * s.kvHeads * s.pagesPerSequence());
  const size_t rows = size_t(s.batch * s.queryHeads);
  minimum_ = arena_.reserve(summaries * size_t(s.headDim) * 4);
  maximum_ = arena_.reserve(summaries * size_t(s.headDim) * 4);
  center_ = arena_.reserve(summaries * size_t(s.headDim) * 4);
  radius_ = arena_.reserve(summaries * 4);
  pageBounds_ = arena_.reserve(rows * size_t(s.pagesPerSequence()) * 8);
  droppedCounts_ = arena_.reserve(rows * size_t(s.pagesPerSequence()) * 4);
  keptLogits_ = arena_.reserve(rows * size_t(stride) * 8);
  arena_.allocate("check mode's certified δ̂: page summaries and workspace");
}

void CertifiedCheck::run(const CertifiedCheckInput& in, cudaStream_t stream) {
  const ModelSpec& s = spec_;
  if (s.headDim > kMaxHeadDim) check(cudaErrorInvalidConfiguration, "certified δ̂ (headDim above 256)");
  if (in.stride != stride_) check(cudaErrorInvalidValue, "certified δ̂ (kept-list stride changed)");
  const int64_t pages = (in.length + kPageSize - 1) / kPageSize;
  if (pages == 0) return;
  SummaryParams sp{s.dtype,
                   in.keyPool,
                   in.pageTable,
                   s.kvHeads,
                   s.headDim,
                   s.pagesPerSequence(),
                   in.length,
                   pages,
                   arena_.at<float>(minimum_),
                   arena_.at<float>(maximum_),
                   arena_.at<float>(center_),
                   arena_.at<float>(radius_)};
  pagedSummaryKernel<<<unsigned(s.batch * s.kvHeads * pages), kThreads, 0, stream>>>(sp);
  checkLaunch("check-mode page summary kernel");
  RowParams rp{};
  rp.dtype = s.dtype;
  rp.query = in.query;
  rp.keyPool = in.keyPool;
  rp.pageTable = in.pageTable;
  rp.queryHeads = s.queryHeads;
  rp.kvHeads = s.kvHeads;
  rp.headDim = s.headDim;
  rp.pagesPerSequence = s.pagesPerSequence();
  rp.length = in.length;
  rp.pages = pages;
  rp.scale = double(1.f / std::sqrt(float(s.headDim)));  // the engine's fp32 scale, exactly
  rp.kept = in.kept;
  rp.keptCount = in.keptCount;
  rp.stride = in.stride;
  rp.minimum = arena_.at<float>(minimum_);
  rp.maximum = arena_.at<float>(maximum_);
  rp.center = arena_.at<float>(center_);
  rp.radius = arena_.at<float>(radius_);
  rp.pageBounds = arena_.at<double>(pageBounds_);
  rp.droppedCounts = arena_.at<int32_t>(droppedCounts_);
  rp.keptLogits = arena_.at<double>(keptLogits_);
  rp.out = in.out;
  rp.outStride = in.outStride;
  certifiedRowKernel<<<unsigned(s.batch * s.queryHeads), kThreads, 0, stream>>>(rp);
  checkLaunch("check-mode certified δ̂ kernel");
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
