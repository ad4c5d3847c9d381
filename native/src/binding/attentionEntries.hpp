// Entry points scores, decodeAttention, sparseAttention and droppedMass.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <vector>

#include "../kernels.hpp"
#include "arrayArguments.hpp"
#include "attentionArguments.hpp"

namespace {

Napi::Value Scores(const Napi::CallbackInfo& info) {
  const Options o(info,
                  {"dtype", "query", "keys", "batch", "queryHeads", "kvHeads", "tokens", "headDim", "scale", "out"});
  const Layout l = attentionLayout(o, false);
  const AttentionShape& s = l.shape;
  const float scale = float(finiteNumber(o, "scale"));
  const CheckedArray q = storageArray(o, "query", l.dtype, product({s.batch, s.queryHeads, s.headDim}, "query"));
  const CheckedArray k = storageArray(o, "keys", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.headDim}, "keys"));
  const CheckedArray out = outputArray<Napi::Float32Array>(o, info.Env(), napi_float32_array, 4,
                                                           product({s.batch, s.queryHeads, s.tokens}, "out"));
  std::vector<float> scratch(size_t(prhs::denseScratchFloats(s)));
  Pointers p;
  const void* qp = p.take(q, false);
  const void* kp = p.take(k, false);
  float* op = static_cast<float*>(p.take(out, true));
  prhs::scores(l.dtype, qp, kp, s, scale, op, scratch.data());
  return out.value;
}

Napi::Value DecodeAttention(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "values", "batch", "queryHeads", "kvHeads", "tokens", "headDim",
                         "valueDim", "scale", "out"});
  const Layout l = attentionLayout(o, true);
  const AttentionShape& s = l.shape;
  const float scale = float(finiteNumber(o, "scale"));
  const CheckedArray q = storageArray(o, "query", l.dtype, product({s.batch, s.queryHeads, s.headDim}, "query"));
  const CheckedArray k = storageArray(o, "keys", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.headDim}, "keys"));
  const CheckedArray v =
      storageArray(o, "values", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.valueDim}, "values"));
  const CheckedArray out = outputArray<Napi::Float32Array>(o, info.Env(), napi_float32_array, 4,
                                                           product({s.batch, s.queryHeads, s.valueDim}, "out"));
  std::vector<float> scratch(size_t(prhs::denseScratchFloats(s)));
  Pointers p;
  const void* qp = p.take(q, false);
  const void* kp = p.take(k, false);
  const void* vp = p.take(v, false);
  float* op = static_cast<float*>(p.take(out, true));
  prhs::decodeAttention(l.dtype, qp, kp, vp, s, scale, op, scratch.data());
  return out.value;
}

Napi::Value SparseAttention(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "values", "batch", "queryHeads", "kvHeads", "tokens", "headDim",
                         "valueDim", "scale", "indices", "selected", "out"});
  const Layout l = attentionLayout(o, true);
  const AttentionShape& s = l.shape;
  const float scale = float(finiteNumber(o, "scale"));
  const int64_t selected = integer(o, "selected", 1, s.tokens);
  const CheckedArray q = storageArray(o, "query", l.dtype, product({s.batch, s.queryHeads, s.headDim}, "query"));
  const CheckedArray k = storageArray(o, "keys", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.headDim}, "keys"));
  const CheckedArray v =
      storageArray(o, "values", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.valueDim}, "values"));
  const CheckedArray idx =
      typedArray(o, "indices", napi_int32_array, 4, product({s.batch, s.queryHeads, selected}, "indices"));
  const CheckedArray out = outputArray<Napi::Float32Array>(o, info.Env(), napi_float32_array, 4,
                                                           product({s.batch, s.queryHeads, s.valueDim}, "out"));
  std::vector<float> scratch(size_t(prhs::sparseScratchFloats(s, selected)));
  Pointers p;
  const void* qp = p.take(q, false);
  const void* kp = p.take(k, false);
  const void* vp = p.take(v, false);
  const auto* ip = static_cast<const int32_t*>(p.take(idx, false));
  float* op = static_cast<float*>(p.take(out, true));
  checkIndices(ip, s.batch * s.queryHeads, selected, s.tokens, true);
  prhs::sparseAttention(l.dtype, qp, kp, vp, s, scale, ip, selected, op, scratch.data());
  return out.value;
}

Napi::Value DroppedMass(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "batch", "queryHeads", "kvHeads", "tokens", "headDim", "scale",
                         "indices", "selected", "out"});
  const Layout l = attentionLayout(o, false);
  const AttentionShape& s = l.shape;
  const float scale = float(finiteNumber(o, "scale"));
  const int64_t selected = integer(o, "selected", 0, s.tokens);
  const CheckedArray q = storageArray(o, "query", l.dtype, product({s.batch, s.queryHeads, s.headDim}, "query"));
  const CheckedArray k = storageArray(o, "keys", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.headDim}, "keys"));
  const CheckedArray idx =
      typedArray(o, "indices", napi_int32_array, 4, product({s.batch, s.queryHeads, selected}, "indices"));
  const CheckedArray out =
      outputArray<Napi::Float32Array>(o, info.Env(), napi_float32_array, 4, product({s.batch, s.queryHeads}, "out"));
  std::vector<float> scratch(size_t(prhs::denseScratchFloats(s)));
  std::vector<uint8_t> mask(size_t(s.tokens), 0);
  Pointers p;
  const void* qp = p.take(q, false);
  const void* kp = p.take(k, false);
  const auto* ip = static_cast<const int32_t*>(p.take(idx, false));
  float* op = static_cast<float*>(p.take(out, true));
  checkIndices(ip, s.batch * s.queryHeads, selected, s.tokens, false);
  prhs::droppedMass(l.dtype, qp, kp, s, scale, ip, selected, op, scratch.data(), mask.data());
  return out.value;
}

}  // namespace
