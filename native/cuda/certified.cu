// Page summaries and the certified dropped mass δ̂ on the GPU, in float64: native/src/certified.cpp
// ported operation for operation (this file is compiled with --fmad=false so every multiply and add
// rounds once, as on the CPU). Every operation is rounded outward, so δ ≤ δ̂ ≤ 1 for the exact δ on
// every finite input (theory/certified.md; CUDA's double sqrt is correctly rounded and exp is
// within 1 ulp, inside the 2^-51 the bound trusts).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"

namespace prhs {
namespace cuda {
namespace {

constexpr double kUlpFactor = 0x1p-52;
constexpr double kTiny = 4.9406564584124654e-324;  // 2^-1074
constexpr double kMax = 1.7976931348623157e308;
constexpr double kExpMargin = 0x1p-50;

__device__ __forceinline__ double infinity() { return __longlong_as_double(0x7ff0000000000000ll); }

// Outward rounding, as src/numeric/directedRounding.ts: if r = fl(x), then down(r) <= x <= up(r).
__device__ __forceinline__ double up(double r) { return r == -infinity() ? -kMax : r + (fabs(r) * kUlpFactor + kTiny); }
__device__ __forceinline__ double down(double r) { return r == infinity() ? kMax : r - (fabs(r) * kUlpFactor + kTiny); }

__device__ __forceinline__ double scaledProductUp(double s, double x, double y) {
  if (s == 0 || x == 0 || y == 0) return 0;
  const double sx = s * x;
  return up((y > 0 ? up(sx) : down(sx)) * y);
}
__device__ __forceinline__ double scaledProductDown(double s, double x, double y) {
  if (s == 0 || x == 0 || y == 0) return 0;
  const double sx = s * x;
  return down((y > 0 ? down(sx) : up(sx)) * y);
}

__device__ __forceinline__ double expUp(double x) { return up(exp(x) * (1 + kExpMargin)); }
__device__ __forceinline__ double expDown(double x) {
  const double bound = down(exp(x) * (1 - kExpMargin));
  return bound < 0 ? 0.0 : bound;
}

__device__ __forceinline__ double widenAt(Dtype dtype, const void* data, int64_t index) {
  switch (dtype) {
    case Dtype::fp32: return double(static_cast<const float*>(data)[index]);
    case Dtype::fp16: return double(__half2float(static_cast<const __half*>(data)[index]));
    case Dtype::bf16: return double(__bfloat162float(static_cast<const __nv_bfloat16*>(data)[index]));
  }
  return 0.0;
}

// std::max / std::min semantics (the first argument wins unless the second compares greater/less).
__device__ __forceinline__ double maxOf(double a, double b) { return a < b ? b : a; }
__device__ __forceinline__ double minOf(double a, double b) { return b < a ? b : a; }

// Upper bound on the norm of any x with |x_c| <= |v_c|, scaled by the largest entry before squaring.
__device__ double normUp(const double* v, int64_t n) {
  double largest = 0;
  for (int64_t c = 0; c < n; ++c) largest = maxOf(largest, fabs(v[c]));
  if (largest == 0 || largest == infinity()) return largest;
  double sum = 0;
  for (int64_t c = 0; c < n; ++c) {
    const double t = up(fabs(v[c]) / largest);
    sum = up(sum + up(t * t));
  }
  return up(largest * up(sqrt(sum)));
}

__device__ double ratioUp(double a, double b) {
  const double denominator = down(a + b);
  if (!(denominator > 0)) return 1;
  return minOf(1.0, up(a / denominator));
}

// One block per (cache, page): min, max, mean per channel (threads over channels), then the radius.
__global__ void pageSummaryKernel(Dtype dtype, const void* keys, int64_t tokens, int64_t d, int64_t pageSize,
                                  int64_t pages, float* minimum, float* maximum, float* center, float* radius) {
  const int64_t cache = blockIdx.x / pages, p = blockIdx.x % pages;
  const int64_t start = p * pageSize, end = start + pageSize < tokens ? start + pageSize : tokens;
  const int64_t base = cache * tokens * d;
  const int64_t summary = (cache * pages + p) * d;
  for (int64_t c = threadIdx.x; c < d; c += blockDim.x) {
    float lo = __int_as_float(0x7f800000), hi = -__int_as_float(0x7f800000);
    double mean = 0.0;
    for (int64_t i = start; i < end; ++i) {
      const double x = widenAt(dtype, keys, base + i * d + c);
      const float xf = float(x);
      lo = xf < lo ? xf : lo;
      hi = hi < xf ? xf : hi;
      mean += x;
    }
    minimum[summary + c] = lo;
    maximum[summary + c] = hi;
    center[summary + c] = float(mean / double(end - start));
  }
  __syncthreads();
  __shared__ double largestOf[256];
  // Each |k - c| rounded up, the norm scaled before squaring (two passes: no per-thread buffer),
  // then the radius rounded up to float; as normUp in the reference.
  double largest = 0.0;
  for (int64_t i = start + threadIdx.x; i < end; i += blockDim.x) {
    double top = 0.0;
    for (int64_t c = 0; c < d; ++c) {
      top = maxOf(top, up(fabs(widenAt(dtype, keys, base + i * d + c) - double(center[summary + c]))));
    }
    double norm = top;
    if (top != 0.0 && top != infinity()) {
      double sum = 0.0;
      for (int64_t c = 0; c < d; ++c) {
        const double t = up(up(fabs(widenAt(dtype, keys, base + i * d + c) - double(center[summary + c]))) / top);
        sum = up(sum + up(t * t));
      }
      norm = up(top * up(sqrt(sum)));
    }
    largest = maxOf(largest, norm);
  }
  largestOf[threadIdx.x] = largest;
  __syncthreads();
  if (threadIdx.x == 0) {
    double m = 0.0;
    for (int t = 0; t < int(blockDim.x); ++t) m = maxOf(m, largestOf[t]);
    radius[cache * pages + p] = m > 3.4028234663852886e38 ? __int_as_float(0x7f800000) : __double2float_ru(m);
  }
}

__device__ double pageBound(const double* q, int64_t d, const float* minimum, const float* maximum, const float* center,
                            double radius, double scale, double queryNorm, PageBound kind) {
  double minmax = 0;
  for (int64_t c = 0; c < d; ++c) {
    minmax = up(minmax + maxOf(scaledProductUp(scale, q[c], double(minimum[c])),
                               scaledProductUp(scale, q[c], double(maximum[c]))));
  }
  if (kind == PageBound::minmax || scale < 0) return minmax;
  double centre = 0;
  for (int64_t c = 0; c < d; ++c) centre = up(centre + scaledProductUp(scale, q[c], double(center[c])));
  const double ballTerm = (scale == 0 || queryNorm == 0 || radius == 0) ? 0 : up(up(fabs(scale) * queryNorm) * radius);
  const double ball = up(centre + ballTerm);
  return kind == PageBound::ball ? ball : minOf(minmax, ball);
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
    double logit = 0;
    for (int64_t c = 0; c < d; ++c) {
      logit = down(logit +
                   scaledProductDown(a.scale, q[c], widenAt(a.dtype, a.keys, (cache * a.tokens + kept[j]) * d + c)));
    }
    keptLogits[keptCount++] = logit;
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
      numerator = up(numerator + up(double(droppedCounts[p]) * expUp(up(pageBounds[p] - reference))));
  }
  for (int64_t j = 0; j < keptCount; ++j) keptSum = down(keptSum + expDown(down(keptLogits[j] - reference)));
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
