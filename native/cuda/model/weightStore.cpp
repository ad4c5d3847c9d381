// The weight store: HF names to arena regions, shape checks and the upload with dtype conversion.
#include "weightStore.hpp"

#include <algorithm>
#include <limits>

#include "../../src/halfPrecision.hpp"
#include "modelKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr size_t kAbsent = std::numeric_limits<size_t>::max();
constexpr int64_t kConvertElements = int64_t(1) << 24;  // host conversion buffer (32 MiB)

float widenHost(Dtype dtype, const void* p, int64_t i) {
  if (dtype == Dtype::fp32) return static_cast<const float*>(p)[i];
  const uint16_t bits = static_cast<const uint16_t*>(p)[i];
  return dtype == Dtype::fp16 ? half::fp16ToFloat(bits) : half::bf16ToFloat(bits);
}

uint16_t narrowHost(Dtype dtype, float x) { return dtype == Dtype::fp16 ? half::floatToFp16(x) : half::floatToBf16(x); }

size_t dtypeBytes(Dtype dtype) { return dtype == Dtype::fp32 ? 4 : 2; }

}  // namespace

size_t WeightStore::region(DeviceArena& arena, int64_t elements) {
  bytes_ += size_t(elements) * 2;
  return arena.reserve(size_t(elements) * 2);
}

void WeightStore::add(const std::string& name, std::vector<int64_t> shape, size_t offset, int64_t rowStride) {
  TensorSlot slot;
  slot.name = name;
  slot.shape = std::move(shape);
  slot.offset = offset;
  slot.rowStride = rowStride;
  slots_.push_back(std::move(slot));
}

WeightStore::WeightStore(const ModelSpec& spec, DeviceArena& arena) : spec_(spec) {
  const int64_t h = spec.hiddenSize, d = spec.headDim, inter = spec.intermediateSize;
  const int64_t qRows = spec.queryHeads * d, kvRows = spec.kvHeads * d;
  embed_ = region(arena, spec.vocabSize * h);
  add("model.embed_tokens.weight", {spec.vocabSize, h}, embed_, h);
  for (int64_t i = 0; i < spec.layers; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    LayerOffsets o{};
    o.inputNorm = region(arena, h);
    o.qkv = region(arena, spec.qkvRows() * h);
    o.qkvBias = spec.qkvBias ? region(arena, spec.qkvRows()) : kAbsent;
    o.output = region(arena, h * qRows);
    o.outputBias = spec.outputBias ? region(arena, h) : kAbsent;
    o.postNorm = region(arena, h);
    o.gateUp = region(arena, 2 * inter * h);
    o.down = region(arena, h * inter);
    add(p + "input_layernorm.weight", {h}, o.inputNorm, h);
    add(p + "self_attn.q_proj.weight", {qRows, h}, o.qkv, h);
    add(p + "self_attn.k_proj.weight", {kvRows, h}, o.qkv + size_t(qRows * h) * 2, h);
    add(p + "self_attn.v_proj.weight", {kvRows, h}, o.qkv + size_t((qRows + kvRows) * h) * 2, h);
    if (spec.qkvBias) {
      add(p + "self_attn.q_proj.bias", {qRows}, o.qkvBias, qRows);
      add(p + "self_attn.k_proj.bias", {kvRows}, o.qkvBias + size_t(qRows) * 2, kvRows);
      add(p + "self_attn.v_proj.bias", {kvRows}, o.qkvBias + size_t(qRows + kvRows) * 2, kvRows);
    }
    add(p + "self_attn.o_proj.weight", {h, qRows}, o.output, qRows);
    if (spec.outputBias) add(p + "self_attn.o_proj.bias", {h}, o.outputBias, h);
    add(p + "post_attention_layernorm.weight", {h}, o.postNorm, h);
    add(p + "mlp.gate_proj.weight", {inter, h}, o.gateUp, 2 * h);
    add(p + "mlp.up_proj.weight", {inter, h}, o.gateUp + size_t(h) * 2, 2 * h);
    add(p + "mlp.down_proj.weight", {h, inter}, o.down, inter);
    layers_.push_back(o);
  }
  finalNorm_ = region(arena, h);
  add("model.norm.weight", {h}, finalNorm_, h);
  lmHead_ = spec.tiedEmbeddings ? embed_ : region(arena, spec.vocabSize * h);
  if (!spec.tiedEmbeddings) add("lm_head.weight", {spec.vocabSize, h}, lmHead_, h);
}

ModelWeights WeightStore::bind(const DeviceArena& arena) const {
  const auto at = [&](size_t offset) -> const void* { return offset == kAbsent ? nullptr : arena.at<void>(offset); };
  ModelWeights w;
  w.embed = at(embed_);
  w.finalNorm = at(finalNorm_);
  w.lmHead = at(lmHead_);
  for (const LayerOffsets& o : layers_) {
    w.layers.push_back(LayerWeights{at(o.inputNorm), at(o.qkv), at(o.qkvBias), at(o.output), at(o.outputBias),
                                    at(o.postNorm), at(o.gateUp), at(o.down)});
  }
  return w;
}

TensorSlot* WeightStore::find(const std::string& name) {
  for (TensorSlot& slot : slots_) {
    if (slot.name == name) return &slot;
  }
  return nullptr;
}

void WeightStore::upload(TensorSlot& slot, Dtype source, const void* bytes, const DeviceArena& arena) {
  const int64_t cols = slot.shape.back();
  const int64_t rows = slot.shape.size() == 2 ? slot.shape[0] : 1;
  unsigned char* dst = arena.at<unsigned char>(slot.offset);
  const size_t pitch = size_t(slot.rowStride) * 2, rowBytes = size_t(cols) * 2;
  if (source == spec_.dtype) {
    check(cudaMemcpy2D(dst, pitch, bytes, rowBytes, rowBytes, size_t(rows), cudaMemcpyHostToDevice),
          "cudaMemcpy2D (model tensor upload)");
  } else {
    // Converted in batches of whole rows, each rounded once (round-to-nearest-even).
    const int64_t batchRows = std::max<int64_t>(1, kConvertElements / cols);
    std::vector<uint16_t> converted(size_t(std::min(rows, batchRows) * cols));
    for (int64_t r0 = 0; r0 < rows; r0 += batchRows) {
      const int64_t n = std::min(batchRows, rows - r0);
      const unsigned char* src = static_cast<const unsigned char*>(bytes) + size_t(r0 * cols) * dtypeBytes(source);
      for (int64_t i = 0; i < n * cols; ++i) converted[size_t(i)] = narrowHost(spec_.dtype, widenHost(source, src, i));
      check(cudaMemcpy2D(dst + size_t(r0) * pitch, pitch, converted.data(), rowBytes, rowBytes, size_t(n),
                         cudaMemcpyHostToDevice),
            "cudaMemcpy2D (model tensor upload)");
    }
  }
  slot.set = true;
}

void WeightStore::randomize(uint32_t seed, const DeviceArena& arena) {
  uint32_t index = 0;
  for (TensorSlot& slot : slots_) {
    const bool norm = slot.name.find("norm.weight") != std::string::npos;
    const int64_t cols = slot.shape.back();
    const int64_t rows = slot.shape.size() == 2 ? slot.shape[0] : 1;
    FillParams f{
        spec_.dtype,      arena.at<void>(slot.offset), rows, cols, slot.rowStride, norm ? 0.f : 0.02f * 1.7320508f,
        norm ? 1.f : 0.f, seed * 7919u + index++};
    launchFill(f, nullptr);
    slot.set = true;
  }
  check(cudaDeviceSynchronize(), "random model weights");
}

std::string WeightStore::firstMissing() const {
  for (const TensorSlot& slot : slots_) {
    if (!slot.set) return slot.name;
  }
  return "";
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
