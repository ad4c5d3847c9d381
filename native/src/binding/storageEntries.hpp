// Entry points roundToStorage and widenStorage (fp16/bf16 conversions).
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <string>

#include "../halfPrecision.hpp"
#include "arrayArguments.hpp"

namespace {

// fp32 -> fp16/bf16 bits (round to nearest even), for cross-checking the TypeScript rounding.
Napi::Value RoundToStorage(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "values"});
  const std::string dtype = text(o, "dtype", {"fp16", "bf16"});
  const Napi::Value raw = o.get("values");
  if (!raw.IsTypedArray()) reject(false, "values", "a Float32Array", describe(raw));
  const int64_t length = int64_t(rawView(raw).length);
  const CheckedArray values = typedArray(o, "values", napi_float32_array, 4, length);
  Napi::Uint16Array out = Napi::Uint16Array::New(info.Env(), size_t(length));
  Pointers p;
  const auto* vp = static_cast<const float*>(p.take(values, false));
  for (int64_t i = 0; i < length; ++i) {
    out[size_t(i)] = dtype == "fp16" ? prhs::half::floatToFp16(vp[i]) : prhs::half::floatToBf16(vp[i]);
  }
  return out;
}

// fp16/bf16 bits -> fp32 (exact).
Napi::Value WidenStorage(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "bits"});
  const std::string dtype = text(o, "dtype", {"fp16", "bf16"});
  const Napi::Value raw = o.get("bits");
  if (!raw.IsTypedArray()) reject(false, "bits", "a Uint16Array", describe(raw));
  const int64_t length = int64_t(rawView(raw).length);
  const CheckedArray bits = typedArray(o, "bits", napi_uint16_array, 2, length);
  Napi::Float32Array out = Napi::Float32Array::New(info.Env(), size_t(length));
  Pointers p;
  const auto* bp = static_cast<const uint16_t*>(p.take(bits, false));
  for (int64_t i = 0; i < length; ++i) {
    out[size_t(i)] = dtype == "fp16" ? prhs::half::fp16ToFloat(bp[i]) : prhs::half::bf16ToFloat(bp[i]);
  }
  return out;
}

}  // namespace
