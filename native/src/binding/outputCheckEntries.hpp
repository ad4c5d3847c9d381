// Entry points of `prhs check-output`'s native passes (outputCheck.hpp): checkLogits, checkWeightedSums.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
//
// checkLogits({dtype, query, keys, groups, heads, tokens, headDim, scale}) →
//   {reference, sequential, absolute: Float64Array [rows, tokens], naive: Float32Array [rows, tokens]}
// checkWeightedSums({dtype, values, groups, heads, tokens, valueDim, indices?, listLength?,
//   referenceWeights, magnitudeWeights?, naiveWeights?, valueNorm?: boolean}) →
//   {reference [rows, valueDim], magnitude?, largest? [rows], naive? (Float32Array), valueNorm? [groups]}
// rows = groups × heads; query is a Float64Array [rows, headDim]; keys and values are storage
// arrays [groups, tokens, headDim | valueDim]; indices an Int32Array [rows, listLength] of tokens
// or -1; the weight arrays are [rows, listLength] (listLength = tokens without indices).

#pragma once

#include <napi.h>

#include "../outputCheck.hpp"
#include "arrayArguments.hpp"
#include "attentionArguments.hpp"
#include "guard.hpp"
#include "scalarArguments.hpp"

namespace {

prhs::CheckShape checkShape(const Options& o, bool values) {
  prhs::CheckShape s{};
  s.groups = integer(o, "groups", 1, kMaxDim);
  s.heads = integer(o, "heads", 1, kMaxDim);
  s.tokens = integer(o, "tokens", 1, kMaxTokens);
  s.headDim = values ? 1 : integer(o, "headDim", 1, kMaxDim);
  s.valueDim = values ? integer(o, "valueDim", 1, kMaxDim) : 1;
  if (product({s.groups, s.heads, s.tokens}, "tokens") > kMaxScratchFloats) {
    reject(true, "tokens", "groups × heads × tokens below 2^31", "a larger product");
  }
  return s;
}

Napi::Value CheckLogits(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "groups", "heads", "tokens", "headDim", "scale"});
  const Dtype dtype = dtypeOf(o);
  const prhs::CheckShape s = checkShape(o, false);
  const double scale = finiteNumber(o, "scale");
  const int64_t rows = s.groups * s.heads;
  const CheckedArray q = typedArray(o, "query", napi_float64_array, 8, product({rows, s.headDim}, "query"));
  const CheckedArray k = storageArray(o, "keys", dtype, product({s.groups, s.tokens, s.headDim}, "keys"));
  Napi::Env env = info.Env();
  const size_t count = size_t(rows * s.tokens);
  Napi::Float64Array reference = Napi::Float64Array::New(env, count);
  Napi::Float64Array sequential = Napi::Float64Array::New(env, count);
  Napi::Float64Array absolute = Napi::Float64Array::New(env, count);
  Napi::Float32Array naive = Napi::Float32Array::New(env, count);
  Pointers p;
  const auto* qp = static_cast<const double*>(p.take(q, false));
  const void* kp = p.take(k, false);
  prhs::checkLogits(dtype, qp, kp, s, scale, reference.Data(), sequential.Data(), absolute.Data(), naive.Data());
  Napi::Object result = Napi::Object::New(env);
  result.Set("reference", reference);
  result.Set("sequential", sequential);
  result.Set("absolute", absolute);
  result.Set("naive", naive);
  return result;
}

Napi::Value CheckWeightedSums(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "values", "groups", "heads", "tokens", "valueDim", "indices", "listLength",
                         "referenceWeights", "magnitudeWeights", "naiveWeights", "valueNorm"});
  const Dtype dtype = dtypeOf(o);
  const prhs::CheckShape s = checkShape(o, true);
  const int64_t rows = s.groups * s.heads;
  const bool listed = present(o, "indices");
  const int64_t listLength = listed ? integer(o, "listLength", 1, s.tokens) : s.tokens;
  const bool withMagnitude = present(o, "magnitudeWeights");
  const bool withNaive = present(o, "naiveWeights");
  const bool withNorm =
      present(o, "valueNorm") && o.get("valueNorm").IsBoolean() && o.get("valueNorm").As<Napi::Boolean>().Value();
  if (present(o, "valueNorm") && !o.get("valueNorm").IsBoolean())
    reject(false, "valueNorm", "a boolean", describe(o.get("valueNorm")));
  const CheckedArray v = storageArray(o, "values", dtype, product({s.groups, s.tokens, s.valueDim}, "values"));
  const int64_t weights = product({rows, listLength}, "referenceWeights");
  const CheckedArray idx = listed ? typedArray(o, "indices", napi_int32_array, 4, weights) : CheckedArray{};
  const CheckedArray ref = typedArray(o, "referenceWeights", napi_float64_array, 8, weights);
  const CheckedArray mag =
      withMagnitude ? typedArray(o, "magnitudeWeights", napi_float64_array, 8, weights) : CheckedArray{};
  const CheckedArray nai = withNaive ? typedArray(o, "naiveWeights", napi_float32_array, 4, weights) : CheckedArray{};
  Napi::Env env = info.Env();
  const size_t outputs = size_t(rows * s.valueDim);
  Napi::Float64Array reference = Napi::Float64Array::New(env, outputs);
  Napi::Float64Array magnitude = Napi::Float64Array::New(env, withMagnitude ? outputs : 0);
  Napi::Float64Array largest = Napi::Float64Array::New(env, withMagnitude ? size_t(rows) : 0);
  Napi::Float32Array naive = Napi::Float32Array::New(env, withNaive ? outputs : 0);
  Napi::Float64Array norm = Napi::Float64Array::New(env, withNorm ? size_t(s.groups) : 0);
  Pointers p;
  const void* vp = p.take(v, false);
  const auto* ip = listed ? static_cast<const int32_t*>(p.take(idx, false)) : nullptr;
  if (listed) {
    for (int64_t j = 0; j < weights; ++j) {
      if (ip[j] < -1 || ip[j] >= s.tokens) {
        reject(true, "indices[" + std::to_string(j) + "]", "a token in [0, " + std::to_string(s.tokens) + ") or -1",
               std::to_string(ip[j]));
      }
    }
  }
  prhs::WeightedSums sums{};
  sums.referenceWeights = static_cast<const double*>(p.take(ref, false));
  sums.magnitudeWeights = withMagnitude ? static_cast<const double*>(p.take(mag, false)) : nullptr;
  sums.naiveWeights = withNaive ? static_cast<const float*>(p.take(nai, false)) : nullptr;
  sums.reference = reference.Data();
  sums.magnitude = withMagnitude ? magnitude.Data() : nullptr;
  sums.largest = withMagnitude ? largest.Data() : nullptr;
  sums.naive = withNaive ? naive.Data() : nullptr;
  sums.valueNorm = withNorm ? norm.Data() : nullptr;
  prhs::checkWeightedSums(dtype, vp, s, ip, listLength, sums);
  Napi::Object result = Napi::Object::New(env);
  result.Set("reference", reference);
  if (withMagnitude) {
    result.Set("magnitude", magnitude);
    result.Set("largest", largest);
  }
  if (withNaive) result.Set("naive", naive);
  if (withNorm) result.Set("valueNorm", norm);
  return result;
}

}  // namespace
