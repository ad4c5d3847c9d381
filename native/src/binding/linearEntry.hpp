// Entry point linear (the CPU model engine's projections).
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include "../linear.hpp"
#include "arrayArguments.hpp"

namespace {

// y = x·Wᵀ in fp32 (the CPU model engine's projections): weight [outFeatures, inFeatures],
// input [rows, inFeatures]; returns [rows, outFeatures].
Napi::Value Linear(const Napi::CallbackInfo& info) {
  const Options o(info, {"weight", "input", "rows", "inFeatures", "outFeatures", "out"});
  prhs::LinearShape s{};
  s.rows = integer(o, "rows", 1, kMaxDim);
  s.inFeatures = integer(o, "inFeatures", 1, kMaxTokens);
  s.outFeatures = integer(o, "outFeatures", 1, kMaxTokens);
  const CheckedArray w =
      typedArray(o, "weight", napi_float32_array, 4, product({s.outFeatures, s.inFeatures}, "weight"));
  const CheckedArray x = typedArray(o, "input", napi_float32_array, 4, product({s.rows, s.inFeatures}, "input"));
  const CheckedArray out =
      outputArray<Napi::Float32Array>(o, info.Env(), napi_float32_array, 4, product({s.rows, s.outFeatures}, "out"));
  Pointers p;
  const float* wp = static_cast<const float*>(p.take(w, false));
  const float* xp = static_cast<const float*>(p.take(x, false));
  float* op = static_cast<float*>(p.take(out, true));
  prhs::linear(wp, xp, s, op);
  return out.value;
}

}  // namespace
