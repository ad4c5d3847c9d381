// The certified dropped mass δ̂ on the GPU, device side (theory/certified.md): outward-rounded
// float64 operations, the per-page logit bounds, the page summaries and the outward ratio, shared by
// the kernel layer (native/cuda/certified.cu) and the model engine's check mode
// (native/cuda/model/certifiedCheck.cu). Every multiply, add, divide and square root is an explicit
// round-to-nearest intrinsic (__dmul_rn, __dadd_rn, ...): the compiler never contracts them into a
// fused multiply-add, whatever --fmad says, so each rounds once as the proof assumes.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>

#include "../src/kernels.hpp"

namespace prhs {
namespace cuda {
namespace certified {

constexpr double kUlpFactor = 0x1p-52;
constexpr double kTiny = 4.9406564584124654e-324;  // 2^-1074
constexpr double kMax = 1.7976931348623157e308;
constexpr double kExpMargin = 0x1p-50;

__device__ __forceinline__ double infinity() { return __longlong_as_double(0x7ff0000000000000ll); }

// Outward rounding, as src/numeric/directedRounding.ts: if r = fl(x), then down(r) <= x <= up(r).
__device__ __forceinline__ double up(double r) {
  return r == -infinity() ? -kMax : __dadd_rn(r, __dadd_rn(__dmul_rn(fabs(r), kUlpFactor), kTiny));
}
__device__ __forceinline__ double down(double r) {
  return r == infinity() ? kMax : __dsub_rn(r, __dadd_rn(__dmul_rn(fabs(r), kUlpFactor), kTiny));
}

__device__ __forceinline__ double scaledProductUp(double s, double x, double y) {
  if (s == 0 || x == 0 || y == 0) return 0;
  const double sx = __dmul_rn(s, x);
  return up(__dmul_rn(y > 0 ? up(sx) : down(sx), y));
}
__device__ __forceinline__ double scaledProductDown(double s, double x, double y) {
  if (s == 0 || x == 0 || y == 0) return 0;
  const double sx = __dmul_rn(s, x);
  return down(__dmul_rn(y > 0 ? down(sx) : up(sx), y));
}

__device__ __forceinline__ double expUp(double x) { return up(__dmul_rn(exp(x), 1 + kExpMargin)); }
__device__ __forceinline__ double expDown(double x) {
  const double bound = down(__dmul_rn(exp(x), 1 - kExpMargin));
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
__device__ inline double normUp(const double* v, int64_t n) {
  double largest = 0;
  for (int64_t c = 0; c < n; ++c) largest = maxOf(largest, fabs(v[c]));
  if (largest == 0 || largest == infinity()) return largest;
  double sum = 0;
  for (int64_t c = 0; c < n; ++c) {
    const double t = up(__ddiv_rn(fabs(v[c]), largest));
    sum = up(__dadd_rn(sum, up(__dmul_rn(t, t))));
  }
  return up(__dmul_rn(largest, up(__dsqrt_rn(sum))));
}

// min(1, a / (a + b)) rounded up; 1 when the denominator rounds to 0.
__device__ __forceinline__ double ratioUp(double a, double b) {
  const double denominator = down(__dadd_rn(a, b));
  if (!(denominator > 0)) return 1;
  return minOf(1.0, up(__ddiv_rn(a, denominator)));
}

// Upper bound on scale · q · k over a page with these summaries (minmax box, ball, or the smaller).
__device__ inline double pageBound(const double* q, int64_t d, const float* minimum, const float* maximum,
                                   const float* center, double radius, double scale, double queryNorm, PageBound kind) {
  double minmax = 0;
  for (int64_t c = 0; c < d; ++c) {
    minmax = up(__dadd_rn(minmax, maxOf(scaledProductUp(scale, q[c], double(minimum[c])),
                                        scaledProductUp(scale, q[c], double(maximum[c])))));
  }
  if (kind == PageBound::minmax || scale < 0) return minmax;
  double centre = 0;
  for (int64_t c = 0; c < d; ++c) centre = up(__dadd_rn(centre, scaledProductUp(scale, q[c], double(center[c]))));
  const double ballTerm =
      (scale == 0 || queryNorm == 0 || radius == 0) ? 0 : up(__dmul_rn(up(__dmul_rn(fabs(scale), queryNorm)), radius));
  const double ball = up(__dadd_rn(centre, ballTerm));
  return kind == PageBound::ball ? ball : minOf(minmax, ball);
}

// Lower bound on scale · q · k for one key (keyAt(c): its channel c as a double), rounded down.
template <typename KeyAt>
__device__ double logitDown(const double* q, int64_t d, double scale, const KeyAt& keyAt) {
  double logit = 0;
  for (int64_t c = 0; c < d; ++c) logit = down(__dadd_rn(logit, scaledProductDown(scale, q[c], keyAt(c))));
  return logit;
}

// A dropped page's term of the numerator, m_P · e^{U_P − R} rounded up.
__device__ __forceinline__ double droppedTermUp(int64_t count, double bound, double reference) {
  return up(__dmul_rn(double(count), expUp(up(__dsub_rn(bound, reference)))));
}
// A kept key's term of the denominator, e^{L_j − R} rounded down.
__device__ __forceinline__ double keptTermDown(double logit, double reference) {
  return expDown(down(__dsub_rn(logit, reference)));
}

// The summary of one page of `count` keys, by the whole block (blockDim ≤ 256): per channel min,
// max and mean (threads over channels, each a sequential sum), then the radius: the largest
// outward norm of k − center over the page (threads over keys), rounded up to float (∞ above the
// float range). keyAt(i, c): key i's channel c as a double. largestOf: [blockDim] shared doubles.
template <typename KeyAt>
__device__ void summarisePage(const KeyAt& keyAt, int64_t count, int64_t d, float* minimum, float* maximum,
                              float* center, float* radius, double* largestOf) {
  for (int64_t c = threadIdx.x; c < d; c += blockDim.x) {
    float lo = __int_as_float(0x7f800000), hi = -__int_as_float(0x7f800000);
    double mean = 0.0;
    for (int64_t i = 0; i < count; ++i) {
      const double x = keyAt(i, c);
      const float xf = float(x);
      lo = xf < lo ? xf : lo;
      hi = hi < xf ? xf : hi;
      mean = __dadd_rn(mean, x);
    }
    minimum[c] = lo;
    maximum[c] = hi;
    center[c] = float(__ddiv_rn(mean, double(count)));
  }
  __syncthreads();
  // Each |k - c| rounded up, the norm scaled before squaring (two passes: no per-thread buffer).
  double largest = 0.0;
  for (int64_t i = threadIdx.x; i < count; i += blockDim.x) {
    double top = 0.0;
    for (int64_t c = 0; c < d; ++c) top = maxOf(top, up(fabs(__dsub_rn(keyAt(i, c), double(center[c])))));
    double norm = top;
    if (top != 0.0 && top != infinity()) {
      double sum = 0.0;
      for (int64_t c = 0; c < d; ++c) {
        const double t = up(__ddiv_rn(up(fabs(__dsub_rn(keyAt(i, c), double(center[c])))), top));
        sum = up(__dadd_rn(sum, up(__dmul_rn(t, t))));
      }
      norm = up(__dmul_rn(top, up(__dsqrt_rn(sum))));
    }
    largest = maxOf(largest, norm);
  }
  largestOf[threadIdx.x] = largest;
  __syncthreads();
  if (threadIdx.x == 0) {
    double m = 0.0;
    for (int t = 0; t < int(blockDim.x); ++t) m = maxOf(m, largestOf[t]);
    *radius = m > 3.4028234663852886e38 ? __int_as_float(0x7f800000) : __double2float_ru(m);
  }
  __syncthreads();
}

}  // namespace certified
}  // namespace cuda
}  // namespace prhs
