// Entry points scores, decodeAttention, sparseAttention and droppedMass.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <vector>

#include "../kernels.hpp"
#include "attentionOperands.hpp"

namespace {

Napi::Value Scores(const Napi::CallbackInfo& info) {
  const Options o(info,
                  {"dtype", "query", "keys", "batch", "queryHeads", "kvHeads", "tokens", "headDim", "scale", "out"});
  const AttentionEntrySpec spec{false, false, false, AttentionOutput::scores};
  const AttentionOperands a = attentionOperands(o, info.Env(), spec);
  const AttentionShape& s = a.layout.shape;
  std::vector<float> scratch(size_t(prhs::denseScratchFloats(s)));
  const AttentionPointers p = attentionPointers(a, spec);
  prhs::scores(a.layout.dtype, p.query, p.keys, s, a.scale, p.out, scratch.data());
  return a.out.value;
}

Napi::Value DecodeAttention(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "values", "batch", "queryHeads", "kvHeads", "tokens", "headDim",
                         "valueDim", "scale", "out"});
  const AttentionEntrySpec spec{true, false, false, AttentionOutput::values};
  const AttentionOperands a = attentionOperands(o, info.Env(), spec);
  const AttentionShape& s = a.layout.shape;
  std::vector<float> scratch(size_t(prhs::denseScratchFloats(s)));
  const AttentionPointers p = attentionPointers(a, spec);
  prhs::decodeAttention(a.layout.dtype, p.query, p.keys, p.values, s, a.scale, p.out, scratch.data());
  return a.out.value;
}

Napi::Value SparseAttention(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "values", "batch", "queryHeads", "kvHeads", "tokens", "headDim",
                         "valueDim", "scale", "indices", "selected", "out"});
  const AttentionEntrySpec spec{true, true, true, AttentionOutput::values};
  const AttentionOperands a = attentionOperands(o, info.Env(), spec);
  const AttentionShape& s = a.layout.shape;
  std::vector<float> scratch(size_t(prhs::sparseScratchFloats(s, a.selected)));
  const AttentionPointers p = attentionPointers(a, spec);
  prhs::sparseAttention(a.layout.dtype, p.query, p.keys, p.values, s, a.scale, p.indices, a.selected, p.out,
                        scratch.data());
  return a.out.value;
}

Napi::Value DroppedMass(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "batch", "queryHeads", "kvHeads", "tokens", "headDim", "scale",
                         "indices", "selected", "out"});
  const AttentionEntrySpec spec{false, true, false, AttentionOutput::mass};
  const AttentionOperands a = attentionOperands(o, info.Env(), spec);
  const AttentionShape& s = a.layout.shape;
  std::vector<float> scratch(size_t(prhs::denseScratchFloats(s)));
  std::vector<uint8_t> mask(size_t(s.tokens), 0);
  const AttentionPointers p = attentionPointers(a, spec);
  prhs::droppedMass(a.layout.dtype, p.query, p.keys, s, a.scale, p.indices, a.selected, p.out, scratch.data(),
                    mask.data());
  return a.out.value;
}

}  // namespace
