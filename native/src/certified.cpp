// Page summaries and the certified dropped mass δ̂, in float64. The δ̂ arithmetic is
// src/core/certifiedDroppedMass.ts ported operation for operation, with one addition: each kept
// logit is lowered by its own rounding bound (γ_{d+2}·|s|·Σ|q_c k_c|), so δ̂ is an upper bound on the
// exact δ even though the kept logits themselves are computed in floating point.
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

constexpr double kEpsilon = 2.220446049250313e-16;  // 2^-52
constexpr double kUnit = kEpsilon / 2;               // 2^-53

float roundUpToFloat(double value) {
  float rounded = float(value);
  if (double(rounded) < value) rounded = std::nextafter(rounded, std::numeric_limits<float>::infinity());
  return rounded;
}

// U_P ≥ max_{i∈P} scale·q·k_i, as pageLogitUpperBound in the reference.
double pageBound(const double* q, int64_t d, const float* minimum, const float* maximum, const float* center,
                 double radius, double scale, PageBound kind) {
  double minmax = 0, minmaxMagnitude = 0, centre = 0, centreMagnitude = 0, qNormSquared = 0;
  for (int64_t c = 0; c < d; ++c) {
    const double x = q[c];
    const double best = std::max(x * double(minimum[c]), x * double(maximum[c]));
    minmax += best;
    minmaxMagnitude += std::fabs(best);
    centre += x * double(center[c]);
    centreMagnitude += std::fabs(x * double(center[c]));
    qNormSquared += x * x;
  }
  const double gamma = 1.01 * double(d + 4) * kUnit;
  const double tiny = std::numeric_limits<double>::denorm_min();
  const double upperMinmax = scale * minmax + std::fabs(scale) * gamma * minmaxMagnitude + tiny;
  const double ballRadius = std::sqrt(qNormSquared) * radius * (1 + gamma);
  const double upperBall = scale * centre + std::fabs(scale) * (gamma * centreMagnitude + ballRadius * (1 + gamma)) + tiny;
  if (kind == PageBound::minmax || scale < 0) return upperMinmax;
  if (kind == PageBound::ball) return upperBall;
  return std::min(upperMinmax, upperBall);
}

}  // namespace

void pageSummaries(Dtype dtype, const void* keys, const AttentionShape& s, int64_t pageSize, float* minimum,
                   float* maximum, float* center, float* radius) {
  const int64_t d = s.headDim;
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  std::vector<double> mean(size_t(d), 0.0);
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
      double largest = 0;
      for (int64_t i = start; i < end; ++i) {
        double sum = 0;
        for (int64_t c = 0; c < d; ++c) {
          const double diff = widen(dtype, keys, base + i * d + c) - double(mid[c]);
          sum += diff * diff;
        }
        largest = std::max(largest, std::sqrt(sum));
      }
      // The distances are computed to within a relative (d+4)·2^-53; round the radius up past that.
      radius[cache * pages + p] = roundUpToFloat(largest * (1 + double(d + 4) * kEpsilon));
    }
  }
}

void certifiedDroppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& s, double scale,
                          const int32_t* indices, int64_t selected, int64_t pageSize, const float* minimum,
                          const float* maximum, const float* center, const float* radius, PageBound kind,
                          double* out) {
  const int64_t d = s.headDim;
  const int64_t group = s.queryHeads / s.kvHeads;
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  std::vector<double> q(static_cast<size_t>(d));
  std::vector<double> keptLogits(static_cast<size_t>(selected));
  std::vector<double> pageBounds(static_cast<size_t>(pages));
  std::vector<int64_t> droppedCounts(static_cast<size_t>(pages));
  const double gammaDot = double(d + 2) * kUnit / (1 - double(d + 2) * kUnit);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.queryHeads; ++h) {
      const int64_t cache = b * s.kvHeads + h / group;
      for (int64_t c = 0; c < d; ++c) q[size_t(c)] = widen(dtype, query, (b * s.queryHeads + h) * d + c);
      const int32_t* kept = indices + (b * s.queryHeads + h) * selected;
      for (int64_t p = 0; p < pages; ++p) {
        droppedCounts[size_t(p)] = std::min(s.tokens, (p + 1) * pageSize) - p * pageSize;
      }
      int64_t keptCount = 0;
      for (int64_t j = 0; j < selected; ++j) {
        if (kept[j] < 0) continue;
        double dot = 0, magnitude = 0;
        for (int64_t c = 0; c < d; ++c) {
          const double product = q[size_t(c)] * widen(dtype, keys, (cache * s.tokens + kept[j]) * d + c);
          dot += product;
          magnitude += std::fabs(product);
        }
        // A lower bound on the exact kept logit (a smaller kept sum can only raise δ̂).
        keptLogits[size_t(keptCount++)] = scale * dot - std::fabs(scale) * gammaDot * magnitude;
        droppedCounts[size_t(kept[j] / pageSize)] -= 1;
      }
      double reference = -std::numeric_limits<double>::infinity();
      for (int64_t p = 0; p < pages; ++p) {
        if (droppedCounts[size_t(p)] > 0) {
          const int64_t offset = (cache * pages + p) * d;
          pageBounds[size_t(p)] = pageBound(q.data(), d, minimum + offset, maximum + offset, center + offset,
                                            double(radius[cache * pages + p]), scale, kind);
          reference = std::max(reference, pageBounds[size_t(p)]);
        }
      }
      if (reference == -std::numeric_limits<double>::infinity()) {
        out[b * s.queryHeads + h] = 0;
        continue;
      }
      for (int64_t j = 0; j < keptCount; ++j) reference = std::max(reference, keptLogits[size_t(j)]);
      double numerator = 0, keptSum = 0;
      for (int64_t p = 0; p < pages; ++p) {
        if (droppedCounts[size_t(p)] > 0) numerator += double(droppedCounts[size_t(p)]) * std::exp(pageBounds[size_t(p)] - reference);
      }
      for (int64_t j = 0; j < keptCount; ++j) keptSum += std::exp(keptLogits[size_t(j)] - reference);
      const double slack = double(pages + keptCount + 4) * kEpsilon;
      const double up = numerator * (1 + slack);
      const double down = keptSum * (1 - slack);
      out[b * s.queryHeads + h] = std::min(1.0, up / (up + down) * (1 + 4 * kEpsilon));
    }
  }
}

}  // namespace prhs
