// PrHS selection inside the model engine (layerSelection.hpp): StreamingLLM from positions alone,
// oracle top-k from exact group scores, CIS with the fused selection kernel (native/cuda/cis.cu)
// and the exact top-k (native/cuda/topK.cu) for the heads that re-anchor.
#include "layerSelection.hpp"

#include <algorithm>
#include <cmath>

#include "../cisKernels.hpp"
#include "../cudaKernels.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int64_t kCisMaxQueryWidth = 1024;       // the CIS kernel's gate reads up to this many floats
constexpr size_t kCisMaxTableBytes = 200 * 1024;  // its shared-memory table (launchCis refuses more)

}  // namespace

SelectionRefusal LayerSelection::unsupported(const ModelSpec& s, const SelectionConfig& c) {
  if (c.kind != SelectionKind::cis) return {};
  if (s.group() * s.headDim > kCisMaxQueryWidth) {
    return {"kind",
            "a selector other than cis for this model: the GPU CIS gate needs (queryHeads / kvHeads) · headDim ≤ " +
                std::to_string(kCisMaxQueryWidth),
            "cis with (queryHeads / kvHeads) · headDim = " + std::to_string(s.group() * s.headDim)};
  }
  const size_t table = size_t(cisTableSize(c.budget, c.sinks, c.window, c.dilated, c.radius)) * 2 * sizeof(int32_t);
  if (table > kCisMaxTableBytes) {
    return {
        "budget",
        "a budget whose fused CIS kernel table fits " + std::to_string(kCisMaxTableBytes) + " bytes of shared memory",
        std::to_string(c.budget) + " (table " + std::to_string(table) + " bytes)"};
  }
  return {};
}

LayerSelection::LayerSelection(const ModelSpec& spec, const SelectionConfig& config) : spec_(spec), config_(config) {
  const ModelSpec& s = spec_;
  const int64_t B = config.budget, L = s.layers, N = s.capacity;
  rows_ = s.batch * s.kvHeads;
  queryWidth_ = s.group() * s.headDim;
  query_ = arena_.reserve(size_t(rows_ * queryWidth_) * 4);
  scores_ = arena_.reserve(size_t(rows_ * N) * 4);
  marks_ = arena_.reserve(size_t(rows_ * N));
  fresh_ = arena_.reserve(size_t(rows_ * B) * 4);
  topKSpace_ = arena_.reserve(topKWorkspaceBytes(rows_, N, B));
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
    indices_ = arena_.reserve(size_t(rows_ * B) * 4);
    sizes_ = arena_.reserve(size_t(rows_) * 4);
  }
  arena_.allocate("PrHS selection state and workspace");
  // Scores of rows that skip a launch are read by the top-k (and ignored): keep them defined.
  check(cudaMemset(arena_.at<void>(0), 0, arena_.allocatedBytes()), "cudaMemset (selection)");
}

void LayerSelection::select(const LayerSelectionInput& in, cudaStream_t stream) {
  const ModelSpec& s = spec_;
  const int64_t B = config_.budget, N = in.length;
  SelectionCounts* counts = arena_.at<SelectionCounts>(counts_) + in.layer;
  unsigned long long* counters = &counts->kept;
  switch (config_.kind) {
    case SelectionKind::dense: return;
    case SelectionKind::streaming:
      launchStreamingKept(rows_, N, B, config_.sinks, arena_.at<int32_t>(kept_), arena_.at<int32_t>(keptCount_), B,
                          stream);
      launchCountSelection(arena_.at<int32_t>(keptCount_), nullptr, false, rows_, counters, stream);
      return;
    case SelectionKind::oracle: {
      const int64_t k = std::min(B, N);
      launchWidenQuery(s.dtype, in.query, rows_ * queryWidth_, arena_.at<float>(query_), stream);
      launchGroupScores(
          {s.dtype, arena_.at<float>(query_), in.keyPool, in.pageTable, s.batch, s.kvHeads, s.group(), s.headDim,
           s.pagesPerSequence(), N, 1.f / std::sqrt(float(s.headDim)), nullptr, arena_.at<float>(scores_)},
          stream);
      launchTopK(arena_.at<float>(scores_), rows_, N, k, arena_.at<int32_t>(fresh_), arena_.at<void>(topKSpace_),
                 stream);
      launchSortKept({arena_.at<int32_t>(fresh_), nullptr, rows_, k, k, N, arena_.at<uint8_t>(marks_),
                      arena_.at<int32_t>(kept_), arena_.at<int32_t>(keptCount_), B},
                     stream);
      launchCountSelection(arena_.at<int32_t>(keptCount_), nullptr, true, rows_, counters, stream);
      return;
    }
    case SelectionKind::cis: selectCis(in, stream); return;
  }
}

// Gate (every head), exact scores and top-k of the heads that re-anchor, anchor update and set
// build, then the set in position order.
void LayerSelection::selectCis(const LayerSelectionInput& in, cudaStream_t stream) {
  const ModelSpec& s = spec_;
  const int64_t B = config_.budget, N = in.length, k = std::min(B, N), l = in.layer;
  launchWidenQuery(s.dtype, in.query, rows_ * queryWidth_, arena_.at<float>(query_), stream);
  CisParams p{};
  p.query = arena_.at<float>(query_);
  p.anchorQuery = arena_.at<float>(anchorQuery_) + l * rows_ * queryWidth_;
  p.anchorNorm = arena_.at<double>(anchorNorm_) + l * rows_;
  p.anchored = arena_.at<uint8_t>(anchored_) + l * rows_;
  p.ranking = arena_.at<int32_t>(ranking_) + l * rows_ * B;
  p.rankingSize = arena_.at<int32_t>(rankingSize_) + l * rows_;
  p.fresh = arena_.at<int32_t>(fresh_);
  p.freshStride = k;
  p.reanchor = arena_.at<uint8_t>(reanchor_);
  p.indices = arena_.at<int32_t>(indices_);
  p.sizes = arena_.at<int32_t>(sizes_);
  p.rows = rows_;
  p.headDim = queryWidth_;
  p.length = N;
  p.budget = B;
  p.sinks = config_.sinks;
  p.window = config_.window;
  p.dilated = config_.dilated;
  p.radius = config_.radius;
  p.gate = config_.gate;
  p.tableSize = cisTableSize(B, config_.sinks, config_.window, config_.dilated, config_.radius);
  launchCis(p, 0, stream);
  launchGroupScores({s.dtype, arena_.at<float>(query_), in.keyPool, in.pageTable, s.batch, s.kvHeads, s.group(),
                     s.headDim, s.pagesPerSequence(), N, 1.f / std::sqrt(float(s.headDim)),
                     arena_.at<uint8_t>(reanchor_), arena_.at<float>(scores_)},
                    stream);
  launchTopK(arena_.at<float>(scores_), rows_, N, k, arena_.at<int32_t>(fresh_), arena_.at<void>(topKSpace_), stream);
  launchCis(p, 1, stream);
  launchSortKept({arena_.at<int32_t>(indices_), arena_.at<int32_t>(sizes_), rows_, B, 0, N, arena_.at<uint8_t>(marks_),
                  arena_.at<int32_t>(kept_), arena_.at<int32_t>(keptCount_), B},
                 stream);
  SelectionCounts* counts = arena_.at<SelectionCounts>(counts_) + l;
  launchCountSelection(arena_.at<int32_t>(keptCount_), arena_.at<uint8_t>(reanchor_), false, rows_, &counts->kept,
                       stream);
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

// Per layer and row: the query widened (read dtype, write and read fp32); the top-k reads every
// row's scores (4 N: it runs over all rows, the rows that did not re-anchor included); at a
// retrieval the keys scored (N · headDim dtype), the scores written (4 N) and the ranking (4 B);
// the set build's ranking and index traffic (≈ 3 · 4 B); the ordering's marks (2 N) and list (4 B).
// StreamingLLM reads nothing and writes its list.
double LayerSelection::stepBytes(int64_t length, double retrieval) const {
  const ModelSpec& s = spec_;
  const double N = double(length), B = double(std::min<int64_t>(config_.budget, length)), w = double(queryWidth_);
  double perRow = 4 * B;
  if (config_.kind != SelectionKind::streaming) {
    perRow += w * (2 + 8) + 4 * N + retrieval * (N * double(s.headDim) * 2 + 4 * N + 4 * B) + 2 * N + 4 * B;
    if (config_.kind == SelectionKind::cis) perRow += 12 * B + w * 4;
  }
  return perRow * double(rows_ * s.layers);
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
