// A dense layer y = x·Wᵀ in fp32 for the CPU model engine (src/model/engines/cpuEngine.ts).
#pragma once
#include <cstdint>

namespace prhs {

// Dot products are summed in 8 interleaved partial sums, then added as a tree
// ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)): a term goes through at most ceil(n/8) + 3 roundings
// (theory/model.md, "CPU engine").
constexpr int64_t kLinearLanes = 8;

struct LinearShape {
  int64_t rows;         // input rows (tokens)
  int64_t inFeatures;   // columns of x and of W
  int64_t outFeatures;  // rows of W
};

// weight [outFeatures, inFeatures], input [rows, inFeatures], out [rows, outFeatures]; all fp32.
void linear(const float* weight, const float* input, const LinearShape& shape, float* out);

}  // namespace prhs
