// The N-API class ModelEngine of the CUDA addon. Included by native/cuda/binding.cpp after the CPU
// binding, so it validates with the same helpers and messages (Options, integer, reject: an error
// names the argument, the expected and the received value). Errors: argument errors as TypeError or
// RangeError with `argument`; CUDA failures with `cudaError`; not enough GPU memory with
// code ERR_PRHS_GPU_MEMORY; missing tensors and use after dispose() with their own codes.
#pragma once
#include <memory>

#include "modelEngine.hpp"

namespace {

namespace model = prhs::cuda::model;

Napi::Error errorWithCode(const Napi::Env& env, const std::string& message, const char* code) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Value().Set("code", Napi::String::New(env, code));
  return error;
}

// Every failure below the class as the JavaScript error it becomes (thrown by the caller).
Napi::Error engineError(const Napi::Env& env, std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const ArgumentError& e) {
    const std::string message = e.argument + ": expected " + e.expected + ", received " + e.received;
    Napi::Error error =
        e.range ? Napi::Error(Napi::RangeError::New(env, message)) : Napi::Error(Napi::TypeError::New(env, message));
    error.Value().Set("argument", Napi::String::New(env, e.argument));
    error.Value().Set("code", Napi::String::New(env, "ERR_PRHS_INVALID_ARGUMENT"));
    return error;
  } catch (const prhs::cuda::CudaError& e) {
    Napi::Error error = errorWithCode(env, e.name + ": " + e.message + " (" + e.where + ")", "ERR_PRHS_CUDA");
    error.Value().Set("cudaError", Napi::String::New(env, e.name));
    return error;
  } catch (const model::GpuMemoryError& e) {
    return errorWithCode(env, e.message, "ERR_PRHS_GPU_MEMORY");
  } catch (const model::EngineStateError& e) {
    return errorWithCode(env, e.message, e.code.c_str());
  } catch (const Napi::Error& e) {
    return e;
  } catch (const std::bad_alloc&) {
    return Napi::RangeError::New(env, "prhs native: out of host memory");
  } catch (const std::exception& e) {
    return Napi::Error::New(env, std::string("prhs native: ") + e.what());
  }
}

bool booleanOption(const Options& o, const char* name) {
  const Napi::Value value = o.get(name);
  if (!value.IsBoolean()) reject(false, name, "a boolean", describe(value));
  return value.As<Napi::Boolean>().Value();
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

model::ModelSpec parseSpec(const Napi::CallbackInfo& info) {
  const Options o(info, {"layers", "hiddenSize", "intermediateSize", "queryHeads", "kvHeads", "headDim", "vocabSize",
                         "rmsNormEps", "ropeInverseFrequencies", "qkvBias", "outputBias", "tiedEmbeddings", "dtype",
                         "batch", "capacity", "pageSize"});
  model::ModelSpec s;
  s.layers = integer(o, "layers", 1, 1024);
  s.hiddenSize = integer(o, "hiddenSize", 8, 1 << 17);
  if (s.hiddenSize % 8 != 0) reject(true, "hiddenSize", "a multiple of 8", std::to_string(s.hiddenSize));
  s.intermediateSize = integer(o, "intermediateSize", 8, 1 << 19);
  if (s.intermediateSize % 8 != 0)
    reject(true, "intermediateSize", "a multiple of 8", std::to_string(s.intermediateSize));
  s.queryHeads = integer(o, "queryHeads", 1, 1024);
  s.kvHeads = integer(o, "kvHeads", 1, s.queryHeads);
  if (s.queryHeads % s.kvHeads != 0)
    reject(true, "kvHeads", "a divisor of queryHeads (" + std::to_string(s.queryHeads) + ")",
           std::to_string(s.kvHeads));
  s.headDim = integer(o, "headDim", 1, 256);
  if (!model::supportedHeadDim(s.headDim))
    reject(true, "headDim", "one of 16, 32, 64, 96, 128, 256", std::to_string(s.headDim));
  const int64_t maxGroup = s.headDim <= 128 ? model::kMaxGroup : model::kMaxGroup / 2;
  if (s.group() > maxGroup)
    reject(true, "kvHeads", "queryHeads / kvHeads ≤ " + std::to_string(maxGroup), std::to_string(s.kvHeads));
  s.vocabSize = integer(o, "vocabSize", 1, int64_t(1) << 24);
  const double eps = finiteNumber(o, "rmsNormEps");
  if (!(eps > 0)) reject(true, "rmsNormEps", "a positive number", std::to_string(eps));
  s.rmsNormEps = float(eps);
  const CheckedArray freq = typedArray(o, "ropeInverseFrequencies", napi_float64_array, 8, s.headDim / 2);
  const double* f = static_cast<const double*>(rawView(freq.value).data);
  for (int64_t i = 0; i < s.headDim / 2; ++i) {
    if (!(std::isfinite(f[i]) && f[i] > 0))
      reject(true, "ropeInverseFrequencies[" + std::to_string(i) + "]", "a finite positive number",
             std::to_string(f[i]));
    s.ropeInverseFrequencies.push_back(float(f[i]));  // HF keeps inv_freq in fp32
  }
  s.qkvBias = booleanOption(o, "qkvBias");
  s.outputBias = booleanOption(o, "outputBias");
  s.tiedEmbeddings = booleanOption(o, "tiedEmbeddings");
  const std::string dtype = text(o, "dtype", {"fp16", "bf16"});
  s.dtype = dtype == "fp16" ? Dtype::fp16 : Dtype::bf16;
  s.batch = integer(o, "batch", 1, model::kMaxBatch);
  s.capacity = integer(o, "capacity", 1, int64_t(1) << 24);
  s.pageSize = integer(o, "pageSize", model::kPageSize, model::kPageSize);
  return s;
}

class ModelEngineWrap : public Napi::ObjectWrap<ModelEngineWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(
        env, "ModelEngine",
        {InstanceMethod<&ModelEngineWrap::setTensor>("setTensor"),
         InstanceMethod<&ModelEngineWrap::randomizeWeights>("randomizeWeights"),
         InstanceMethod<&ModelEngineWrap::append>("append"), InstanceMethod<&ModelEngineWrap::reset>("reset"),
         InstanceMethod<&ModelEngineWrap::dispose>("dispose"), InstanceMethod<&ModelEngineWrap::memory>("memory"),
         InstanceMethod<&ModelEngineWrap::length>("length"),
         InstanceMethod<&ModelEngineWrap::benchDecode>("benchDecode"),
         InstanceMethod<&ModelEngineWrap::setSelection>("setSelection"),
         InstanceMethod<&ModelEngineWrap::selectionCounts>("selectionCounts"),
         InstanceMethod<&ModelEngineWrap::setCheck>("setCheck"), InstanceMethod<&ModelEngineWrap::checks>("checks")});
  }

  explicit ModelEngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelEngineWrap>(info) {
    try {
      engine_ = std::make_unique<model::ModelEngine>(parseSpec(info));
    } catch (...) {
      throw engineError(info.Env(), std::current_exception());
    }
  }

 private:
  template <typename Body>
  Napi::Value run(const Napi::CallbackInfo& info, Body body) {
    try {
      if (!engine_) throw model::EngineStateError{"ERR_PRHS_DISPOSED", "the model engine was disposed"};
      return body(*engine_);
    } catch (...) {
      throw engineError(info.Env(), std::current_exception());
    }
  }

  // setTensor(name, dtype, shape, bytes): one tensor by its Hugging Face name.
  Napi::Value setTensor(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      if (info.Length() < 4)
        reject(false, "setTensor", "(name, dtype, shape, bytes)", std::to_string(info.Length()) + " arguments");
      if (!info[0].IsString()) reject(false, "name", "a tensor name", describe(info[0]));
      const std::string name = info[0].As<Napi::String>().Utf8Value();
      model::TensorSlot* slot = e.tensor(name);
      if (!slot) reject(true, "name", "a tensor of this model (for example model.norm.weight)", "\"" + name + "\"");
      if (!info[1].IsString()) reject(false, name + " dtype", "one of \"fp32\" \"fp16\" \"bf16\"", describe(info[1]));
      const std::string dtype = info[1].As<Napi::String>().Utf8Value();
      if (dtype != "fp32" && dtype != "fp16" && dtype != "bf16")
        reject(true, name + " dtype", "one of \"fp32\" \"fp16\" \"bf16\"", "\"" + dtype + "\"");
      const Dtype source = dtype == "fp32" ? Dtype::fp32 : dtype == "fp16" ? Dtype::fp16 : Dtype::bf16;
      std::vector<int64_t> shape;
      if (info[2].IsArray()) {
        const Napi::Array a = info[2].As<Napi::Array>();
        for (uint32_t i = 0; i < a.Length() && i < 8; ++i) {
          const Napi::Value v = a.Get(i);
          const double x = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
          shape.push_back(x >= 0 && x == std::floor(x) && x < 1e15 ? int64_t(x) : -1);
        }
      }
      if (shape != slot->shape)
        reject(true, name, "shape " + shapeText(slot->shape),
               info[2].IsArray() ? "shape " + shapeText(shape) : describe(info[2]));
      int64_t elements = 1;
      for (int64_t n : shape) elements *= n;
      const size_t bytes = size_t(elements) * (source == Dtype::fp32 ? 4 : 2);
      const RawView view = anyTypedArray(info[3], "bytes");
      if (view.type != napi_uint8_array || view.length != bytes) {
        reject(true, name + " bytes", "a Uint8Array of " + std::to_string(bytes) + " bytes",
               view.type != napi_uint8_array ? describe(info[3]) : std::to_string(view.length) + " bytes");
      }
      e.upload(*slot, source, view.data);
      return info.Env().Undefined();
    });
  }

  Napi::Value randomizeWeights(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      const Options o(info, {"seed"});
      e.randomizeWeights(uint32_t(integer(o, "seed", 0, 4294967295)));
      return info.Env().Undefined();
    });
  }

  // append(tokens: Int32Array [batch, count], count) -> Float32Array [batch, vocab].
  Napi::Value append(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      const model::ModelSpec& s = e.spec();
      if (info.Length() < 2 || !info[1].IsNumber())
        reject(false, "count", "an integer ≥ 1", info.Length() < 2 ? "nothing" : describe(info[1]));
      const double c = info[1].As<Napi::Number>().DoubleValue();
      if (!(c >= 1 && c == std::floor(c) && c <= double(s.capacity)))
        reject(true, "count", "an integer in [1, " + std::to_string(s.capacity) + "]", describe(info[1]));
      const int64_t count = int64_t(c);
      if (e.length() + count > s.capacity) {
        reject(true, "count",
               "at most " + std::to_string(s.capacity - e.length()) + " more tokens (capacity " +
                   std::to_string(s.capacity) + ", length " + std::to_string(e.length()) + ")",
               std::to_string(count));
      }
      const RawView view = anyTypedArray(info[0], "tokens");
      if (view.type != napi_int32_array || int64_t(view.length) != s.batch * count) {
        reject(false, "tokens", "an Int32Array of length batch × count = " + std::to_string(s.batch * count),
               view.type != napi_int32_array ? describe(info[0]) : "length " + std::to_string(view.length));
      }
      const int32_t* tokens = static_cast<const int32_t*>(view.data);
      for (int64_t i = 0; i < s.batch * count; ++i) {
        if (tokens[i] < 0 || tokens[i] >= s.vocabSize)
          reject(true, "tokens[" + std::to_string(i) + "]", "a token id in [0, " + std::to_string(s.vocabSize) + ")",
                 std::to_string(tokens[i]));
      }
      Napi::Float32Array logits = Napi::Float32Array::New(info.Env(), size_t(s.batch * s.vocabSize));
      e.append(tokens, count, logits.Data());
      return logits;
    });
  }

  Napi::Value reset(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      e.reset();
      return info.Env().Undefined();
    });
  }

  Napi::Value dispose(const Napi::CallbackInfo& info) {
    engine_.reset();
    return info.Env().Undefined();
  }

  Napi::Value memory(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      return Napi::Number::New(info.Env(), double(e.memoryBytes()));
    });
  }

  Napi::Value length(const Napi::CallbackInfo& info) {
    return run(info,
               [&](model::ModelEngine& e) -> Napi::Value { return Napi::Number::New(info.Env(), double(e.length())); });
  }

  // benchDecode({steps, warmup, context, seed, profileSteps?}): the median decode step over random K/V
  // filled to `context` tokens per sequence (no prefill); the cache is emptied afterwards. With
  // profileSteps > 0, that many more un-graphed steps report per-kernel-group times (`profile`).
  Napi::Value benchDecode(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      const Options o(info, {"steps", "warmup", "context", "seed", "profileSteps"});
      model::DecodeBenchOptions b;
      b.steps = int(integer(o, "steps", 1, 100000));
      b.warmup = int(integer(o, "warmup", 0, 100000));
      b.context = integer(o, "context", 0, e.spec().capacity);
      b.seed = uint32_t(integer(o, "seed", 0, 4294967295));
      b.profileSteps = o.get("profileSteps").IsUndefined() ? 0 : int(integer(o, "profileSteps", 0, 1000));
      const int64_t used = b.context + b.warmup + b.steps + b.profileSteps;
      if (used > e.spec().capacity) {
        reject(true, "context",
               "context + warmup + steps + profileSteps ≤ capacity (" + std::to_string(e.spec().capacity) + ")",
               std::to_string(used));
      }
      const model::DecodeBenchResult r = e.benchDecode(b);
      Napi::Env env = info.Env();
      Napi::Object result = Napi::Object::New(env);
      result.Set("medianMs", Napi::Number::New(env, r.medianMs));
      result.Set("minMs", Napi::Number::New(env, r.minMs));
      result.Set("weightBytes", Napi::Number::New(env, r.weightBytes));
      result.Set("kvBytes", Napi::Number::New(env, r.kvBytes));
      result.Set("chunks", Napi::Number::New(env, double(r.chunks)));
      result.Set("chunkTokens", Napi::Number::New(env, double(r.chunkTokens)));
      result.Set("selectedTokens", Napi::Number::New(env, r.selectedTokens));
      result.Set("retrievalRate", Napi::Number::New(env, r.retrievalRate));
      result.Set("selectionBytes", Napi::Number::New(env, r.selectionBytes));
      result.Set("cache", Napi::String::New(env, "random K/V filled to the context (no prefill)"));
      if (b.profileSteps > 0) {
        Napi::Array groups = Napi::Array::New(env, r.profile.size());
        for (size_t i = 0; i < r.profile.size(); ++i) {
          Napi::Object g = Napi::Object::New(env);
          g.Set("group", Napi::String::New(env, r.profile[i].group));
          g.Set("ms", Napi::Number::New(env, r.profile[i].ms));
          g.Set("launches", Napi::Number::New(env, r.profile[i].launches));
          groups.Set(uint32_t(i), g);
        }
        result.Set("profile", groups);
        result.Set("profileStepMs", Napi::Number::New(env, r.profileStepMs));
        result.Set("profileSteps", Napi::Number::New(env, double(b.profileSteps)));
      }
      return result;
    });
  }

  // setSelection({kind, budget, sinks, window, gate, dilated, radius}): the fields of the kind
  // (src/model/engines/cudaSelection.ts resolves the defaults); kind "dense" removes the selection.
  Napi::Value setSelection(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      const Options o(info, {"kind", "budget", "sinks", "window", "gate", "dilated", "radius"});
      const std::string kind = text(o, "kind", {"dense", "streaming", "oracle", "cis"});
      const int64_t capacity = e.spec().capacity;
      model::SelectionConfig c;
      c.kind = kind == "dense"       ? model::SelectionKind::dense
               : kind == "streaming" ? model::SelectionKind::streaming
               : kind == "oracle"    ? model::SelectionKind::oracle
                                     : model::SelectionKind::cis;
      if (c.kind != model::SelectionKind::dense) c.budget = integer(o, "budget", 1, capacity);
      if (c.kind == model::SelectionKind::streaming || c.kind == model::SelectionKind::cis)
        c.sinks = integer(o, "sinks", 0, capacity);
      if (c.kind == model::SelectionKind::cis) {
        c.window = integer(o, "window", 0, capacity);
        c.dilated = integer(o, "dilated", 0, c.budget);
        c.radius = integer(o, "radius", 0, capacity);
        c.gate = finiteNumber(o, "gate");
        if (c.gate < -1 || c.gate > 1) reject(true, "gate", "a cosine in [-1, 1]", std::to_string(c.gate));
      }
      const model::SelectionRefusal refusal = model::LayerSelection::unsupported(e.spec(), c);
      if (!refusal.argument.empty()) reject(true, refusal.argument, refusal.expected, refusal.received);
      e.setSelection(c);
      return info.Env().Undefined();
    });
  }

  // selectionCounts() -> per layer {kept, retrieved, headSteps} summed over decode steps since the
  // last setSelection, reset or benchDecode (which counts its timed steps).
  Napi::Value selectionCounts(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      Napi::Env env = info.Env();
      const std::vector<model::SelectionCounts> counts = e.selectionCounts();
      Napi::Array layers = Napi::Array::New(env, counts.size());
      for (size_t l = 0; l < counts.size(); ++l) {
        Napi::Object c = Napi::Object::New(env);
        c.Set("kept", Napi::Number::New(env, double(counts[l].kept)));
        c.Set("retrieved", Napi::Number::New(env, double(counts[l].retrieved)));
        c.Set("headSteps", Napi::Number::New(env, double(counts[l].headSteps)));
        layers.Set(uint32_t(l), c);
      }
      return layers;
    });
  }

  // setCheck({everySteps}): 0 turns check mode off.
  Napi::Value setCheck(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      const Options o(info, {"everySteps"});
      e.setCheck(integer(o, "everySteps", 0, 1 << 30));
      return info.Env().Undefined();
    });
  }

  // checks() -> [{position, logitsMaxAbsChange, records: Float64Array [layers, batch · queryHeads, fields]}].
  Napi::Value checks(const Napi::CallbackInfo& info) {
    return run(info, [&](model::ModelEngine& e) -> Napi::Value {
      Napi::Env env = info.Env();
      const std::vector<model::CheckedStep>& steps = e.checks();
      Napi::Array out = Napi::Array::New(env, steps.size());
      for (size_t i = 0; i < steps.size(); ++i) {
        Napi::Object step = Napi::Object::New(env);
        step.Set("position", Napi::Number::New(env, double(steps[i].position)));
        step.Set("logitsMaxAbsChange", Napi::Number::New(env, steps[i].logitsMaxAbsChange));
        Napi::Float64Array records = Napi::Float64Array::New(env, steps[i].records.size());
        std::copy(steps[i].records.begin(), steps[i].records.end(), records.Data());
        step.Set("records", records);
        step.Set("fields", Napi::Number::New(env, double(model::kCheckFields)));
        Napi::Int32Array kept = Napi::Int32Array::New(env, steps[i].kept.size());
        std::copy(steps[i].kept.begin(), steps[i].kept.end(), kept.Data());
        step.Set("kept", kept);
        Napi::Int32Array keptCount = Napi::Int32Array::New(env, steps[i].keptCount.size());
        std::copy(steps[i].keptCount.begin(), steps[i].keptCount.end(), keptCount.Data());
        step.Set("keptCount", keptCount);
        out.Set(uint32_t(i), step);
      }
      return out;
    });
  }

  std::unique_ptr<model::ModelEngine> engine_;
};

}  // namespace
