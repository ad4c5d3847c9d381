// Validation steps 1 and 2: the options object read once, and its scalar arguments (ArgumentError, reject).
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "../kernels.hpp"

namespace {

using prhs::AttentionShape;
using prhs::Dtype;

constexpr int64_t kMaxDim = 1 << 20;        // heads, head dimension, page size
constexpr int64_t kMaxTokens = 2147483647;  // indices are int32
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
    static const char* names[] = {"Int8Array",    "Uint8Array",    "Uint8ClampedArray", "Int16Array",
                                  "Uint16Array",  "Int32Array",    "Uint32Array",       "Float32Array",
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
    if (f != 0 && total > kMaxElements / f)
      reject(true, argument, "a shape with at most 2^40 elements", "a larger shape");
    total *= f;
  }
  return total;
}

}  // namespace
