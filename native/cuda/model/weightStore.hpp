// The model's weights on the device, addressed by their Hugging Face tensor names
// (model.layers.{i}.self_attn.q_proj.weight, ...). Each name maps to a slot with the shape the spec
// implies and a place in the engine's arena; some tensors are stored fused for the kernels:
// q/k/v_proj stacked into one projection, gate_proj and up_proj interleaved row by row.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "deviceArena.hpp"
#include "modelSpec.hpp"

namespace prhs {
namespace cuda {
namespace model {

// One decoder layer's weights (engine dtype; [rows, cols] row-major, the nn.Linear layout).
struct LayerWeights {
  const void* inputNorm;   // [hidden] input_layernorm
  const void* qkv;         // [(Hq + 2 Hkv) · headDim, hidden]: q_proj rows, then k_proj, then v_proj
  const void* qkvBias;     // [(Hq + 2 Hkv) · headDim] q|k|v biases, or nullptr
  const void* output;      // [hidden, Hq · headDim] o_proj
  const void* outputBias;  // [hidden] o_proj bias, or nullptr
  const void* postNorm;    // [hidden] post_attention_layernorm
  const void* gateUp;      // [2 · intermediate, hidden]: row 2j = gate_proj row j, row 2j + 1 = up_proj row j
  const void* down;        // [hidden, intermediate] down_proj
};

struct ModelWeights {
  const void* embed;  // [vocab, hidden] embed_tokens
  std::vector<LayerWeights> layers;
  const void* finalNorm;  // [hidden] model.norm
  const void* lmHead;     // [vocab, hidden] lm_head (embed when tied)
};

// Where one named tensor goes: `rows` source rows of `cols` elements, row r to element
// offset + r · rowStride of the arena (rowStride > cols interleaves).
struct TensorSlot {
  std::string name;
  std::vector<int64_t> shape;
  size_t offset = 0;      // bytes into the arena
  int64_t rowStride = 0;  // destination elements between source rows
  bool set = false;
};

class WeightStore {
 public:
  // Plans every tensor of the spec into the arena (before it is allocated).
  WeightStore(const ModelSpec& spec, DeviceArena& arena);
  // Device pointers, once the arena is allocated.
  ModelWeights bind(const DeviceArena& arena) const;
  // The slot named `name`, or nullptr.
  TensorSlot* find(const std::string& name);
  // Copies a tensor in (source dtype fp32/fp16/bf16, converted on the host when it differs).
  void upload(TensorSlot& slot, Dtype source, const void* bytes, const DeviceArena& arena);
  // Fills every tensor with seeded values (norm weights 1, others uniform with standard deviation
  // 0.02, as HF initialises), for benchmarks without a checkpoint.
  void randomize(uint32_t seed, const DeviceArena& arena);
  // The first tensor never set, or "".
  std::string firstMissing() const;
  size_t bytes() const { return bytes_; }

 private:
  void add(const std::string& name, std::vector<int64_t> shape, size_t offset, int64_t rowStride);
  // Arena offsets of one layer's regions (kAbsent where the spec has no such tensor).
  struct LayerOffsets {
    size_t inputNorm, qkv, qkvBias, output, outputBias, postNorm, gateUp, down;
  };
  size_t region(DeviceArena& arena, int64_t elements);
  ModelSpec spec_;
  std::vector<TensorSlot> slots_;
  std::vector<LayerOffsets> layers_;
  size_t embed_ = 0, finalNorm_ = 0, lmHead_ = 0, bytes_ = 0;
};

}  // namespace model
}  // namespace cuda
}  // namespace prhs
