// PrHS selection inside the model engine: per layer and (sequence, KV head) the kept positions of
// this decode step, after RoPE, from the step's post-RoPE query and the paged cache. The query heads
// of a KV head share one kept list (they read the same K/V rows); the group's queries enter as one
// vector: its scores are the max over the group's heads, its CIS gate the cosine of the
// concatenated queries (theory/model.md, "PrHS in the CUDA engine"). Owns its device memory (its
// own arena: nothing is allocated half-way) and the per-layer counters of lastSelectionStats.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../cudaKernels.hpp"
#include "deviceArena.hpp"
#include "modelSpec.hpp"
#include "selectionKernels.hpp"
#include "stepProfiler.hpp"

namespace prhs {
namespace cuda {
namespace model {

enum class SelectionKind { dense, streaming, oracle, cis };

// As src/selectors (cis.ts, oracle.ts, streamingLLM.ts): budget in tokens; CIS's dilated count m
// and radius r resolved by the caller (src/model/engines/cudaSelection.ts).
struct SelectionConfig {
  SelectionKind kind = SelectionKind::dense;
  int64_t budget = 0, sinks = 0, window = 0, dilated = 0, radius = 0;
  double gate = 0;
};

// The inputs of one layer's selection at this decode step. Nothing here varies between steps: the
// lengths are read on the device, so the selected step is captured once in the engine's graph.
struct LayerSelectionInput {
  int64_t layer;
  const int32_t* lengths;  // [batch] positions cached before this step (the step sees one more)
  const void* query;       // [batch, queryHeads, headDim] dtype, after RoPE
  const void* keyPool;     // this layer's keys
  const int32_t* pageTable;
  StepProfiler* profiler = nullptr;  // profile mode: an event after each launch group ("selection: …")
};

// Why a config cannot run on an engine: the argument, what it must be, what it is.
struct SelectionRefusal {
  std::string argument, expected, received;
};

// Per layer: Σ kept over head-steps, head-steps that scored keys, head-steps.
struct SelectionCounts {
  unsigned long long kept = 0, retrieved = 0, headSteps = 0;
};

class LayerSelection {
 public:
  LayerSelection(const ModelSpec& spec, const SelectionConfig& config);
  LayerSelection(const LayerSelection&) = delete;
  LayerSelection& operator=(const LayerSelection&) = delete;

  const SelectionConfig& config() const { return config_; }
  // Why this config cannot run on this engine (argument empty: it can). Budget ranges are the caller's.
  static SelectionRefusal unsupported(const ModelSpec& spec, const SelectionConfig& config);

  void select(const LayerSelectionInput& in, cudaStream_t stream);
  const int32_t* kept() const { return arena_.at<int32_t>(kept_); }
  const int32_t* keptCount() const { return arena_.at<int32_t>(keptCount_); }
  int64_t stride() const { return config_.budget; }
  double* checkRecords() const { return arena_.at<double>(check_); }  // [layers, batch · queryHeads, kCheckFields]
  // Check mode: this layer's kept lists copied aside, so a checked step can return every layer's.
  void recordKept(int64_t layer, cudaStream_t stream);
  const int32_t* keptHistory() const { return arena_.at<int32_t>(keptHistory_); }            // [layers, rows, budget]
  const int32_t* keptCountHistory() const { return arena_.at<int32_t>(keptCountHistory_); }  // [layers, rows]
  int64_t rows() const { return rows_; }

  void forgetAnchors(cudaStream_t stream);  // a new sequence: every CIS head re-anchors
  void clearCounts(cudaStream_t stream);
  std::vector<SelectionCounts> counts(cudaStream_t stream) const;
  // Bytes one step's selection reads and writes beyond the kept K/V rows, at retrieval rate `retrieval`.
  double stepBytes(int64_t length, double retrieval) const;

 private:
  void selectCis(const LayerSelectionInput& in, cudaStream_t stream);
  void scoreAndRank(const LayerSelectionInput& in, const int32_t* rowList, const int32_t* rowCount,
                    cudaStream_t stream);
  static void mark(const LayerSelectionInput& in, const char* group) {
    if (in.profiler) in.profiler->mark(group);
  }

  ModelSpec spec_;
  SelectionConfig config_;
  int64_t rows_ = 0, queryWidth_ = 0;
  DeviceArena arena_;
  int64_t scoreBlocks_ = 0, topKBlocks_ = 0, marksStride_ = 0;  // blocks that share the scoring and the top-k rows
  // PRHS_SELECTION_KERNELS=new: the staged group scores (where the head dim allows) and the sliced top-k.
  bool newKernels_ = false, stagedScores_ = false;
  TopKSlicedShape sliced_;
  size_t query_ = 0, scores_ = 0, marks_ = 0, fresh_ = 0, topKSpace_ = 0, kept_ = 0, keptCount_ = 0, counts_ = 0,
         check_ = 0, keptHistory_ = 0, keptCountHistory_ = 0;
  // CIS state, per layer: anchor query, its norm, anchored flag, ranking and its size; per step: flags,
  // the list of rows that re-anchor and its length, set.
  size_t anchorQuery_ = 0, anchorNorm_ = 0, anchored_ = 0, ranking_ = 0, rankingSize_ = 0, reanchor_ = 0,
         reanchorList_ = 0, reanchorCount_ = 0, indices_ = 0, sizes_ = 0;
  uint32_t tableSize_ = 0;
};

}  // namespace model
}  // namespace cuda
}  // namespace prhs
