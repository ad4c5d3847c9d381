// The shape of one LLaMA-family decoder (LLaMA, Mistral, Qwen2) and of the engine that runs it:
// what the N-API constructor validates and every other part of the engine reads.
#pragma once
#include <cstdint>
#include <vector>

#include "../../src/kernels.hpp"

namespace prhs {
namespace cuda {
namespace model {

constexpr int kPageSize = 16;       // tokens per KV-cache page
constexpr int kMaxBatch = 64;       // sequences decoded side by side
constexpr int kMaxGroup = 16;       // query heads per KV head
constexpr int kPrefillRows = 1024;  // token rows one prefill slice runs (batch × tokens)

struct ModelSpec {
  int64_t layers = 0;
  int64_t hiddenSize = 0;        // multiple of 8 (16-byte weight loads)
  int64_t intermediateSize = 0;  // multiple of 8
  int64_t queryHeads = 0;
  int64_t kvHeads = 0;  // divides queryHeads; queryHeads / kvHeads ≤ kMaxGroup
  int64_t headDim = 0;  // 16, 32, 64, 96, 128 or 256
  int64_t vocabSize = 0;
  float rmsNormEps = 0;
  std::vector<float> ropeInverseFrequencies;  // [headDim / 2], fp32 as HF keeps inv_freq
  bool qkvBias = false;                       // q/k/v_proj carry biases (Qwen2)
  bool outputBias = false;                    // o_proj carries a bias
  bool tiedEmbeddings = false;                // the LM head is embed_tokens
  Dtype dtype = Dtype::fp16;                  // fp16 or bf16: weights, activations between kernels, KV cache
  int64_t batch = 0;                          // 1..kMaxBatch
  int64_t capacity = 0;                       // most tokens per sequence
  int64_t pageSize = kPageSize;

  int64_t group() const { return queryHeads / kvHeads; }
  int64_t qkvRows() const { return (queryHeads + 2 * kvHeads) * headDim; }  // fused q|k|v projection
  int64_t attentionWidth() const { return queryHeads * headDim; }
  int64_t pagesPerSequence() const { return (capacity + kPageSize - 1) / kPageSize; }
  // Token rows of one prefill slice per sequence, so that batch × slice ≤ kPrefillRows.
  int64_t prefillSlice() const { return kPrefillRows / batch > 0 ? kPrefillRows / batch : 1; }
  int64_t maxRows() const { return batch * prefillSlice(); }
};

inline bool supportedHeadDim(int64_t d) { return d == 16 || d == 32 || d == 64 || d == 96 || d == 128 || d == 256; }

}  // namespace model
}  // namespace cuda
}  // namespace prhs
