// The validation the attention entry points share: their layout, scale, index lists and arrays,
// checked in one fixed order (so the first bad argument named is the same for every entry), and
// then their data pointers, taken last with the overlap check.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include "../kernels.hpp"
#include "arrayArguments.hpp"
#include "attentionArguments.hpp"

namespace {

// What `out` holds, per (batch, query head).
enum class AttentionOutput {
  scores,  // one score per token: [batch, queryHeads, tokens]
  values,  // one attention output: [batch, queryHeads, valueDim]
  mass,    // one number: [batch, queryHeads]
};

// Which arguments an entry point takes besides dtype, query, keys, the shape and scale.
struct AttentionEntrySpec {
  bool values;   // `values` [batch, kvHeads, tokens, valueDim] and `valueDim`
  bool indices;  // `indices` [batch, queryHeads, selected] and `selected`
  // With indices: every row must keep at least one index (and `selected` is at least 1).
  bool everyRowKeepsOne;
  AttentionOutput output;
};

// The checked arguments; arrays an entry does not take stay empty.
struct AttentionOperands {
  Layout layout;
  float scale = 0;
  int64_t selected = 0;
  CheckedArray query, keys, values, indices, out;
};

int64_t attentionOutputLength(const AttentionShape& s, AttentionOutput output) {
  switch (output) {
    case AttentionOutput::scores: return product({s.batch, s.queryHeads, s.tokens}, "out");
    case AttentionOutput::values: return product({s.batch, s.queryHeads, s.valueDim}, "out");
    case AttentionOutput::mass: return product({s.batch, s.queryHeads}, "out");
  }
  return 0;
}

AttentionOperands attentionOperands(const Options& o, const Napi::Env& env, const AttentionEntrySpec& spec) {
  AttentionOperands a;
  a.layout = attentionLayout(o, spec.values);
  const AttentionShape& s = a.layout.shape;
  const Dtype dtype = a.layout.dtype;
  a.scale = float(finiteNumber(o, "scale"));
  if (spec.indices) a.selected = integer(o, "selected", spec.everyRowKeepsOne ? 1 : 0, s.tokens);
  a.query = storageArray(o, "query", dtype, product({s.batch, s.queryHeads, s.headDim}, "query"));
  a.keys = storageArray(o, "keys", dtype, product({s.batch, s.kvHeads, s.tokens, s.headDim}, "keys"));
  if (spec.values)
    a.values = storageArray(o, "values", dtype, product({s.batch, s.kvHeads, s.tokens, s.valueDim}, "values"));
  if (spec.indices) {
    a.indices = typedArray(o, "indices", napi_int32_array, 4, product({s.batch, s.queryHeads, a.selected}, "indices"));
  }
  a.out = outputArray<Napi::Float32Array>(o, env, napi_float32_array, 4, attentionOutputLength(s, spec.output));
  return a;
}

// The data pointers; null for the arrays an entry does not take.
struct AttentionPointers {
  const void* query = nullptr;
  const void* keys = nullptr;
  const void* values = nullptr;
  const int32_t* indices = nullptr;
  float* out = nullptr;
};

// Takes the pointers (inputs first, `out` last, each checked against the others for overlap),
// then checks the index lists' entries.
AttentionPointers attentionPointers(const AttentionOperands& a, const AttentionEntrySpec& spec) {
  const AttentionShape& s = a.layout.shape;
  Pointers p;
  AttentionPointers ptr;
  ptr.query = p.take(a.query, false);
  ptr.keys = p.take(a.keys, false);
  if (spec.values) ptr.values = p.take(a.values, false);
  if (spec.indices) ptr.indices = static_cast<const int32_t*>(p.take(a.indices, false));
  ptr.out = static_cast<float*>(p.take(a.out, true));
  if (spec.indices) checkIndices(ptr.indices, s.batch * s.queryHeads, a.selected, s.tokens, spec.everyRowKeepsOne);
  return ptr;
}

}  // namespace
