// Page summaries and the certified dropped mass δ̂, in float64: src/core/certifiedDroppedMass.ts
// and src/numeric/directedRounding.ts ported operation for operation. Every operation is rounded
// outward, so δ ≤ δ̂ ≤ 1 for the exact δ on every finite input (theory/certified.md); this file is
// built with -ffp-contract=off, which that argument needs.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "halfPrecision.hpp"
#include "kernels.hpp"

namespace prhs {
namespace {

double widen(Dtype dtype, const void* data, int64_t index) {
  switch (dtype) {
    case Dtype::fp32: return double(static_cast<const float*>(data)[index]);
    case Dtype::fp16: return double(half::fp16ToFloat(static_cast<const uint16_t*>(data)[index]));
    case Dtype::bf16: return double(half::bf16ToFloat(static_cast<const uint16_t*>(data)[index]));
  }
  return 0.0;
}

constexpr double kUlpFactor = 0x1p-52;
constexpr double kTiny = std::numeric_limits<double>::denorm_min();
constexpr double kMax = std::numeric_limits<double>::max();
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kExpMargin = 0x1p-50;  // Math.exp/std::exp trusted within 2^-51 relative, doubled

// Outward rounding, as src/numeric/directedRounding.ts: if r = fl(x), then down(r) <= x <= up(r),
// for every finite operation including overflow, underflow and subnormals (theory/certified.md).
double up(double r) { return r == -kInfinity ? -kMax : r + (std::fabs(r) * kUlpFactor + kTiny); }
double down(double r) { return r == kInfinity ? kMax : r - (std::fabs(r) * kUlpFactor + kTiny); }

// Bounds on s*x*y for exact doubles; a zero factor gives 0, so an overflowed infinity never meets 0.
double scaledProductUp(double s, double x, double y) {
  if (s == 0 || x == 0 || y == 0) return 0;
  const double sx = s * x;
  return up((y > 0 ? up(sx) : down(sx)) * y);
}
double scaledProductDown(double s, double x, double y) {
  if (s == 0 || x == 0 || y == 0) return 0;
  const double sx = s * x;
  return down((y > 0 ? down(sx) : up(sx)) * y);
}

// Upper bound on the norm of any x with |x_c| <= |v_c|, scaled by the largest entry before squaring.
double normUp(const double* v, int64_t n) {
  double largest = 0;
  for (int64_t c = 0; c < n; ++c) largest = std::max(largest, std::fabs(v[c]));
  if (largest == 0 || largest == kInfinity) return largest;
  double sum = 0;
  for (int64_t c = 0; c < n; ++c) {
    const double t = up(std::fabs(v[c]) / largest);
    sum = up(sum + up(t * t));
  }
  return up(largest * up(std::sqrt(sum)));
}

double expUp(double x) { return up(std::exp(x) * (1 + kExpMargin)); }
double expDown(double x) { return std::max(0.0, down(std::exp(x) * (1 - kExpMargin))); }

double ratioUp(double a, double b) {
  const double denominator = down(a + b);
  if (!(denominator > 0)) return 1;
  return std::min(1.0, up(a / denominator));
}

float roundUpToFloat(double value) {
  if (value > double(std::numeric_limits<float>::max())) return std::numeric_limits<float>::infinity();
  float rounded = float(value);
  if (double(rounded) < value) rounded = std::nextafter(rounded, std::numeric_limits<float>::infinity());
  return rounded;
}

// U_P >= max_{i in P} scale*q*k_i in exact arithmetic, as pageLogitUpperBound in the reference
// (queryNorm: normUp of q).
double pageBound(const double* q, int64_t d, const float* minimum, const float* maximum, const float* center,
                 double radius, double scale, double queryNorm, PageBound kind) {
  double minmax = 0;
  for (int64_t c = 0; c < d; ++c) {
    minmax = up(minmax + std::max(scaledProductUp(scale, q[c], double(minimum[c])),
                                  scaledProductUp(scale, q[c], double(maximum[c]))));
  }
  if (kind == PageBound::minmax || scale < 0) return minmax;
  double centre = 0;
  for (int64_t c = 0; c < d; ++c) centre = up(centre + scaledProductUp(scale, q[c], double(center[c])));
  const double ballTerm =
      (scale == 0 || queryNorm == 0 || radius == 0) ? 0 : up(up(std::fabs(scale) * queryNorm) * radius);
  const double ball = up(centre + ballTerm);
  return kind == PageBound::ball ? ball : std::min(minmax, ball);
}

// delta-hat from upper bounds on the dropped exponents and lower bounds on the kept ones, as
// boundFromExponents in the reference.
double boundFromExponents(const double* upper, const int64_t* counts, int64_t pages, const double* lower,
                          int64_t keptCount) {
  double reference = -kInfinity;
  for (int64_t p = 0; p < pages; ++p) {
    if (counts[p] > 0) reference = std::max(reference, upper[p]);
  }
  if (reference == -kInfinity) return 0;
  if (reference == kInfinity) return 1;
  for (int64_t j = 0; j < keptCount; ++j) reference = std::max(reference, lower[j]);
  double numerator = 0, kept = 0;
  for (int64_t p = 0; p < pages; ++p) {
    if (counts[p] > 0) numerator = up(numerator + up(double(counts[p]) * expUp(up(upper[p] - reference))));
  }
  for (int64_t j = 0; j < keptCount; ++j) kept = down(kept + expDown(down(lower[j] - reference)));
  return ratioUp(numerator, kept);
}

}  // namespace

void pageSummaries(Dtype dtype, const void* keys, const AttentionShape& s, int64_t pageSize, float* minimum,
                   float* maximum, float* center, float* radius) {
  const int64_t d = s.headDim;
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  std::vector<double> mean(size_t(d), 0.0);
  std::vector<double> difference(size_t(d), 0.0);
  for (int64_t cache = 0; cache < s.batch * s.kvHeads; ++cache) {
    const int64_t base = cache * s.tokens * d;
    for (int64_t p = 0; p < pages; ++p) {
      const int64_t start = p * pageSize, end = std::min(s.tokens, start + pageSize);
      float* lo = minimum + (cache * pages + p) * d;
      float* hi = maximum + (cache * pages + p) * d;
      float* mid = center + (cache * pages + p) * d;
      std::fill(mean.begin(), mean.end(), 0.0);
      for (int64_t c = 0; c < d; ++c) {
        lo[c] = std::numeric_limits<float>::infinity();
        hi[c] = -std::numeric_limits<float>::infinity();
      }
      for (int64_t i = start; i < end; ++i) {
        for (int64_t c = 0; c < d; ++c) {
          const double x = widen(dtype, keys, base + i * d + c);
          lo[c] = std::min(lo[c], float(x));  // exact: x is a widened storage value
          hi[c] = std::max(hi[c], float(x));
          mean[size_t(c)] += x;
        }
      }
      for (int64_t c = 0; c < d; ++c) mid[c] = float(mean[size_t(c)] / double(end - start));
      // Each |k - c| rounded up, the norm scaled before squaring, the radius rounded up to float.
      double largest = 0;
      for (int64_t i = start; i < end; ++i) {
        for (int64_t c = 0; c < d; ++c) {
          difference[size_t(c)] = up(std::fabs(widen(dtype, keys, base + i * d + c) - double(mid[c])));
        }
        largest = std::max(largest, normUp(difference.data(), d));
      }
      radius[cache * pages + p] = roundUpToFloat(largest);
    }
  }
}

void certifiedDroppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& s, double scale,
                          const int32_t* indices, int64_t selected, int64_t pageSize, const float* minimum,
                          const float* maximum, const float* center, const float* radius, PageBound kind, double* out) {
  const int64_t d = s.headDim;
  const int64_t group = s.queryHeads / s.kvHeads;
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  std::vector<double> q(static_cast<size_t>(d));
  std::vector<double> keptLogits(static_cast<size_t>(selected));
  std::vector<double> pageBounds(static_cast<size_t>(pages));
  std::vector<int64_t> droppedCounts(static_cast<size_t>(pages));
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.queryHeads; ++h) {
      const int64_t cache = b * s.kvHeads + h / group;
      for (int64_t c = 0; c < d; ++c) q[size_t(c)] = widen(dtype, query, (b * s.queryHeads + h) * d + c);
      const double queryNorm = normUp(q.data(), d);
      const int32_t* kept = indices + (b * s.queryHeads + h) * selected;
      for (int64_t p = 0; p < pages; ++p) {
        droppedCounts[size_t(p)] = std::min(s.tokens, (p + 1) * pageSize) - p * pageSize;
      }
      int64_t keptCount = 0;
      for (int64_t j = 0; j < selected; ++j) {
        if (kept[j] < 0) continue;
        // A lower bound on the exact kept logit (a smaller kept sum can only raise delta-hat).
        double logit = 0;
        for (int64_t c = 0; c < d; ++c) {
          logit = down(
              logit + scaledProductDown(scale, q[size_t(c)], widen(dtype, keys, (cache * s.tokens + kept[j]) * d + c)));
        }
        keptLogits[size_t(keptCount++)] = logit;
        droppedCounts[size_t(kept[j] / pageSize)] -= 1;
      }
      for (int64_t p = 0; p < pages; ++p) {
        if (droppedCounts[size_t(p)] > 0) {
          const int64_t offset = (cache * pages + p) * d;
          pageBounds[size_t(p)] = pageBound(q.data(), d, minimum + offset, maximum + offset, center + offset,
                                            double(radius[cache * pages + p]), scale, queryNorm, kind);
        }
      }
      out[b * s.queryHeads + h] =
          boundFromExponents(pageBounds.data(), droppedCounts.data(), pages, keptLogits.data(), keptCount);
    }
  }
}

}  // namespace prhs
