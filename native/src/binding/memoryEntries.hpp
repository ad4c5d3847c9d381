// Entry points of the memory benchmarks: memcpySeconds, evictCaches, gatherSeconds, adviseHugePages.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <napi.h>

#include <cstdint>
#include <limits>
#include <string>

#include "../kernels.hpp"
#include "arrayArguments.hpp"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace {

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
  return Napi::Number::New(info.Env(), prhs::gatherSeconds(base, size_t(rowBytes), list32, size_t(count),
                                                           size_t(prefetchRows), size_t(streams)));
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

}  // namespace
