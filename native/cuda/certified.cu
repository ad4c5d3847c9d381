// Page summaries and the certified dropped mass δ̂ on the GPU, in float64: native/src/certified.cpp
// ported operation for operation (the outward operations of certifiedMath.cuh are explicit
// round-to-nearest intrinsics, and this file is also compiled with --fmad=false, so every multiply
// and add rounds once, as on the CPU). Every operation is rounded outward, so δ ≤ δ̂ ≤ 1 for the exact δ on
// every finite input (theory/certified.md; CUDA's double sqrt is correctly rounded and exp is
// within 1 ulp, inside the 2^-51 the bound trusts).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "certifiedMath.cuh"
#include "cudaCheck.hpp"
#include "cudaKernels.hpp"

namespace prhs {
namespace cuda {
namespace {

using namespace certified;

// One block per (cache, page): min, max, mean per channel (threads over channels), then the radius.
__global__ void pageSummaryKernel(Dtype dtype, const void* keys, int64_t tokens, int64_t d, int64_t pageSize,
                                  int64_t pages, float* minimum, float* maximum, float* center, float* radius) {
  __shared__ double largestOf[256];
  const int64_t cache = blockIdx.x / pages, p = blockIdx.x % pages;
  const int64_t start = p * pageSize, end = start + pageSize < tokens ? start + pageSize : tokens;
  const int64_t base = cache * tokens * d + start * d;
  const int64_t summary = (cache * pages + p) * d;
  const auto keyAt = [&](int64_t i, int64_t c) { return widenAt(dtype, keys, base + i * d + c); };
  summarisePage(keyAt, end - start, d, minimum + summary, maximum + summary, center + summary,
                radius + cache * pages + p, largestOf);
}

struct CertifiedParams {
  Dtype dtype;
  const void* query;
  const void* keys;
  int64_t batch, queryHeads, kvHeads, tokens, d, selected, pageSize, pages;
  double scale;
  const int32_t* indices;
  const float *minimum, *maximum, *center, *radius;
  PageBound kind;
  double* q;               // scratch [rows, d]
  double* keptLogits;      // scratch [rows, selected]
  double* pageBounds;      // scratch [rows, pages]
  int64_t* droppedCounts;  // scratch [rows, pages]
  double* out;
};

// One thread per (batch, queryHead).
__global__ void certifiedKernel(CertifiedParams a) {
  const int64_t row = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (row >= a.batch * a.queryHeads) return;
  const int64_t d = a.d, pages = a.pages, b = row / a.queryHeads, h = row % a.queryHeads;
  const int64_t group = a.queryHeads / a.kvHeads;
  const int64_t cache = b * a.kvHeads + h / group;
  double* q = a.q + row * d;
  double* keptLogits = a.keptLogits + row * a.selected;
  double* pageBounds = a.pageBounds + row * pages;
  int64_t* droppedCounts = a.droppedCounts + row * pages;
  for (int64_t c = 0; c < d; ++c) q[c] = widenAt(a.dtype, a.query, row * d + c);
  const double queryNorm = normUp(q, d);
  const int32_t* kept = a.indices + row * a.selected;
  for (int64_t p = 0; p < pages; ++p) {
    const int64_t last = (p + 1) * a.pageSize < a.tokens ? (p + 1) * a.pageSize : a.tokens;
    droppedCounts[p] = last - p * a.pageSize;
  }
  int64_t keptCount = 0;
  for (int64_t j = 0; j < a.selected; ++j) {
    if (kept[j] < 0) continue;
    const int64_t key = (cache * a.tokens + kept[j]) * d;
    keptLogits[keptCount++] = logitDown(q, d, a.scale, [&](int64_t c) { return widenAt(a.dtype, a.keys, key + c); });
    droppedCounts[kept[j] / a.pageSize] -= 1;
  }
  double reference = -infinity();
  for (int64_t p = 0; p < pages; ++p) {
    if (droppedCounts[p] > 0) {
      const int64_t offset = (cache * pages + p) * d;
      pageBounds[p] = pageBound(q, d, a.minimum + offset, a.maximum + offset, a.center + offset,
                                double(a.radius[cache * pages + p]), a.scale, queryNorm, a.kind);
      reference = maxOf(reference, pageBounds[p]);
    }
  }
  if (reference == -infinity()) {
    a.out[row] = 0;
    return;
  }
  if (reference == infinity()) {
    a.out[row] = 1;
    return;
  }
  for (int64_t j = 0; j < keptCount; ++j) reference = maxOf(reference, keptLogits[j]);
  double numerator = 0, keptSum = 0;
  for (int64_t p = 0; p < pages; ++p) {
    if (droppedCounts[p] > 0)
      numerator = up(__dadd_rn(numerator, droppedTermUp(droppedCounts[p], pageBounds[p], reference)));
  }
  for (int64_t j = 0; j < keptCount; ++j) keptSum = down(__dadd_rn(keptSum, keptTermDown(keptLogits[j], reference)));
  a.out[row] = ratioUp(numerator, keptSum);
}

size_t storageBytes(Dtype dtype) { return dtype == Dtype::fp32 ? 4 : 2; }

}  // namespace
}  // namespace cuda

void pageSummaries(Dtype dtype, const void* keys, const AttentionShape& s, int64_t pageSize, float* minimum,
                   float* maximum, float* center, float* radius) {
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  const int64_t caches = s.batch * s.kvHeads;
  const size_t keyBytes = size_t(caches * s.tokens * s.headDim) * cuda::storageBytes(dtype);
  const size_t summary = size_t(caches * pages * s.headDim);
  if (caches * pages > 2147483647)
    cuda::check(cudaErrorInvalidConfiguration, "pageSummaries grid (more than 2^31 - 1 pages)");
  cuda::DeviceBuffer<unsigned char> k(keyBytes, "cudaMalloc(keys)");
  k.upload(keys, keyBytes, "cudaMemcpy(keys)");
  cuda::DeviceBuffer<float> lo(summary, "cudaMalloc(minimum)"), hi(summary, "cudaMalloc(maximum)"),
      mid(summary, "cudaMalloc(center)"), rad(size_t(caches * pages), "cudaMalloc(radius)");
  cuda::pageSummaryKernel<<<unsigned(caches * pages), 256>>>(dtype, k.get(), s.tokens, s.headDim, pageSize, pages,
                                                             lo.get(), hi.get(), mid.get(), rad.get());
  cuda::checkLaunch("pageSummaries launch");
  cuda::check(cudaDeviceSynchronize(), "pageSummaries kernel");
  lo.download(minimum, summary, "cudaMemcpy(minimum)");
  hi.download(maximum, summary, "cudaMemcpy(maximum)");
  mid.download(center, summary, "cudaMemcpy(center)");
  rad.download(radius, size_t(caches * pages), "cudaMemcpy(radius)");
}

void certifiedDroppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& s, double scale,
                          const int32_t* indices, int64_t selected, int64_t pageSize, const float* minimum,
                          const float* maximum, const float* center, const float* radius, PageBound kind, double* out) {
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  const int64_t rows = s.batch * s.queryHeads;
  const int64_t caches = s.batch * s.kvHeads;
  const size_t e = cuda::storageBytes(dtype);
  const size_t qBytes = size_t(rows * s.headDim) * e, kBytes = size_t(caches * s.tokens * s.headDim) * e;
  const size_t summary = size_t(caches * pages * s.headDim);
  cuda::DeviceBuffer<unsigned char> q(qBytes, "cudaMalloc(query)"), k(kBytes, "cudaMalloc(keys)");
  q.upload(query, qBytes, "cudaMemcpy(query)");
  k.upload(keys, kBytes, "cudaMemcpy(keys)");
  cuda::DeviceBuffer<int32_t> idx(size_t(rows * selected), "cudaMalloc(indices)");
  idx.upload(indices, size_t(rows * selected), "cudaMemcpy(indices)");
  cuda::DeviceBuffer<float> lo(summary, "cudaMalloc(minimum)"), hi(summary, "cudaMalloc(maximum)"),
      mid(summary, "cudaMalloc(center)"), rad(size_t(caches * pages), "cudaMalloc(radius)");
  lo.upload(minimum, summary, "cudaMemcpy(minimum)");
  hi.upload(maximum, summary, "cudaMemcpy(maximum)");
  mid.upload(center, summary, "cudaMemcpy(center)");
  rad.upload(radius, size_t(caches * pages), "cudaMemcpy(radius)");
  cuda::DeviceBuffer<double> qScratch(size_t(rows * s.headDim), "cudaMalloc(scratch)"),
      logits(size_t(rows * selected), "cudaMalloc(scratch)"), bounds(size_t(rows * pages), "cudaMalloc(scratch)"),
      result(size_t(rows), "cudaMalloc(out)");
  cuda::DeviceBuffer<int64_t> counts(size_t(rows * pages), "cudaMalloc(scratch)");
  cuda::CertifiedParams a{dtype,          q.get(),      k.get(),      s.batch,      s.queryHeads, s.kvHeads,
                          s.tokens,       s.headDim,    selected,     pageSize,     pages,        scale,
                          idx.get(),      lo.get(),     hi.get(),     mid.get(),    rad.get(),    kind,
                          qScratch.get(), logits.get(), bounds.get(), counts.get(), result.get()};
  cuda::certifiedKernel<<<unsigned((rows + 63) / 64), 64>>>(a);
  cuda::checkLaunch("certifiedDroppedMass launch");
  cuda::check(cudaDeviceSynchronize(), "certifiedDroppedMass kernel");
  result.download(out, size_t(rows), "cudaMemcpy(out)");
}

}  // namespace prhs
