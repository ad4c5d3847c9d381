// The heavy passes of `prhs check-output` (outputCheck.hpp): the same operations, in the same
// order, as the TypeScript oracle, so results are bit-identical. Built with -ffp-contract=off like
// the kernels; fp32 values are C++ floats (x86-64 SSE arithmetic: no excess precision).
#include "outputCheck.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "halfPrecision.hpp"

namespace prhs {
namespace {

// Tokens per tile: each head's dot products run across the tile's tokens side by side (one
// sequential sum per token, as in the oracle), which the compiler vectorises.
constexpr int64_t kTile = 8;

template <Dtype D>
struct Storage;
template <>
struct Storage<Dtype::fp32> {
  using Element = float;
  static float widen(float x) { return x; }
};
template <>
struct Storage<Dtype::fp16> {
  using Element = uint16_t;
  static float widen(uint16_t h) { return half::fp16ToFloat(h); }
};
template <>
struct Storage<Dtype::bf16> {
  using Element = uint16_t;
  static float widen(uint16_t h) { return half::bf16ToFloat(h); }
};

// JavaScript's Math.max over values that are never -0: NaN as soon as either is NaN.
inline double jsMax(double a, double b) { return (std::isnan(a) || std::isnan(b)) ? NAN : (b > a ? b : a); }

struct TileLogits {
  double reference[kTile], dot[kTile], absolute[kTile];
  float naive[kTile];
};

// The hot loops are compiled for AVX-512 and AVX2 as well as the baseline (picked at load time);
// FMA contraction stays off (-ffp-contract=off), so every clone rounds the same.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define PRHS_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define PRHS_CLONES
#endif

// One head against one tile of keys, stored transposed: kt[c * kTile + t] (float64) and kf (fp32).
// Three separate passes over the tile keep each pass's accumulators in registers.
PRHS_CLONES void tileLogits(const double* __restrict q, const float* __restrict qf, const double* __restrict kt,
                            const float* __restrict kf, int64_t d, TileLogits* __restrict r) {
  double s0[kTile] = {}, s1[kTile] = {}, s2[kTile] = {}, s3[kTile] = {};
  const int64_t d4 = d - d % 4;
  int64_t c = 0;
  for (; c < d4; c += 4) {
    const double q0 = q[c], q1 = q[c + 1], q2 = q[c + 2], q3 = q[c + 3];
    const double* k0 = kt + c * kTile;
    for (int64_t t = 0; t < kTile; ++t) {
      s0[t] += q0 * k0[t];
      s1[t] += q1 * k0[kTile + t];
      s2[t] += q2 * k0[2 * kTile + t];
      s3[t] += q3 * k0[3 * kTile + t];
    }
  }
  for (; c < d; ++c) {
    for (int64_t t = 0; t < kTile; ++t) s0[t] += q[c] * kt[c * kTile + t];
  }
  for (int64_t t = 0; t < kTile; ++t) r->reference[t] = s0[t] + s1[t] + (s2[t] + s3[t]);
  double dot[kTile] = {}, absolute[kTile] = {};
  for (c = 0; c < d; ++c) {
    const double qc = q[c];
    for (int64_t t = 0; t < kTile; ++t) {
      const double p = qc * kt[c * kTile + t];
      dot[t] += p;
      absolute[t] += std::fabs(p);
    }
  }
  float naive[kTile] = {};
  for (c = 0; c < d; ++c) {
    const float qfc = qf[c];
    for (int64_t t = 0; t < kTile; ++t) naive[t] = naive[t] + qfc * kf[c * kTile + t];
  }
  for (int64_t t = 0; t < kTile; ++t) {
    r->dot[t] = dot[t];
    r->absolute[t] = absolute[t];
    r->naive[t] = naive[t];
  }
}

template <Dtype D>
void groupLogits(const double* query, const typename Storage<D>::Element* keys, const CheckShape& s, double scale,
                 int64_t firstRow, double* reference, double* sequential, double* absolute, float* naive) {
  const int64_t d = s.headDim;
  const int64_t n = s.tokens;
  const float scale32 = float(scale);
  std::vector<double> kt(size_t(d * kTile));
  std::vector<float> kf(size_t(d * kTile));
  std::vector<float> qf(size_t(s.heads * d));
  for (int64_t i = 0; i < s.heads * d; ++i) qf[size_t(i)] = float(query[firstRow * d + i]);
  TileLogits r;
  for (int64_t i0 = 0; i0 < n; i0 += kTile) {
    const int64_t width = std::min(kTile, n - i0);
    for (int64_t t = 0; t < kTile; ++t) {
      for (int64_t c = 0; c < d; ++c) {
        const float k = t < width ? Storage<D>::widen(keys[(i0 + t) * d + c]) : 0.0f;
        kf[size_t(c * kTile + t)] = k;
        kt[size_t(c * kTile + t)] = k;
      }
    }
    for (int64_t h = 0; h < s.heads; ++h) {
      const int64_t row = firstRow + h;
      tileLogits(query + row * d, qf.data() + h * d, kt.data(), kf.data(), d, &r);
      for (int64_t t = 0; t < width; ++t) {
        const int64_t at = row * n + i0 + t;
        reference[at] = scale * r.reference[t];
        sequential[at] = scale * r.dot[t];
        absolute[at] = r.absolute[t];
        naive[at] = scale32 * r.naive[t];
      }
    }
  }
}

template <Dtype D>
void logitsAll(const double* query, const void* keys, const CheckShape& s, double scale, double* reference,
               double* sequential, double* absolute, float* naive) {
  const auto* k = static_cast<const typename Storage<D>::Element*>(keys);
  for (int64_t g = 0; g < s.groups; ++g) {
    groupLogits<D>(query, k + g * s.tokens * s.headDim, s, scale, g * s.heads, reference, sequential, absolute, naive);
  }
}

// One value row decoded (exactly) to float64 and fp32.
template <Dtype D>
void decodeRow(const typename Storage<D>::Element* row, int64_t dv, double* v, float* vf) {
  for (int64_t c = 0; c < dv; ++c) {
    vf[c] = Storage<D>::widen(row[c]);
    v[c] = vf[c];
  }
}

PRHS_CLONES void addScaled(double* __restrict out, double weight, const double* __restrict v, int64_t dv) {
  for (int64_t c = 0; c < dv; ++c) out[c] += weight * v[c];
}

// out += a·|v|; returns the largest |v_c| and sets *nan when one is NaN (Math.max then gives NaN).
PRHS_CLONES double addMagnitudes(double* __restrict out, double a, const double* __restrict v, int64_t dv, bool* nan) {
  double largest = 0;
  bool anyNan = false;
  for (int64_t c = 0; c < dv; ++c) {
    const double magnitude = std::fabs(v[c]);
    out[c] += a * magnitude;
    largest = magnitude > largest ? magnitude : largest;
    anyNan |= magnitude != magnitude;
  }
  *nan = *nan || anyNan;
  return largest;
}

PRHS_CLONES void addScaledFloat(float* __restrict out, float p, const float* __restrict v, int64_t dv) {
  for (int64_t c = 0; c < dv; ++c) out[c] = out[c] + p * v[c];
}

// Adds token (list position) j of `row` with value v to the row's sums; `nan` collects NaN |v|.
void accumulate(const WeightedSums& w, int64_t row, int64_t j, int64_t listLength, int64_t dv, const double* v,
                const float* vf, bool* nan) {
  const int64_t at = row * listLength + j;
  const double weight = w.referenceWeights[at];
  if (weight != 0) addScaled(w.reference + row * dv, weight, v, dv);
  if (w.magnitudeWeights != nullptr) {
    const double largest = addMagnitudes(w.magnitude + row * dv, w.magnitudeWeights[at], v, dv, nan + row);
    if (largest > w.largest[row]) w.largest[row] = largest;
  }
  if (w.naiveWeights != nullptr) {
    const float p = w.naiveWeights[at];
    if (p != 0) addScaledFloat(w.naive + row * dv, p, vf, dv);
  }
}

template <Dtype D>
void weightedAll(const void* values, const CheckShape& s, const int32_t* indices, int64_t listLength,
                 const WeightedSums& w) {
  const auto* base = static_cast<const typename Storage<D>::Element*>(values);
  const int64_t dv = s.valueDim;
  const int64_t rows = s.groups * s.heads;
  std::fill(w.reference, w.reference + rows * dv, 0.0);
  if (w.magnitudeWeights != nullptr) {
    std::fill(w.magnitude, w.magnitude + rows * dv, 0.0);
    std::fill(w.largest, w.largest + rows, 0.0);
  }
  if (w.naiveWeights != nullptr) std::fill(w.naive, w.naive + rows * dv, 0.0f);
  std::vector<double> v(static_cast<size_t>(dv));
  std::vector<float> vf(static_cast<size_t>(dv));
  std::unique_ptr<bool[]> nanFlags(new bool[size_t(rows)]());
  bool* nan = nanFlags.get();
  for (int64_t g = 0; g < s.groups; ++g) {
    const auto* cache = base + g * s.tokens * dv;
    if (indices == nullptr) {
      // Every head of the group reads every token in order: decode each row once for all of them.
      for (int64_t i = 0; i < s.tokens; ++i) {
        decodeRow<D>(cache + i * dv, dv, v.data(), vf.data());
        for (int64_t h = 0; h < s.heads; ++h)
          accumulate(w, g * s.heads + h, i, listLength, dv, v.data(), vf.data(), nan);
      }
    } else {
      for (int64_t h = 0; h < s.heads; ++h) {
        const int64_t row = g * s.heads + h;
        for (int64_t j = 0; j < listLength; ++j) {
          const int32_t i = indices[row * listLength + j];
          if (i == -1) continue;
          decodeRow<D>(cache + int64_t(i) * dv, dv, v.data(), vf.data());
          accumulate(w, row, j, listLength, dv, v.data(), vf.data(), nan);
        }
      }
    }
    if (w.valueNorm != nullptr) {
      double largest = 0;
      for (int64_t i = 0; i < s.tokens; ++i) {
        decodeRow<D>(cache + i * dv, dv, v.data(), vf.data());
        double squared = 0;
        for (int64_t c = 0; c < dv; ++c) squared += v[size_t(c)] * v[size_t(c)];
        largest = jsMax(largest, std::sqrt(squared));
      }
      w.valueNorm[g] = largest;
    }
  }
  if (w.magnitudeWeights != nullptr) {
    for (int64_t r = 0; r < rows; ++r) {
      if (nan[r]) w.largest[r] = NAN;
    }
  }
}

}  // namespace

void checkLogits(Dtype dtype, const double* query, const void* keys, const CheckShape& shape, double scale,
                 double* reference, double* sequential, double* absolute, float* naive) {
  switch (dtype) {
    case Dtype::fp32: return logitsAll<Dtype::fp32>(query, keys, shape, scale, reference, sequential, absolute, naive);
    case Dtype::fp16: return logitsAll<Dtype::fp16>(query, keys, shape, scale, reference, sequential, absolute, naive);
    case Dtype::bf16: return logitsAll<Dtype::bf16>(query, keys, shape, scale, reference, sequential, absolute, naive);
  }
}

void checkWeightedSums(Dtype dtype, const void* values, const CheckShape& shape, const int32_t* indices,
                       int64_t listLength, const WeightedSums& sums) {
  switch (dtype) {
    case Dtype::fp32: return weightedAll<Dtype::fp32>(values, shape, indices, listLength, sums);
    case Dtype::fp16: return weightedAll<Dtype::fp16>(values, shape, indices, listLength, sums);
    case Dtype::bf16: return weightedAll<Dtype::bf16>(values, shape, indices, listLength, sums);
  }
}

}  // namespace prhs
