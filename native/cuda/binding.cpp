// The CUDA addon's N-API binding. It compiles the CPU binding (native/src/binding.cpp) into this
// translation unit, so every entry point validates its arguments with exactly the same code and
// messages, and the kernels it calls (prhs::scores, prhs::topK, ...) resolve to the CUDA host
// implementations in native/cuda/*.cu instead of the CPU ones. On top of that it adds: a guard
// that turns a CUDA failure into a JavaScript Error carrying the CUDA error name (`cudaError`),
// `info()` with the device, and `benchmark()` (bench/cuda).
#include <napi.h>
// The CPU binding registers its own module; here its registration is dropped and CudaInit below
// registers the CUDA module instead.
#undef NODE_API_MODULE
#define NODE_API_MODULE(modname, regfunc)
#define PRHS_CUDA_BINDING 1  // host-only benchmark entry points stay out of the CUDA addon
#include "benchmark.h"       // before the CPU binding: its memcpySeconds entry calls the device copy
#include "../src/binding.cpp"
#undef NODE_API_MODULE

#include "cisKernels.hpp"
#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "sparseDecode.hpp"

namespace {

Napi::Value throwCudaError(const Napi::Env& env, const prhs::cuda::CudaError& e) {
  Napi::Error error = Napi::Error::New(env, e.name + ": " + e.message + " (" + e.where + ")");
  error.Value().Set("cudaError", Napi::String::New(env, e.name));
  error.Value().Set("code", Napi::String::New(env, "ERR_PRHS_CUDA"));
  error.ThrowAsJavaScriptException();
  return env.Undefined();
}

// The CPU binding's guard first (argument errors, allocation failures), then CUDA errors, which
// the CPU guard lets through because CudaError is not a std::exception.
template <Napi::Value (*Body)(const Napi::CallbackInfo&)>
Napi::Value cudaGuarded(const Napi::CallbackInfo& info) {
  try {
    return guarded<Body>(info);
  } catch (const prhs::cuda::CudaError& e) {
    return throwCudaError(info.Env(), e);
  }
}

Napi::Value CudaInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("isa", Napi::String::New(env, prhs::activeIsa()));
  result.Set("sumBlock",
             Napi::Number::New(env, double(prhs::cuda::kSumBlock)));  // the summation block of the CUDA kernels
  result.Set("abiVersion", Napi::Number::New(env, 1));
  result.Set("sanitized", Napi::Boolean::New(env, false));
  try {  // the summation order of dense decodeAttention (selects the bound in src/verify)
    result.Set("decodeSummation", Napi::String::New(env, prhs::cuda::denseDecodeSummation()));
  } catch (const prhs::cuda::CudaError& e) {
    result.Set("decodeSummationError", Napi::String::New(env, e.where + ": " + e.message));
  }
  try {  // who merges the tensor-core decode's partials (PRHS_CUDA_MMA_MERGE; the same bits either way)
    result.Set("mmaMerge", Napi::String::New(env, prhs::cuda::mmaMergeName()));
  } catch (const prhs::cuda::CudaError& e) {
    result.Set("mmaMergeError", Napi::String::New(env, e.where + ": " + e.message));
  }
  try {  // the kernel of sparse decode over per-head lists (PRHS_CUDA_SPARSE; the same bits either way)
    result.Set("sparseDecode", Napi::String::New(env, prhs::cuda::sparseDecodeName()));
  } catch (const prhs::cuda::CudaError& e) {
    result.Set("sparseDecodeError", Napi::String::New(env, e.where + ": " + e.message));
  }
  try {
    const prhs::cuda::DeviceDescription d = prhs::cuda::describeDevice();
    result.Set("device", Napi::String::New(env, d.name));
    result.Set("computeCapability", Napi::String::New(env, std::to_string(d.major) + "." + std::to_string(d.minor)));
    result.Set("multiprocessors", Napi::Number::New(env, d.multiprocessors));
    result.Set("l2Bytes", Napi::Number::New(env, d.l2Bytes));
    result.Set("totalMemory", Napi::Number::New(env, double(d.totalMemory)));
    result.Set("clockKHz", Napi::Number::New(env, d.clockKHz));
    result.Set("memoryClockKHz", Napi::Number::New(env, d.memoryClockKHz));
    result.Set("memoryBusWidth", Napi::Number::New(env, d.busWidth));
    result.Set("driverVersion", Napi::Number::New(env, d.driverVersion));
    result.Set("runtimeVersion", Napi::Number::New(env, d.runtimeVersion));
  } catch (const prhs::cuda::CudaError& e) {
    result.Set("device", Napi::String::New(env, ""));
    result.Set("deviceError", Napi::String::New(env, e.name + ": " + e.message));
  }
  return result;
}

Napi::Value Benchmark(const Napi::CallbackInfo& info) {
  const Options o(info, {"dtype", "batch", "queryHeads", "kvHeads", "tokens", "headDim", "selected", "repeats",
                         "copyBytes", "flushL2", "seed", "decodeOnly"});
  prhs::cuda::BenchConfig c{};
  c.dtype = dtypeOf(o);
  AttentionShape& s = c.shape;
  s.batch = integer(o, "batch", 1, 65535);
  s.queryHeads = integer(o, "queryHeads", 1, 4096);
  s.kvHeads = integer(o, "kvHeads", 1, 4096);
  if (s.queryHeads % s.kvHeads != 0) reject(true, "kvHeads", "a divisor of queryHeads", std::to_string(s.kvHeads));
  s.tokens = integer(o, "tokens", 1, kMaxTokens);
  s.headDim = integer(o, "headDim", 1, 1024);
  s.valueDim = s.headDim;
  c.selected = integer(o, "selected", 1, s.tokens);
  c.repeats = int(integer(o, "repeats", 1, 10000));
  c.copyBytes = integer(o, "copyBytes", 4, int64_t(1) << 34) & ~int64_t(3);
  const Napi::Value flush = o.get("flushL2");
  if (!flush.IsBoolean()) reject(false, "flushL2", "a boolean", describe(flush));
  c.flushL2 = flush.As<Napi::Boolean>().Value();
  c.seed = uint32_t(integer(o, "seed", 0, 4294967295));
  const Napi::Value decodeOnly = o.get("decodeOnly");
  if (!decodeOnly.IsUndefined() && !decodeOnly.IsBoolean())
    reject(false, "decodeOnly", "a boolean", describe(decodeOnly));
  c.decodeOnly = decodeOnly.IsBoolean() && decodeOnly.As<Napi::Boolean>().Value();
  if (s.batch * s.queryHeads > 65535)
    reject(true, "batch", "batch × queryHeads ≤ 65535", std::to_string(s.batch * s.queryHeads));
  const std::vector<prhs::cuda::BenchTiming> timings = prhs::cuda::runBenchmark(c);
  Napi::Env env = info.Env();
  Napi::Array list = Napi::Array::New(env, timings.size());
  for (size_t i = 0; i < timings.size(); ++i) {
    Napi::Object t = Napi::Object::New(env);
    t.Set("name", Napi::String::New(env, timings[i].name));
    t.Set("medianMs", Napi::Number::New(env, timings[i].medianMs));
    t.Set("minMs", Napi::Number::New(env, timings[i].minMs));
    t.Set("bytes", Napi::Number::New(env, timings[i].bytes));
    list.Set(uint32_t(i), t);
  }
  return list;
}

// One fused CIS selection step on the GPU (bench/cuda/cisCheck.ts checks it against cis.ts):
// the state arrays (anchorQuery, anchorNorm, anchored, ranking, rankingSize) are updated in place;
// reanchor, indices (−1 padded) and sizes are written.
Napi::Value CisStep(const Napi::CallbackInfo& info) {
  const Options o(
      info, {"rows", "headDim", "length", "budget", "sinks", "window", "dilated", "radius", "gate", "query", "scores",
             "anchorQuery", "anchorNorm", "anchored", "ranking", "rankingSize", "reanchor", "indices", "sizes"});
  prhs::cuda::CisHostStep h{};
  h.rows = integer(o, "rows", 1, 65535);
  h.headDim = integer(o, "headDim", 1, kMaxDim);
  h.length = integer(o, "length", 1, kMaxTokens);
  h.budget = integer(o, "budget", 1, 1 << 16);
  h.sinks = integer(o, "sinks", 0, 1 << 16);
  h.window = integer(o, "window", 0, 1 << 16);
  h.dilated = integer(o, "dilated", 0, h.budget);
  h.radius = integer(o, "radius", 0, 64);
  h.gate = finiteNumber(o, "gate");
  if (!(h.gate >= -1 && h.gate <= 1)) reject(true, "gate", "a cosine in [-1, 1]", std::to_string(h.gate));
  const int64_t rd = product({h.rows, h.headDim}, "query"), rb = product({h.rows, h.budget}, "ranking");
  const CheckedArray query = typedArray(o, "query", napi_float32_array, 4, rd);
  const CheckedArray scores = typedArray(o, "scores", napi_float32_array, 4, product({h.rows, h.length}, "scores"));
  const CheckedArray anchorQuery = typedArray(o, "anchorQuery", napi_float32_array, 4, rd);
  const CheckedArray anchorNorm = typedArray(o, "anchorNorm", napi_float64_array, 8, h.rows);
  const CheckedArray anchored = typedArray(o, "anchored", napi_uint8_array, 1, h.rows);
  const CheckedArray ranking = typedArray(o, "ranking", napi_int32_array, 4, rb);
  const CheckedArray rankingSize = typedArray(o, "rankingSize", napi_int32_array, 4, h.rows);
  const CheckedArray reanchor = typedArray(o, "reanchor", napi_uint8_array, 1, h.rows);
  const CheckedArray indices = typedArray(o, "indices", napi_int32_array, 4, rb);
  const CheckedArray sizes = typedArray(o, "sizes", napi_int32_array, 4, h.rows);
  Pointers p;
  h.query = static_cast<const float*>(p.take(query, false));
  h.scores = static_cast<const float*>(p.take(scores, false));
  h.anchorQuery = static_cast<float*>(p.take(anchorQuery, true));
  h.anchorNorm = static_cast<double*>(p.take(anchorNorm, true));
  h.anchored = static_cast<uint8_t*>(p.take(anchored, true));
  h.ranking = static_cast<int32_t*>(p.take(ranking, true));
  h.rankingSize = static_cast<int32_t*>(p.take(rankingSize, true));
  h.reanchor = static_cast<uint8_t*>(p.take(reanchor, true));
  h.indices = static_cast<int32_t*>(p.take(indices, true));
  h.sizes = static_cast<int32_t*>(p.take(sizes, true));
  for (int64_t r = 0; r < h.rows; ++r) {
    const int32_t size = h.rankingSize[r];
    if (size < 0 || size > h.budget) reject(true, "rankingSize", "sizes in [0, budget]", std::to_string(size));
    for (int32_t j = 0; j < size; ++j) {
      const int32_t x = h.ranking[r * h.budget + j];
      if (x < 0 || x >= h.length) reject(true, "ranking", "positions in [0, length)", std::to_string(x));
    }
  }
  prhs::cuda::cisStep(h);
  return info.Env().Undefined();
}

}  // namespace

#include "model/engineBinding.hpp"  // the ModelEngine class (the CUDA model decode engine)

namespace {

Napi::Object CudaInit(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, cudaGuarded<CudaInfo>, "info"));
  exports.Set("scores", Napi::Function::New(env, cudaGuarded<Scores>, "scores"));
  exports.Set("decodeAttention", Napi::Function::New(env, cudaGuarded<DecodeAttention>, "decodeAttention"));
  exports.Set("sparseAttention", Napi::Function::New(env, cudaGuarded<SparseAttention>, "sparseAttention"));
  exports.Set("droppedMass", Napi::Function::New(env, cudaGuarded<DroppedMass>, "droppedMass"));
  exports.Set("topK", Napi::Function::New(env, cudaGuarded<TopK>, "topK"));
  exports.Set("pageSummaries", Napi::Function::New(env, cudaGuarded<PageSummaries>, "pageSummaries"));
  exports.Set("certifiedDroppedMass",
              Napi::Function::New(env, cudaGuarded<CertifiedDroppedMass>, "certifiedDroppedMass"));
  exports.Set("roundToStorage", Napi::Function::New(env, cudaGuarded<RoundToStorage>, "roundToStorage"));
  exports.Set("widenStorage", Napi::Function::New(env, cudaGuarded<WidenStorage>, "widenStorage"));
  exports.Set("memcpySeconds", Napi::Function::New(env, cudaGuarded<MemcpySeconds>, "memcpySeconds"));
  exports.Set("cisStep", Napi::Function::New(env, cudaGuarded<CisStep>, "cisStep"));
  exports.Set("benchmark", Napi::Function::New(env, cudaGuarded<Benchmark>, "benchmark"));
  exports.Set("ModelEngine", ModelEngineWrap::define(env));
  return exports;
}

napi_value RegisterCuda(napi_env env, napi_value exports) { return Napi::RegisterModule(env, exports, CudaInit); }

}  // namespace

NAPI_MODULE(prhs_cuda, RegisterCuda)
