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
//
// The entry points and their validation helpers live in binding/, one file per group, included
// here into one translation unit (native/cuda/binding.cpp includes this file in turn, so the CUDA
// addon validates with the same code).
#include <napi.h>

#include "binding/scalarArguments.hpp"
#include "binding/arrayArguments.hpp"
#include "binding/attentionArguments.hpp"
#include "binding/guard.hpp"
#include "binding/attentionEntries.hpp"
#include "binding/linearEntry.hpp"
#include "binding/selectionEntries.hpp"
#include "binding/storageEntries.hpp"
#include "binding/memoryEntries.hpp"
#include "binding/outputCheckEntries.hpp"

namespace {

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
