// PrHS selection inside the model engine (layerSelection.hpp): StreamingLLM from positions alone,
// oracle top-k from exact group scores, CIS with the fused selection kernel (native/cuda/cis.cu)
// and the exact top-k (native/cuda/topK.cu) for the heads that re-anchor. Every launch reads the
// step's lengths from device memory and has a fixed grid, so the engine captures the selected step
// once in its CUDA graph; which rows re-anchor is decided and listed on the device.
#include "layerSelection.hpp"

#include <algorithm>
#include <cmath>

#include "../cisKernels.hpp"
#include "../cudaKernels.hpp"
#include "../deviceAttributes.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int64_t kCisMaxQueryWidth = 1024;  // the CIS kernel's gate reads up to this many floats
constexpr int64_t kTopKBlocksPerSm = 2;      // 1024-thread top-k blocks per SM

}  // namespace

SelectionRefusal LayerSelection::unsupported(const ModelSpec& s, const SelectionConfig& c) {
  if (c.kind != SelectionKind::cis) return {};
  if (s.group() * s.headDim > kCisMaxQueryWidth) {
    return {"kind",
            "a selector other than cis for this model: the GPU CIS gate needs (queryHeads / kvHeads) · headDim ≤ " +
                std::to_string(kCisMaxQueryWidth),
            "cis with (queryHeads / kvHeads) · headDim = " + std::to_string(s.group() * s.headDim)};
  }
  if (cisTiled(cisTableSize(c.budget, c.sinks, c.window, c.dilated, c.radius)) && s.capacity > cisMaxTiledLength()) {
    return {"budget",
            "a budget whose CIS set table fits shared memory, or an engine capacity of at most " +
                std::to_string(cisMaxTiledLength()) + " tokens (the large-budget set build keeps a bitmap of them)",
            std::to_string(c.budget) + " with capacity " + std::to_string(s.capacity)};
  }
  return {};
}

LayerSelection::LayerSelection(const ModelSpec& spec, const SelectionConfig& config) : spec_(spec), config_(config) {
  const ModelSpec& s = spec_;
  const int64_t B = config.budget, L = s.layers, N = s.capacity;
  rows_ = s.batch * s.kvHeads;
  queryWidth_ = s.group() * s.headDim;
  const int64_t sms = multiprocessorCount();
  newKernels_ = newSelectionKernels();
  stagedScores_ = newKernels_ && stagedGroupScoresSupport(s.headDim);
  scoreBlocks_ =
      (stagedScores_ ? stagedGroupScoreBlocksPerSm(s.dtype, s.group(), s.headDim) : groupScoreBlocksPerSm(s.dtype)) *
      sms;
  topKBlocks_ = std::min(rows_, kTopKBlocksPerSm * sms);
  if (newKernels_) sliced_ = topKSlicedShape(rows_, N, B);
  query_ = arena_.reserve(size_t(rows_ * queryWidth_) * 4);
  scores_ = arena_.reserve(size_t(rows_ * N) * 4);
  marksStride_ = (N + 15) / 16 * 16;  // 16-byte chunks (the arena aligns the region to 256 bytes)
  marks_ = arena_.reserve(size_t(rows_ * marksStride_));
  fresh_ = arena_.reserve(size_t(rows_ * B) * 4);
  topKSpace_ =
      arena_.reserve(newKernels_ ? topKSlicedWorkspaceBytes(sliced_) : topKListedWorkspaceBytes(topKBlocks_, B));
  kept_ = arena_.reserve(size_t(rows_ * B) * 4);
  keptCount_ = arena_.reserve(size_t(rows_) * 4);
  counts_ = arena_.reserve(size_t(L) * sizeof(SelectionCounts));
  check_ = arena_.reserve(size_t(L * s.batch * s.queryHeads * kCheckFields) * 8);
  keptHistory_ = arena_.reserve(size_t(L * rows_ * B) * 4);
  keptCountHistory_ = arena_.reserve(size_t(L * rows_) * 4);
  if (config.kind == SelectionKind::cis) {
    anchorQuery_ = arena_.reserve(size_t(L * rows_ * queryWidth_) * 4);
    anchorNorm_ = arena_.reserve(size_t(L * rows_) * 8);
    anchored_ = arena_.reserve(size_t(L * rows_));
    ranking_ = arena_.reserve(size_t(L * rows_ * B) * 4);
    rankingSize_ = arena_.reserve(size_t(L * rows_) * 4);
    reanchor_ = arena_.reserve(size_t(rows_));
    reanchorList_ = arena_.reserve(size_t(rows_) * 4);
    reanchorCount_ = arena_.reserve(4);
    indices_ = arena_.reserve(size_t(rows_ * B) * 4);
    sizes_ = arena_.reserve(size_t(rows_) * 4);
    tableSize_ = cisTableSize(B, config.sinks, config.window, config.dilated, config.radius);
  }
  arena_.allocate("PrHS selection state and workspace");
  // Scores of positions a row never scored are never read; keep everything defined all the same
  // (the sliced top-k needs its counters zero once: every launch leaves them zero).
  check(cudaMemset(arena_.at<void>(0), 0, arena_.allocatedBytes()), "cudaMemset (selection)");
}

void LayerSelection::select(const LayerSelectionInput& in, cudaStream_t stream) {
  const ModelSpec& s = spec_;
  const int64_t B = config_.budget;
  SelectionCounts* counts = arena_.at<SelectionCounts>(counts_) + in.layer;
  unsigned long long* counters = &counts->kept;
  switch (config_.kind) {
    case SelectionKind::dense: return;
    case SelectionKind::streaming:
      launchStreamingKept({rows_, in.lengths, s.kvHeads, B, config_.sinks, arena_.at<int32_t>(kept_),
                           arena_.at<int32_t>(keptCount_), B},
                          stream);
      mark(in, "selection: streaming list");
      launchCountSelection(arena_.at<int32_t>(keptCount_), nullptr, false, rows_, counters, stream);
      mark(in, "selection: counts");
      return;
    case SelectionKind::oracle:
      launchWidenQuery(s.dtype, in.query, rows_ * queryWidth_, arena_.at<float>(query_), stream);
      mark(in, "selection: widen query");
      scoreAndRank(in, nullptr, nullptr, stream);
      launchSortKept({arena_.at<int32_t>(fresh_), nullptr, rows_, B, B, in.lengths, s.kvHeads, marksStride_,
                      arena_.at<uint8_t>(marks_), arena_.at<int32_t>(kept_), arena_.at<int32_t>(keptCount_), B},
                     stream);
      mark(in, "selection: position order");
      launchCountSelection(arena_.at<int32_t>(keptCount_), nullptr, true, rows_, counters, stream);
      mark(in, "selection: counts");
      return;
    case SelectionKind::cis: selectCis(in, stream); return;
  }
}

// Exact group scores and the top min(B, N) of the listed rows (rowList nullptr: every row) into fresh.
void LayerSelection::scoreAndRank(const LayerSelectionInput& in, const int32_t* rowList, const int32_t* rowCount,
                                  cudaStream_t stream) {
  const ModelSpec& s = spec_;
  GroupScoreParams scores{};
  scores.dtype = s.dtype;
  scores.query = arena_.at<float>(query_);
  scores.keyPool = in.keyPool;
  scores.pageTable = in.pageTable;
  scores.lengths = in.lengths;
  scores.batch = s.batch;
  scores.kvHeads = s.kvHeads;
  scores.group = s.group();
  scores.headDim = s.headDim;
  scores.pagesPerSequence = s.pagesPerSequence();
  scores.capacity = s.capacity;
  scores.scale = 1.f / std::sqrt(float(s.headDim));
  scores.rowList = rowList;
  scores.rowCount = rowCount;
  scores.out = arena_.at<float>(scores_);
  if (stagedScores_)
    launchStagedGroupScores(scores, scoreBlocks_, stream);
  else
    launchGroupScores(scores, scoreBlocks_, stream);
  mark(in, "selection: group scores");
  TopKListedParams t{};
  t.scores = arena_.at<float>(scores_);
  t.scoreStride = s.capacity;
  t.rowList = rowList;
  t.rowCount = rowCount;
  t.rows = rows_;
  t.lengths = in.lengths;
  t.rowsPerLength = s.kvHeads;
  t.lengthOffset = 1;
  t.budget = config_.budget;
  t.out = arena_.at<int32_t>(fresh_);
  t.outStride = config_.budget;
  t.workspace = arena_.at<uint64_t>(topKSpace_);
  t.ranked = config_.kind != SelectionKind::oracle;  // the oracle's list is put in position order: only its set counts
  if (newKernels_)
    launchTopKSliced(t, sliced_, stream);
  else
    launchTopKListed(t, topKBlocks_, stream);
  mark(in, "selection: top-k");
}

// Gate (every head), the list of heads that re-anchor, their exact scores and top-k, anchor update
// and set build, then the set in position order.
void LayerSelection::selectCis(const LayerSelectionInput& in, cudaStream_t stream) {
  const ModelSpec& s = spec_;
  const int64_t B = config_.budget, l = in.layer;
  launchWidenQuery(s.dtype, in.query, rows_ * queryWidth_, arena_.at<float>(query_), stream);
  mark(in, "selection: widen query");
  CisParams p{};
  p.query = arena_.at<float>(query_);
  p.anchorQuery = arena_.at<float>(anchorQuery_) + l * rows_ * queryWidth_;
  p.anchorNorm = arena_.at<double>(anchorNorm_) + l * rows_;
  p.anchored = arena_.at<uint8_t>(anchored_) + l * rows_;
  p.ranking = arena_.at<int32_t>(ranking_) + l * rows_ * B;
  p.rankingSize = arena_.at<int32_t>(rankingSize_) + l * rows_;
  p.fresh = arena_.at<int32_t>(fresh_);
  p.freshStride = B;
  p.reanchor = arena_.at<uint8_t>(reanchor_);
  p.indices = arena_.at<int32_t>(indices_);
  p.sizes = arena_.at<int32_t>(sizes_);
  p.rows = rows_;
  p.headDim = queryWidth_;
  p.length = 0;  // read per row from lengths
  p.budget = B;
  p.sinks = config_.sinks;
  p.window = config_.window;
  p.dilated = config_.dilated;
  p.radius = config_.radius;
  p.gate = config_.gate;
  p.tableSize = tableSize_;
  p.lengths = in.lengths;
  p.rowsPerLength = s.kvHeads;
  p.lengthOffset = 1;
  p.maxLength = s.capacity;
  launchCis(p, 0, stream);
  mark(in, "selection: CIS gate");
  int32_t* list = arena_.at<int32_t>(reanchorList_);
  int32_t* listed = arena_.at<int32_t>(reanchorCount_);
  launchCompactRows(arena_.at<uint8_t>(reanchor_), rows_, list, listed, stream);
  mark(in, "selection: re-anchor list");
  scoreAndRank(in, list, listed, stream);
  launchCis(p, 1, stream);
  mark(in, "selection: CIS set build");
  launchSortKept(
      {arena_.at<int32_t>(indices_), arena_.at<int32_t>(sizes_), rows_, B, 0, in.lengths, s.kvHeads, marksStride_,
       arena_.at<uint8_t>(marks_), arena_.at<int32_t>(kept_), arena_.at<int32_t>(keptCount_), B},
      stream);
  mark(in, "selection: position order");
  SelectionCounts* counts = arena_.at<SelectionCounts>(counts_) + l;
  launchCountSelection(arena_.at<int32_t>(keptCount_), arena_.at<uint8_t>(reanchor_), false, rows_, &counts->kept,
                       stream);
  mark(in, "selection: counts");
}

void LayerSelection::recordKept(int64_t layer, cudaStream_t stream) {
  const size_t listBytes = size_t(rows_ * config_.budget) * 4;
  check(cudaMemcpyAsync(arena_.at<int32_t>(keptHistory_) + layer * rows_ * config_.budget, kept(), listBytes,
                        cudaMemcpyDeviceToDevice, stream),
        "kept-list copy (check mode)");
  check(cudaMemcpyAsync(arena_.at<int32_t>(keptCountHistory_) + layer * rows_, keptCount(), size_t(rows_) * 4,
                        cudaMemcpyDeviceToDevice, stream),
        "kept-count copy (check mode)");
}

void LayerSelection::forgetAnchors(cudaStream_t stream) {
  if (config_.kind != SelectionKind::cis) return;
  check(cudaMemsetAsync(arena_.at<uint8_t>(anchored_), 0, size_t(spec_.layers * rows_), stream),
        "cudaMemset (CIS anchors)");
}

void LayerSelection::clearCounts(cudaStream_t stream) {
  check(cudaMemsetAsync(arena_.at<void>(counts_), 0, size_t(spec_.layers) * sizeof(SelectionCounts), stream),
        "cudaMemset (selection counts)");
}

std::vector<SelectionCounts> LayerSelection::counts(cudaStream_t stream) const {
  std::vector<SelectionCounts> out(size_t(spec_.layers));
  check(cudaMemcpyAsync(out.data(), arena_.at<void>(counts_), out.size() * sizeof(SelectionCounts),
                        cudaMemcpyDeviceToHost, stream),
        "selection counts download");
  check(cudaStreamSynchronize(stream), "selection counts download");
  return out;
}

// Per layer and row: the query widened (read dtype, write and read fp32); at a retrieval the keys
// scored (N · headDim dtype), the scores written (4 N) and read by the top-k (4 N: it runs only over
// the rows that retrieve), and the ranking (4 B); the set build's ranking and index traffic
// (≈ 3 · 4 B); the ordering's marks (2 N) and list (4 B). StreamingLLM reads nothing and writes its list.
double LayerSelection::stepBytes(int64_t length, double retrieval) const {
  const ModelSpec& s = spec_;
  const double N = double(length), B = double(std::min<int64_t>(config_.budget, length)), w = double(queryWidth_);
  double perRow = 4 * B;
  if (config_.kind != SelectionKind::streaming) {
    perRow += w * (2 + 8) + retrieval * (N * double(s.headDim) * 2 + 8 * N + 4 * B) + 2 * N + 4 * B;
    if (config_.kind == SelectionKind::cis) perRow += 12 * B + w * 4;
  }
  return perRow * double(rows_ * s.layers);
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
