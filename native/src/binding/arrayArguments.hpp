// Validation steps 3 to 5: TypedArray arguments, output arrays, and data pointers taken last with the overlap check.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "scalarArguments.hpp"

namespace {

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
  napi_status status =
      napi_get_typedarray_info(value.Env(), value, &view.type, &view.length, &view.data, &view.buffer, &view.offset);
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
  if (!isArrayBuffer)
    reject(false, name, expected + " on an unshared ArrayBuffer", "one backed by a SharedArrayBuffer");
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

}  // namespace
