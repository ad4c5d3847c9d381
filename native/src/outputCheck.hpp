// The two heavy passes of `prhs check-output` (src/verify/nativeGroupCheck.ts) over stored keys and
// values, in float64 and fp32 exactly as the TypeScript oracle computes them (src/verify/
// groupCheck.ts, naiveKernels.ts, referenceBounds.ts, backends/reference/float64Kernels.ts): the
// same operations in the same order, no FMA contraction, so every result has the same bits. The
// softmax exponentials stay in JavaScript (Math.exp), between the two passes, for the same reason.
// Callers validate every pointer, length and index first.
#pragma once
#include <cstdint>

#include "kernels.hpp"

namespace prhs {

struct CheckShape {
  int64_t groups;  // KV heads in this call (batch × kvHeads slices, consecutive)
  int64_t heads;   // query heads per KV head; rows = groups × heads
  int64_t tokens;
  int64_t headDim;
  int64_t valueDim;
};

// Per row r (query head) and token i of its KV head, into [rows, tokens] arrays:
//   reference[r, i]  = scale · (s0 + s1 + (s2 + s3)), four interleaved float64 partial sums of q_c·k_ic
//   sequential[r, i] = scale · Σ_c q_c·k_ic summed left to right in float64, absolute[r, i] = Σ_c |q_c·k_ic|
//   naive[r, i]      = fl32(fl32(scale) · Σ_c fl32(q_c·k_ic)), summed left to right in fp32
// query [rows, headDim] as exact float64 values; keys [groups, tokens, headDim] in storage dtype.
void checkLogits(Dtype dtype, const double* query, const void* keys, const CheckShape& shape, double scale,
                 double* reference, double* sequential, double* absolute, float* naive);

// Weighted sums over each row's tokens: token list `indices` [rows, listLength] (-1 = padding,
// skipped), or every token in order when indices is null (then listLength = tokens). Per row, in
// list order, column by column:
//   reference[r, c] = Σ w_j·v_jc over w_j ≠ 0                      (float64)
//   magnitude[r, c] = Σ a_j·|v_jc|, largest[r] = max |v_jc| (NaN if any is NaN)   (when a is given)
//   naive[r, c]     = Σ fl32(p_j·v_jc) over p_j ≠ 0, accumulated in fp32          (when p is given)
// and valueNorm[g] = max over all tokens of sqrt(Σ_c v_ic²) (when valueNorm is given).
struct WeightedSums {
  const double* referenceWeights;  // [rows, listLength]
  const double* magnitudeWeights;  // [rows, listLength] or null
  const float* naiveWeights;       // [rows, listLength] or null
  double* reference;               // [rows, valueDim]
  double* magnitude;               // [rows, valueDim] (with magnitudeWeights)
  double* largest;                 // [rows] (with magnitudeWeights)
  float* naive;                    // [rows, valueDim] (with naiveWeights)
  double* valueNorm;               // [groups] or null
};
void checkWeightedSums(Dtype dtype, const void* values, const CheckShape& shape, const int32_t* indices,
                       int64_t listLength, const WeightedSums& sums);

}  // namespace prhs
