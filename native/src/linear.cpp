#include "linear.hpp"

namespace prhs {

namespace {

float dot(const float* w, const float* x, int64_t n) {
  float s[kLinearLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + kLinearLanes <= n; i += kLinearLanes) {
    for (int64_t l = 0; l < kLinearLanes; ++l) s[l] += w[i + l] * x[i + l];
  }
  for (int64_t l = 0; i < n; ++i, ++l) s[l] += w[i] * x[i];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

}  // namespace

void linear(const float* weight, const float* input, const LinearShape& shape, float* out) {
  for (int64_t o = 0; o < shape.outFeatures; ++o) {
    const float* w = weight + o * shape.inFeatures;
    for (int64_t r = 0; r < shape.rows; ++r)
      out[r * shape.outFeatures + o] = dot(w, input + r * shape.inFeatures, shape.inFeatures);
  }
}

}  // namespace prhs
