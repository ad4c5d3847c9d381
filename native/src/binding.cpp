// N-API binding: the only door between JavaScript and the kernels. Every entry point takes one
// options object and validates all of it before any kernel runs: types, TypedArray kinds, lengths
// against the declared shape, integer ranges, index lists (range, duplicates, -1 padding),
// detached and SharedArrayBuffer-backed arrays, and outputs that overlap an input or each other.
// A rejection is a JavaScript TypeError or RangeError whose message starts with the argument's
// name and which carries `argument` and `code: 'ERR_PRHS_INVALID_ARGUMENT'`.
//
// Order matters for memory safety: (1) read every property (getters and Proxies may run user
// code, which could detach a buffer), (2) check scalars, (3) check arrays, (4) allocate outputs,
// (5) take data pointers, then run the kernel with no JavaScript in between.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "halfPrecision.hpp"
#include "kernels.hpp"
#include "linear.hpp"
#include "outputCheck.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace {

using prhs::AttentionShape;
using prhs::Dtype;

constexpr int64_t kMaxDim = 1 << 20;            // heads, head dimension, page size
constexpr int64_t kMaxTokens = 2147483647;     // indices are int32
constexpr int64_t kMaxElements = int64_t(1) << 40;
constexpr int64_t kMaxScratchFloats = int64_t(1) << 31;

// A validation failure; converted to a JavaScript error at the entry point.
struct ArgumentError {
  bool range;  // RangeError (value out of range) rather than TypeError (wrong kind of value)
  std::string argument;
  std::string expected;
  std::string received;
};

[[noreturn]] void reject(bool range, const std::string& argument, const std::string& expected,
                         const std::string& received) {
  throw ArgumentError{range, argument, expected, received};
}

std::string describe(const Napi::Value& value) {
  if (value.IsUndefined()) return "undefined";
  if (value.IsNull()) return "null";
  if (value.IsNumber()) {
    const double x = value.As<Napi::Number>().DoubleValue();
    if (std::isnan(x)) return "NaN";
    std::string text = std::to_string(x);
    if (x == std::floor(x) && std::fabs(x) < 1e15) text = std::to_string(int64_t(x));
    return text;
  }
  if (value.IsString()) {
    std::string text = value.As<Napi::String>().Utf8Value();
    if (text.size() > 40) text = text.substr(0, 40) + "...";
    return "\"" + text + "\"";
  }
  if (value.IsTypedArray()) {
    static const char* names[] = {"Int8Array",  "Uint8Array",   "Uint8ClampedArray", "Int16Array",
                                  "Uint16Array", "Int32Array",  "Uint32Array",       "Float32Array",
                                  "Float64Array", "BigInt64Array", "BigUint64Array"};
    const auto type = value.As<Napi::TypedArray>().TypedArrayType();
    const char* name = (type >= 0 && type <= 10) ? names[type] : "TypedArray";
    return std::string("a ") + name;
  }
  if (value.IsArrayBuffer()) return "an ArrayBuffer";
  if (value.IsArray()) return "an Array";
  if (value.IsBoolean()) return "a boolean";
  if (value.IsFunction()) return "a function";
  if (value.IsObject()) return "an object";
  return "a value of another type";
}

// Step 1: every property value, read once.
class Options {
 public:
  Options(const Napi::CallbackInfo& info, std::initializer_list<const char*> names) {
    if (info.Length() < 1 || !info[0].IsObject() || info[0].IsArray() || info[0].IsTypedArray()) {
      reject(false, "options", "an options object", info.Length() < 1 ? "nothing" : describe(info[0]));
    }
    Napi::Object object = info[0].As<Napi::Object>();
    for (const char* name : names) {
      names_.push_back(name);
      values_.push_back(object.Get(name));
    }
  }
  Napi::Value get(const char* name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return values_[i];
    }
    return Napi::Value();
  }

 private:
  std::vector<std::string> names_;
  std::vector<Napi::Value> values_;
};

// Step 2: scalars.
int64_t integer(const Options& options, const char* name, int64_t min, int64_t max) {
  const Napi::Value value = options.get(name);
  const std::string expected = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!value.IsNumber()) reject(false, name, expected, describe(value));
  const double x = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(x) || x != std::floor(x)) reject(false, name, expected, describe(value));
  if (x < double(min) || x > double(max)) reject(true, name, expected, describe(value));
  return int64_t(x);
}

double finiteNumber(const Options& options, const char* name) {
  const Napi::Value value = options.get(name);
  if (!value.IsNumber()) reject(false, name, "a finite number", describe(value));
  const double x = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(x)) reject(true, name, "a finite number", describe(value));
  return x;
}

std::string text(const Options& options, const char* name, std::initializer_list<const char*> allowed) {
  const Napi::Value value = options.get(name);
  std::string expected = "one of";
  for (const char* a : allowed) expected += std::string(" \"") + a + "\"";
  if (!value.IsString()) reject(false, name, expected, describe(value));
  const std::string s = value.As<Napi::String>().Utf8Value();
  for (const char* a : allowed) {
    if (s == a) return s;
  }
  reject(true, name, expected, describe(value));
}

Dtype dtypeOf(const Options& options) {
  const std::string s = text(options, "dtype", {"fp32", "fp16", "bf16"});
  return s == "fp32" ? Dtype::fp32 : s == "fp16" ? Dtype::fp16 : Dtype::bf16;
}

int64_t product(std::initializer_list<int64_t> factors, const char* argument) {
  int64_t total = 1;
  for (int64_t f : factors) {
    if (f != 0 && total > kMaxElements / f) reject(true, argument, "a shape with at most 2^40 elements", "a larger shape");
    total *= f;
  }
  return total;
}

// Step 3: arrays. A checked array remembers its value so pointers are taken only after step 4.
struct CheckedArray {
  Napi::Value value;
  int64_t length = 0;
  size_t elementBytes = 0;
  const char* name = "";
};

const char* typedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    default: return "TypedArray";
  }
}

struct RawView {
  void* data;
  size_t length;
  napi_value buffer;
  size_t offset;
  napi_typedarray_type type;
};

RawView rawView(const Napi::Value& value) {
  RawView view{};
  napi_status status = napi_get_typedarray_info(value.Env(), value, &view.type, &view.length, &view.data,
                                                &view.buffer, &view.offset);
  if (status != napi_ok) throw std::runtime_error("napi_get_typedarray_info failed");
  return view;
}

CheckedArray typedArray(const Options& options, const char* name, napi_typedarray_type type, size_t elementBytes,
                        int64_t length) {
  const Napi::Value value = options.get(name);
  const std::string expected = std::string("a ") + typedArrayName(type) + " of length " + std::to_string(length);
  if (!value.IsTypedArray()) reject(false, name, expected, describe(value));
  const RawView view = rawView(value);
  if (view.type != type) reject(false, name, expected, describe(value));
  bool isArrayBuffer = false;
  napi_is_arraybuffer(value.Env(), view.buffer, &isArrayBuffer);
  if (!isArrayBuffer) reject(false, name, expected + " on an unshared ArrayBuffer", "one backed by a SharedArrayBuffer");
  bool detached = false;
  napi_is_detached_arraybuffer(value.Env(), view.buffer, &detached);
  if (detached) reject(false, name, expected, "an array whose ArrayBuffer is detached");
  if (int64_t(view.length) != length) {
    reject(true, name, expected, std::string("length ") + std::to_string(view.length));
  }
  return CheckedArray{value, length, elementBytes, name};
}

// A TypedArray of any element type, shared or not, whose buffer is not detached: for the entry
// points that only read or advise raw bytes.
RawView anyTypedArray(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray()) reject(false, name, "a TypedArray", describe(value));
  const RawView view = rawView(value);
  bool isArrayBuffer = false;
  bool detached = false;
  napi_is_arraybuffer(value.Env(), view.buffer, &isArrayBuffer);
  if (isArrayBuffer) napi_is_detached_arraybuffer(value.Env(), view.buffer, &detached);
  if (detached) reject(false, name, "a TypedArray", "an array whose ArrayBuffer is detached");
  return view;
}

CheckedArray storageArray(const Options& options, const char* name, Dtype dtype, int64_t length) {
  return dtype == Dtype::fp32 ? typedArray(options, name, napi_float32_array, 4, length)
                              : typedArray(options, name, napi_uint16_array, 2, length);
}

bool present(const Options& options, const char* name) {
  const Napi::Value value = options.get(name);
  return !value.IsEmpty() && !value.IsUndefined();
}

// Step 5: pointers, and the overlap check between outputs and everything else.
struct Pointers {
  std::vector<std::pair<const unsigned char*, size_t>> ranges;
  std::vector<const char*> names;
  std::vector<bool> isOutput;

  void* take(const CheckedArray& array, bool output) {
    const RawView view = rawView(array.value);
    const size_t bytes = size_t(array.length) * array.elementBytes;
    if (bytes == 0) return view.data;
    const auto* begin = static_cast<const unsigned char*>(view.data);
    for (size_t i = 0; i < ranges.size(); ++i) {
      if (!(output || isOutput[i])) continue;
      const auto* otherBegin = ranges[i].first;
      if (begin < otherBegin + ranges[i].second && otherBegin < begin + bytes) {
        reject(false, output ? array.name : names[i],
               std::string("memory not shared with `") + (output ? names[i] : array.name) + "`",
               "an array overlapping it");
      }
    }
    ranges.emplace_back(begin, bytes);
    names.push_back(array.name);
    isOutput.push_back(output);
    return view.data;
  }
};

// The output array: the caller's `out` (checked) or a fresh one.
template <typename ArrayType>
CheckedArray outputArray(const Options& options, const Napi::Env& env, napi_typedarray_type type, size_t bytes,
                         int64_t length) {
  if (present(options, "out")) return typedArray(options, "out", type, bytes, length);
  return CheckedArray{ArrayType::New(env, size_t(length)), length, bytes, "out"};
}

struct Layout {
  Dtype dtype;
  AttentionShape shape;
};

Layout attentionLayout(const Options& options, bool withValues) {
  Layout layout{};
  layout.dtype = dtypeOf(options);
  AttentionShape& s = layout.shape;
  s.batch = integer(options, "batch", 1, kMaxDim);
  s.queryHeads = integer(options, "queryHeads", 1, kMaxDim);
  s.kvHeads = integer(options, "kvHeads", 1, kMaxDim);
  if (s.queryHeads % s.kvHeads != 0) {
    reject(true, "kvHeads", "a divisor of queryHeads (" + std::to_string(s.queryHeads) + ")", std::to_string(s.kvHeads));
  }
  s.tokens = integer(options, "tokens", 1, kMaxTokens);
  s.headDim = integer(options, "headDim", 1, kMaxDim);
  s.valueDim = withValues ? integer(options, "valueDim", 1, kMaxDim) : 1;
  if (prhs::denseScratchFloats(s) > kMaxScratchFloats || s.tokens > kMaxScratchFloats / (s.queryHeads / s.kvHeads)) {
    reject(true, "tokens", "(queryHeads / kvHeads) × tokens below 2^31", "a larger product");
  }
  return layout;
}

// Validates indices [batch, queryHeads, selected]: each entry in [0, tokens) or -1 (padding), no
// duplicate within a row, and (when requireOne) at least one real index per row.
// A row whose real indices are in range and strictly increasing (the usual, sorted selection) is
// accepted in one sequential pass; any other row is checked position by position with a stamp
// per token, allocated only then (at N = 1M it is 4 MiB; allocating and scattering into it took
// about 5% of a sparse fp16 call with N/8 sorted indices, measured 2026-11-28).
void checkIndices(const int32_t* indices, int64_t rows, int64_t selected, int64_t tokens, bool requireOne) {
  std::vector<uint32_t> stamp;
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* row = indices + r * selected;
    int64_t real = 0;
    int64_t previous = -1;
    bool sorted = true;
    for (int64_t j = 0; j < selected && sorted; ++j) {
      const int64_t i = row[j];
      if (i == -1) continue;
      sorted = i > previous && i < tokens;
      previous = i;
      ++real;
    }
    if (!sorted) {
      if (stamp.empty()) stamp.assign(size_t(tokens), 0);
      real = 0;
      for (int64_t j = 0; j < selected; ++j) {
        const int32_t i = row[j];
        if (i == -1) continue;
        // The argument's name is built only on the error path: this loop runs once per index.
        const auto where = [&] { return "indices[" + std::to_string(r * selected + j) + "]"; };
        if (i < 0 || i >= tokens) {
          reject(true, where(), "an index in [0, " + std::to_string(tokens) + ") or -1 (padding)", std::to_string(i));
        }
        if (stamp[size_t(i)] == uint32_t(r + 1)) reject(true, where(), "distinct indices within a row", "a duplicate of " + std::to_string(i));
        stamp[size_t(i)] = uint32_t(r + 1);
        ++real;
      }
    }
    if (requireOne && real == 0) {
      reject(true, "indices", "at least one index that is not -1 in every (batch, head) row",
             "row " + std::to_string(r) + " with none");
    }
  }
}

Napi::Value throwArgumentError(const Napi::Env& env, const ArgumentError& e) {
  const std::string message = e.argument + ": expected " + e.expected + ", received " + e.received;
  Napi::Error error = e.range ? Napi::Error(Napi::RangeError::New(env, message)) : Napi::Error(Napi::TypeError::New(env, message));
  error.Value().Set("argument", Napi::String::New(env, e.argument));
  error.Value().Set("code", Napi::String::New(env, "ERR_PRHS_INVALID_ARGUMENT"));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

// Wraps an entry point: argument errors and allocation failures become JavaScript exceptions.
template <Napi::Value (*Body)(const Napi::CallbackInfo&)>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  try {
    return Body(info);
  } catch (const ArgumentError& e) {
    return throwArgumentError(info.Env(), e);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    Napi::RangeError::New(info.Env(), "prhs native: out of memory for this shape").ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(info.Env(), std::string("prhs native: ") + e.what()).ThrowAsJavaScriptException();
  }
  return info.Env().Undefined();
}

// ---- entry points ----

Napi::Value Scores(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "query", "keys", "batch", "queryHeads", "kvHeads", "tokens", "headDim", "scale", "out"});
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
  const CheckedArray v = storageArray(o, "values", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.valueDim}, "values"));
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
  const CheckedArray v = storageArray(o, "values", l.dtype, product({s.batch, s.kvHeads, s.tokens, s.valueDim}, "values"));
  const CheckedArray idx = typedArray(o, "indices", napi_int32_array, 4, product({s.batch, s.queryHeads, selected}, "indices"));
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
  const CheckedArray idx = typedArray(o, "indices", napi_int32_array, 4, product({s.batch, s.queryHeads, selected}, "indices"));
  const CheckedArray out = outputArray<Napi::Float32Array>(o, info.Env(), napi_float32_array, 4,
                                                           product({s.batch, s.queryHeads}, "out"));
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

// y = x·Wᵀ in fp32 (the CPU model engine's projections): weight [outFeatures, inFeatures],
// input [rows, inFeatures]; returns [rows, outFeatures].
Napi::Value Linear(const Napi::CallbackInfo& info) {
  const Options o(info, {"weight", "input", "rows", "inFeatures", "outFeatures", "out"});
  prhs::LinearShape s{};
  s.rows = integer(o, "rows", 1, kMaxDim);
  s.inFeatures = integer(o, "inFeatures", 1, kMaxTokens);
  s.outFeatures = integer(o, "outFeatures", 1, kMaxTokens);
  const CheckedArray w = typedArray(o, "weight", napi_float32_array, 4, product({s.outFeatures, s.inFeatures}, "weight"));
  const CheckedArray x = typedArray(o, "input", napi_float32_array, 4, product({s.rows, s.inFeatures}, "input"));
  const CheckedArray out = outputArray<Napi::Float32Array>(o, info.Env(), napi_float32_array, 4,
                                                           product({s.rows, s.outFeatures}, "out"));
  Pointers p;
  const float* wp = static_cast<const float*>(p.take(w, false));
  const float* xp = static_cast<const float*>(p.take(x, false));
  float* op = static_cast<float*>(p.take(out, true));
  prhs::linear(wp, xp, s, op);
  return out.value;
}

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
  const CheckedArray idx = typedArray(o, "indices", napi_int32_array, 4, product({s.batch, s.queryHeads, selected}, "indices"));
  const int64_t summary = product({s.batch, s.kvHeads, pages, s.headDim}, "minimum");
  const CheckedArray lo = typedArray(o, "minimum", napi_float32_array, 4, summary);
  const CheckedArray hi = typedArray(o, "maximum", napi_float32_array, 4, summary);
  const CheckedArray mid = typedArray(o, "center", napi_float32_array, 4, summary);
  const CheckedArray rad = typedArray(o, "radius", napi_float32_array, 4, product({s.batch, s.kvHeads, pages}, "radius"));
  const CheckedArray out = outputArray<Napi::Float64Array>(o, info.Env(), napi_float64_array, 8,
                                                           product({s.batch, s.queryHeads}, "out"));
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

#if defined(PRHS_CUDA_BINDING)
// The CUDA addon's copy is device to device (native/cuda/benchmark.cu); the host-side options below
// do not apply to it.
Napi::Value MemcpySeconds(const Napi::CallbackInfo& info) {
  const Options o(info, {"bytes", "repeats"});
  const int64_t bytes = integer(o, "bytes", 1, int64_t(1) << 30);
  const int64_t repeats = integer(o, "repeats", 1, 1000);
  return Napi::Number::New(info.Env(), prhs::memcpySeconds(size_t(bytes), int(repeats)));
}
#else
constexpr int64_t kMaxEvictBytes = int64_t(1) << 30;

bool flag(const Options& options, const char* name, bool fallback) {
  if (!present(options, name)) return fallback;
  const Napi::Value value = options.get(name);
  if (!value.IsBoolean()) reject(false, name, "a boolean", describe(value));
  return value.As<Napi::Boolean>().Value();
}

// memcpySeconds({bytes, repeats, hugePages = false, evictBytes = 0}): the median seconds of
// `repeats` copies of `bytes` bytes, each after evicting the caches when evictBytes > 0.
Napi::Value MemcpySeconds(const Napi::CallbackInfo& info) {
  const Options o(info, {"bytes", "repeats", "hugePages", "evictBytes"});
  const int64_t bytes = integer(o, "bytes", 1, int64_t(1) << 30);
  const int64_t repeats = integer(o, "repeats", 1, 1000);
  const bool hugePages = flag(o, "hugePages", false);
  const int64_t evictBytes = present(o, "evictBytes") ? integer(o, "evictBytes", 0, kMaxEvictBytes) : 0;
  return Napi::Number::New(info.Env(), prhs::memcpySeconds(size_t(bytes), int(repeats), hugePages, size_t(evictBytes)));
}

// evictCaches({bytes}): reads `bytes` of a private buffer so that earlier data leaves the caches;
// returns the seconds the read took.
Napi::Value EvictCaches(const Napi::CallbackInfo& info) {
  const Options o(info, {"bytes"});
  const int64_t bytes = integer(o, "bytes", 1, kMaxEvictBytes);
  return Napi::Number::New(info.Env(), prhs::evictCaches(size_t(bytes)));
}

// gatherSeconds({array, rowBytes, indices, prefetchRows, streams = 1}): seconds to load every cache
// line of the listed rows of `array` (row i = bytes [i·rowBytes, (i+1)·rowBytes)), `streams`
// blocks of list positions at a time: the load-only ceiling of a sparse pass over the same rows.
// Every index must name a whole row inside the array; repeats and any order are allowed (nothing
// is written).
Napi::Value GatherSeconds(const Napi::CallbackInfo& info) {
  const Options o(info, {"array", "rowBytes", "indices", "prefetchRows", "streams"});
  const int64_t rowBytes = integer(o, "rowBytes", 1, kMaxDim);
  const int64_t prefetchRows = integer(o, "prefetchRows", 0, 1024);
  const int64_t streams = present(o, "streams") ? integer(o, "streams", 1, 64) : 1;
  const Napi::Value array = o.get("array");
  const RawView view = anyTypedArray(array, "array");
  const Napi::Value list = o.get("indices");
  if (!list.IsTypedArray()) reject(false, "indices", "an Int32Array", describe(list));
  const int64_t count = int64_t(rawView(list).length);
  const CheckedArray indices = typedArray(o, "indices", napi_int32_array, 4, count);
  const int64_t rows = int64_t(array.As<Napi::TypedArray>().ByteLength()) / rowBytes;
  Pointers p;
  const auto* list32 = static_cast<const int32_t*>(p.take(indices, false));
  for (int64_t j = 0; j < count; ++j) {
    if (list32[j] < 0 || list32[j] >= rows) {
      reject(true, "indices[" + std::to_string(j) + "]", "a row in [0, " + std::to_string(rows) + ")",
             std::to_string(list32[j]));
    }
  }
  const auto* base = static_cast<const unsigned char*>(view.data);
  return Napi::Number::New(info.Env(), prhs::gatherSeconds(base, size_t(rowBytes), list32, size_t(count), size_t(prefetchRows), size_t(streams)));
}
#endif

// Asks Linux for transparent huge pages (MADV_HUGEPAGE) on the whole 2 MiB pages inside a typed
// array's bytes; returns how many bytes were advised (0 where the array holds no whole 2 MiB page,
// the kernel refuses, or the platform has no such advice). With THP in `madvise` mode, gathered
// K/V rows otherwise cost a 4 KiB translation each (bench/README.md, "Sparse decode and huge
// pages"). Advice only: no byte changes, and pages already faulted in stay small until khugepaged
// collapses them, so advise a buffer before filling it.
Napi::Value AdviseHugePages(const Napi::CallbackInfo& info) {
  const Napi::Value value = info.Length() < 1 ? info.Env().Undefined() : info[0];
  const RawView view = anyTypedArray(value, "array");
  const size_t bytes = value.As<Napi::TypedArray>().ByteLength();
  double advised = 0;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
  const uintptr_t begin = reinterpret_cast<uintptr_t>(view.data);
  if (view.data != nullptr && bytes >= kHugePage && begin <= std::numeric_limits<uintptr_t>::max() - bytes) {
    const uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
    const uintptr_t last = (begin + bytes) & ~(kHugePage - 1);
    if (first < last && madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE) == 0) {
      advised = double(last - first);
    }
  }
#endif
  return Napi::Number::New(info.Env(), advised);
}

#include "outputCheckBinding.hpp"

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("isa", Napi::String::New(env, prhs::activeIsa()));
  result.Set("sumBlock", Napi::Number::New(env, double(prhs::kSumBlock)));
  result.Set("abiVersion", Napi::Number::New(env, 1));
#if defined(__SANITIZE_ADDRESS__)
  result.Set("sanitized", Napi::Boolean::New(env, true));
#else
  result.Set("sanitized", Napi::Boolean::New(env, false));
#endif
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, guarded<Info>, "info"));
  exports.Set("scores", Napi::Function::New(env, guarded<Scores>, "scores"));
  exports.Set("decodeAttention", Napi::Function::New(env, guarded<DecodeAttention>, "decodeAttention"));
  exports.Set("sparseAttention", Napi::Function::New(env, guarded<SparseAttention>, "sparseAttention"));
  exports.Set("droppedMass", Napi::Function::New(env, guarded<DroppedMass>, "droppedMass"));
  exports.Set("topK", Napi::Function::New(env, guarded<TopK>, "topK"));
  exports.Set("linear", Napi::Function::New(env, guarded<Linear>, "linear"));
  exports.Set("pageSummaries", Napi::Function::New(env, guarded<PageSummaries>, "pageSummaries"));
  exports.Set("certifiedDroppedMass", Napi::Function::New(env, guarded<CertifiedDroppedMass>, "certifiedDroppedMass"));
  exports.Set("roundToStorage", Napi::Function::New(env, guarded<RoundToStorage>, "roundToStorage"));
  exports.Set("widenStorage", Napi::Function::New(env, guarded<WidenStorage>, "widenStorage"));
  exports.Set("memcpySeconds", Napi::Function::New(env, guarded<MemcpySeconds>, "memcpySeconds"));
  exports.Set("checkLogits", Napi::Function::New(env, guarded<CheckLogits>, "checkLogits"));
  exports.Set("checkWeightedSums", Napi::Function::New(env, guarded<CheckWeightedSums>, "checkWeightedSums"));
  exports.Set("adviseHugePages", Napi::Function::New(env, guarded<AdviseHugePages>, "adviseHugePages"));
#if !defined(PRHS_CUDA_BINDING)
  exports.Set("evictCaches", Napi::Function::New(env, guarded<EvictCaches>, "evictCaches"));
  exports.Set("gatherSeconds", Napi::Function::New(env, guarded<GatherSeconds>, "gatherSeconds"));
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(prhs_native, Init)
