// Entry points topK, pageSummaries and certifiedDroppedMass.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <string>

#include "../kernels.hpp"
#include "arrayArguments.hpp"
#include "attentionArguments.hpp"

namespace {

Napi::Value TopK(const Napi::CallbackInfo& info) {
  const Options o(info, {"scores", "rows", "columns", "k", "out"});
  const int64_t rows = integer(o, "rows", 1, kMaxTokens);
  const int64_t columns = integer(o, "columns", 1, kMaxTokens);
  const int64_t k = integer(o, "k", 0, columns);
  const CheckedArray scores = typedArray(o, "scores", napi_float32_array, 4, product({rows, columns}, "scores"));
  const CheckedArray out = outputArray<Napi::Int32Array>(o, info.Env(), napi_int32_array, 4, product({rows, k}, "out"));
  Pointers p;
  const auto* sp = static_cast<const float*>(p.take(scores, false));
  auto* op = static_cast<int32_t*>(p.take(out, true));
  prhs::topK(sp, rows, columns, k, op);
  return out.value;
}

Napi::Value PageSummaries(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "keys", "batch", "kvHeads", "tokens", "headDim", "pageSize"});
  const Dtype dtype = dtypeOf(o);
  AttentionShape s{};
  s.batch = integer(o, "batch", 1, kMaxDim);
  s.kvHeads = integer(o, "kvHeads", 1, kMaxDim);
  s.queryHeads = s.kvHeads;
  s.tokens = integer(o, "tokens", 1, kMaxTokens);
  s.headDim = integer(o, "headDim", 1, kMaxDim);
  s.valueDim = 1;
  const int64_t pageSize = integer(o, "pageSize", 1, s.tokens);
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  const CheckedArray k = storageArray(o, "keys", dtype, product({s.batch, s.kvHeads, s.tokens, s.headDim}, "keys"));
  const int64_t summary = product({s.batch, s.kvHeads, pages, s.headDim}, "keys");
  Napi::Env env = info.Env();
  Napi::Float32Array minimum = Napi::Float32Array::New(env, size_t(summary));
  Napi::Float32Array maximum = Napi::Float32Array::New(env, size_t(summary));
  Napi::Float32Array center = Napi::Float32Array::New(env, size_t(summary));
  Napi::Float32Array radius = Napi::Float32Array::New(env, size_t(s.batch * s.kvHeads * pages));
  Pointers p;
  const void* kp = p.take(k, false);
  prhs::pageSummaries(dtype, kp, s, pageSize, minimum.Data(), maximum.Data(), center.Data(), radius.Data());
  Napi::Object result = Napi::Object::New(env);
  result.Set("minimum", minimum);
  result.Set("maximum", maximum);
  result.Set("center", center);
  result.Set("radius", radius);
  result.Set("pages", Napi::Number::New(env, double(pages)));
  return result;
}

Napi::Value CertifiedDroppedMass(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "batch", "queryHeads", "kvHeads", "tokens", "headDim", "scale",
                         "indices", "selected", "pageSize", "minimum", "maximum", "center", "radius", "kind", "out"});
  const Layout l = attentionLayout(o, false);
  const AttentionShape& s = l.shape;
  const double scale = finiteNumber(o, "scale");
  const int64_t selected = integer(o, "selected", 0, s.tokens);
  const int64_t pageSize = integer(o, "pageSize", 1, s.tokens);
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  const std::string kindName = text(o, "kind", {"minmax", "ball", "min"});
  const prhs::PageBound kind = kindName == "minmax" ? prhs::PageBound::minmax
                               : kindName == "ball" ? prhs::PageBound::ball
                                                    : prhs::PageBound::min;
  const CheckedArray q = storageArray(o, "query", l.dtype, product({s.batch, s.queryHeads, s.headDim}, "query"));
  const CheckedArray k = storageArray(o, "keys", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.headDim}, "keys"));
  const CheckedArray idx =
      typedArray(o, "indices", napi_int32_array, 4, product({s.batch, s.queryHeads, selected}, "indices"));
  const int64_t summary = product({s.batch, s.kvHeads, pages, s.headDim}, "minimum");
  const CheckedArray lo = typedArray(o, "minimum", napi_float32_array, 4, summary);
  const CheckedArray hi = typedArray(o, "maximum", napi_float32_array, 4, summary);
  const CheckedArray mid = typedArray(o, "center", napi_float32_array, 4, summary);
  const CheckedArray rad =
      typedArray(o, "radius", napi_float32_array, 4, product({s.batch, s.kvHeads, pages}, "radius"));
  const CheckedArray out =
      outputArray<Napi::Float64Array>(o, info.Env(), napi_float64_array, 8, product({s.batch, s.queryHeads}, "out"));
  Pointers p;
  const void* qp = p.take(q, false);
  const void* kp = p.take(k, false);
  const auto* ip = static_cast<const int32_t*>(p.take(idx, false));
  const auto* lop = static_cast<const float*>(p.take(lo, false));
  const auto* hip = static_cast<const float*>(p.take(hi, false));
  const auto* midp = static_cast<const float*>(p.take(mid, false));
  const auto* radp = static_cast<const float*>(p.take(rad, false));
  auto* op = static_cast<double*>(p.take(out, true));
  checkIndices(ip, s.batch * s.queryHeads, selected, s.tokens, false);
  prhs::certifiedDroppedMass(l.dtype, qp, kp, s, scale, ip, selected, pageSize, lop, hip, midp, radp, kind, op);
  return out.value;
}

}  // namespace
