// One LLaMA-family model on the GPU with a paged KV cache for `batch` sequences that advance
// together: the step orchestration (embedding, layers, final norm, LM head), the decode step's CUDA
// graph, and the decode benchmark. The N-API class (engineBinding.hpp) validates every argument
// before it reaches this class.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "certifiedCheck.hpp"
#include "deviceArena.hpp"
#include "layerSelection.hpp"
#include "modelKernels.hpp"
#include "modelSpec.hpp"
#include "stepProfiler.hpp"
#include "weightStore.hpp"

namespace prhs {
namespace cuda {
namespace model {

// A state error of the engine (tensors missing, disposed): code and message.
struct EngineStateError {
  std::string code;
  std::string message;
};

struct DecodeBenchOptions {
  int steps = 0;
  int warmup = 0;
  int64_t context = 0;  // tokens of random K/V per sequence before the first timed step
  uint32_t seed = 0;
  int profileSteps = 0;  // then this many un-graphed steps with per-kernel-group times (StepProfiler)
};

struct DecodeBenchResult {
  double medianMs = 0, minMs = 0;
  double weightBytes = 0;  // weights read per step (embedding rows excluded)
  double kvBytes = 0;      // K and V rows read per step at the median step's context (the kept rows with a selection)
  int64_t chunks = 0, chunkTokens = 0;
  double selectedTokens = 0;             // mean kept positions per (layer, sequence, KV head) over the timed steps
  double retrievalRate = 0;              // share of those head-steps that scored keys
  double selectionBytes = 0;             // selection's own bytes per step at that retrieval rate
  std::vector<KernelGroupTime> profile;  // per step, in step order (profileSteps > 0)
  double profileStepMs = 0;              // their sum: one un-graphed step
};

// One checked decode step (check mode): records [layers, batch · queryHeads, kCheckFields] and
// the largest change of a final logit between the dense and the sparse step.
struct CheckedStep {
  int64_t position = 0;
  double logitsMaxAbsChange = 0;
  std::vector<double> records;
  std::vector<int32_t> kept;       // [layers, batch · kvHeads, budget] position-ordered, first keptCount valid
  std::vector<int32_t> keptCount;  // [layers, batch · kvHeads]
};

class ModelEngine {
 public:
  explicit ModelEngine(const ModelSpec& spec);
  ~ModelEngine();
  ModelEngine(const ModelEngine&) = delete;
  ModelEngine& operator=(const ModelEngine&) = delete;

  const ModelSpec& spec() const { return spec_; }
  int64_t length() const { return length_; }
  size_t memoryBytes() const { return arena_.allocatedBytes(); }
  size_t weightBytes() const { return weights_.bytes(); }

  TensorSlot* tensor(const std::string& name) { return weights_.find(name); }
  void upload(TensorSlot& slot, Dtype source, const void* bytes) { weights_.upload(slot, source, bytes, arena_); }
  void randomizeWeights(uint32_t seed) { weights_.randomize(seed, arena_); }

  // tokens [batch, count] (ids already checked against the vocabulary, length + count ≤ capacity);
  // logits [batch, vocab] of the last appended position.
  void append(const int32_t* tokens, int64_t count, float* logits);
  void reset();
  DecodeBenchResult benchDecode(const DecodeBenchOptions& o);

  // PrHS in the decode loop (dense: none). An append of one token is a decode step and selects; an
  // append of several (the prompt) is a prefill and stays dense.
  void setSelection(const SelectionConfig& config);
  const LayerSelection* selection() const { return selection_.get(); }
  std::vector<SelectionCounts> selectionCounts();
  // Check mode: every `everySteps`-th decode step (0: never) also runs the dense step on the same cache.
  void setCheck(int64_t everySteps);
  const std::vector<CheckedStep>& checks() const { return checks_; }

 private:
  struct Buffers {
    size_t residual, normed, qkv, query, attention, denseAttention, mlp, lastNormed, logits, tokens, lengths, pageTable,
        invFreq, partial;
    std::vector<size_t> keyPool, valuePool;
  };
  // How one pass runs: logits or not, lengths advanced or not (the dense half of a checked step),
  // attention over the selection's kept lists (decode only), checked (`length` visible positions).
  struct PassOptions {
    bool withLogits = true;
    bool advance = true;
    bool sparse = false;
    bool check = false;
    int64_t length = 0;
  };
  void planBuffers();
  void initialise();
  void requireWeights() const;
  void linear(const void* x, const void* weight, const void* bias, int64_t rows, int64_t in, int64_t out,
              LinearEpilogue epilogue, void* result);
  void attention(int64_t count, size_t layer, bool sparse, void* out);
  void checkLayer(size_t layer, int64_t length);
  void forward(int64_t count, const PassOptions& o);
  void mark(const char* group) {
    if (profiler_) profiler_->mark(group);
  }
  void profileSteps(const DecodeBenchOptions& o, DecodeBenchResult& r);
  void decodeStep(int64_t position);
  cudaGraphExec_t captureStep(const PassOptions& o);
  void checkedStep(int64_t position);

  ModelSpec spec_;
  DeviceArena arena_;
  WeightStore weights_;
  ModelWeights w_{};
  Buffers b_{};
  cudaStream_t stream_ = nullptr;
  cudaGraphExec_t decodeGraph_ = nullptr;
  cudaGraphExec_t selectedGraph_ = nullptr;  // the decode step with selection_ (none: not captured yet)
  int64_t length_ = 0;
  int64_t decodeChunks_ = 1, decodeChunkTokens_ = 0, partialFloats_ = 0;
  int64_t sparseChunks_ = 1, sparseChunkTokens_ = 0;  // the decode plan over a kept list (setSelection)
  std::vector<int32_t> stagedTokens_;
  std::unique_ptr<LayerSelection> selection_;
  std::unique_ptr<CertifiedCheck> certified_;  // check mode's δ̂ workspace, made at the first checked step
  int64_t checkEvery_ = 0, decodeIndex_ = 0;
  bool benchmarking_ = false;
  StepProfiler* profiler_ = nullptr;  // set while benchDecode profiles
  std::vector<CheckedStep> checks_;
};

}  // namespace model
}  // namespace cuda
}  // namespace prhs
