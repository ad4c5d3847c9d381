// The model engine's orchestration: buffers in the arena, the forward pass over the layers, the
// decode step's CUDA graph, and the decode benchmark.
#include "modelEngine.hpp"

#include <algorithm>
#include <cmath>

#include "../deviceAttributes.hpp"

namespace prhs {
namespace cuda {
namespace model {
namespace {

constexpr int64_t kSkinnyRows = 64;      // token rows up to which the projections stream weights (decode)
constexpr int64_t kSyncBlocksPerSm = 4;  // the sync attention variant's split-KV plan: blocks wanted per SM
// The async plan's cost of one more chunk (its partials written and merged), in tile times.
constexpr double kChunkCost = 1.0 / 32;
constexpr int64_t kProfileSpinNs = 20'000'000;  // ahead of a profiled step: longer than the host takes to enqueue it

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct ChunkPlan {
  int64_t chunks = 1, chunkTokens = 0;
};

// Chunks of chunkTokens (a whole number of tiles) covering `tiles` tiles.
ChunkPlan chunkPlan(int64_t tiles, int64_t wantedChunks, int64_t tile) {
  const int64_t tilesPerChunk = ceilDiv(tiles, std::clamp<int64_t>(wantedChunks, 1, tiles));
  return {ceilDiv(tiles, tilesPerChunk), tilesPerChunk * tile};
}

// The decode attention's split-KV plan for `rows` (sequence, KV head) pairs. sync: the plan that
// variant always had (kSyncBlocksPerSm blocks per SM wanted). async: the chunk count that
// minimises (waves of resident blocks) × (tiles per block) + kChunkCost per chunk, so the last wave
// is nearly full and each block still streams several tiles.
// `positions`: the most slots one (sequence, KV head) attends to: the capacity (dense), or a kept
// list's stride (sparse: the same plan over fewer slots, so a short list still fills the card).
ChunkPlan planDecodeChunks(const ModelSpec& s, int64_t sms, int64_t positions) {
  const int64_t tile = attentionTileTokens(s.headDim), tiles = ceilDiv(positions, tile);
  const int64_t rows = s.batch * s.kvHeads;
  // Asked for either variant: it also sets the kernel's shared-memory limit now, outside any capture.
  const int64_t wave = sms * std::max(1, attentionBlocksPerSm(s.dtype, s.headDim));
  if (attentionVariant() == AttentionVariant::sync)
    return chunkPlan(tiles, ceilDiv(kSyncBlocksPerSm * sms, rows), tile);
  ChunkPlan best = chunkPlan(tiles, 1, tile);
  double bestCost = INFINITY;
  for (int64_t c = 1; c <= tiles; ++c) {
    const ChunkPlan plan = chunkPlan(tiles, c, tile);
    if (plan.chunks != c) continue;  // the same plan as a smaller c
    const double cost = double(ceilDiv(rows * c, wave) * (plan.chunkTokens / tile)) + kChunkCost * double(c);
    if (cost < bestCost) {
      bestCost = cost;
      best = plan;
    }
  }
  return best;
}

}  // namespace

ModelEngine::ModelEngine(const ModelSpec& spec) : spec_(spec), weights_(spec_, arena_) {
  planBuffers();
  const double weightGiB = double(weights_.bytes()) / double(1 << 30);
  arena_.allocate("weights " + std::to_string(weights_.bytes()) + " (" + std::to_string(weightGiB).substr(0, 5) +
                  " GiB), KV cache, activations");
  try {
    initialise();
  } catch (...) {
    if (stream_) cudaStreamDestroy(stream_);
    arena_.release();
    throw;
  }
}

ModelEngine::~ModelEngine() {
  if (decodeGraph_) cudaGraphExecDestroy(decodeGraph_);
  if (selectedGraph_) cudaGraphExecDestroy(selectedGraph_);
  if (stream_) cudaStreamDestroy(stream_);
}

void ModelEngine::planBuffers() {
  const ModelSpec& s = spec_;
  const int64_t rows = s.maxRows(), h = s.hiddenSize, width = s.attentionWidth(), two = 2;
  const ChunkPlan plan = planDecodeChunks(s, multiprocessorCount(), s.capacity);
  decodeChunks_ = plan.chunks;
  decodeChunkTokens_ = plan.chunkTokens;
  // Prefill runs one chunk per query row (its speed is not the target).
  partialFloats_ = std::max(attentionPartialFloats(s.batch, s.queryHeads, s.group(), decodeChunks_, s.headDim),
                            attentionPartialFloats(rows, s.queryHeads, s.group(), 1, s.headDim));
  b_.residual = arena_.reserve(size_t(rows * h) * 4);
  b_.normed = arena_.reserve(size_t(rows * h) * two);
  b_.qkv = arena_.reserve(size_t(rows * s.qkvRows()) * two);
  b_.query = arena_.reserve(size_t(rows * width) * two);
  b_.attention = arena_.reserve(size_t(rows * width) * two);
  b_.denseAttention = arena_.reserve(size_t(s.batch * width) * two);  // check mode: the dense decode attention
  b_.mlp = arena_.reserve(size_t(rows * s.intermediateSize) * two);
  b_.lastNormed = arena_.reserve(size_t(s.batch * h) * two);
  b_.logits = arena_.reserve(size_t(s.batch * s.vocabSize) * 4);
  b_.tokens = arena_.reserve(size_t(rows) * 4);
  b_.lengths = arena_.reserve(size_t(s.batch) * 4);
  b_.pageTable = arena_.reserve(size_t(s.batch * s.pagesPerSequence()) * 4);
  b_.invFreq = arena_.reserve(size_t(s.headDim / 2) * 4);
  b_.partial = arena_.reserve(size_t(partialFloats_) * 4);
  const size_t poolBytes = size_t(s.batch * s.pagesPerSequence() * s.kvHeads * kPageSize * s.headDim) * two;
  for (int64_t l = 0; l < s.layers; ++l) {
    b_.keyPool.push_back(arena_.reserve(poolBytes));
    b_.valuePool.push_back(arena_.reserve(poolBytes));
  }
}

// Sequence b owns pool pages [b · pagesPerSequence, (b + 1) · pagesPerSequence): the kernels only
// ever read positions through the page table, so another allocation policy needs no kernel change.
void ModelEngine::initialise() {
  check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate (model engine)");
  w_ = weights_.bind(arena_);
  std::vector<int32_t> table(size_t(spec_.batch * spec_.pagesPerSequence()));
  for (size_t i = 0; i < table.size(); ++i) table[i] = int32_t(i);
  check(cudaMemcpy(arena_.at<int32_t>(b_.pageTable), table.data(), table.size() * 4, cudaMemcpyHostToDevice),
        "page table upload");
  check(cudaMemcpy(arena_.at<float>(b_.invFreq), spec_.ropeInverseFrequencies.data(), size_t(spec_.headDim / 2) * 4,
                   cudaMemcpyHostToDevice),
        "RoPE frequencies upload");
  reset();
}

void ModelEngine::reset() {
  check(cudaMemsetAsync(arena_.at<int32_t>(b_.lengths), 0, size_t(spec_.batch) * 4, stream_), "cudaMemset (lengths)");
  if (selection_) {
    selection_->forgetAnchors(stream_);
    selection_->clearCounts(stream_);
  }
  check(cudaStreamSynchronize(stream_), "model reset");
  length_ = 0;
  decodeIndex_ = 0;
  checks_.clear();
}

void ModelEngine::setSelection(const SelectionConfig& config) {
  if (selectedGraph_) cudaGraphExecDestroy(selectedGraph_);  // it launches on the old selection's memory
  selectedGraph_ = nullptr;
  selection_.reset();  // its memory first: the new state may need it
  certified_.reset();
  if (config.kind != SelectionKind::dense) {
    selection_ = std::make_unique<LayerSelection>(spec_, config);
    // The sparse launch plans its chunks over the kept list, within the partials the dense plan
    // sized; at budget = capacity the plan is the dense one, so the sums are the same bit for bit.
    ChunkPlan plan = planDecodeChunks(spec_, multiprocessorCount(), selection_->stride());
    if (plan.chunks > decodeChunks_) {
      const int64_t tile = attentionTileTokens(spec_.headDim);
      plan = chunkPlan(ceilDiv(selection_->stride(), tile), decodeChunks_, tile);
    }
    sparseChunks_ = plan.chunks;
    sparseChunkTokens_ = plan.chunkTokens;
  }
  decodeIndex_ = 0;
  checks_.clear();
}

std::vector<SelectionCounts> ModelEngine::selectionCounts() {
  if (!selection_) return std::vector<SelectionCounts>(size_t(spec_.layers));
  return selection_->counts(stream_);
}

void ModelEngine::setCheck(int64_t everySteps) {
  checkEvery_ = everySteps;
  decodeIndex_ = 0;
  checks_.clear();
}

void ModelEngine::requireWeights() const {
  const std::string missing = weights_.firstMissing();
  if (!missing.empty()) {
    throw EngineStateError{"ERR_PRHS_MODEL_INCOMPLETE",
                           "tensor " + missing + " was never set: every tensor must be set before the first step"};
  }
}

void ModelEngine::linear(const void* x, const void* weight, const void* bias, int64_t rows, int64_t in, int64_t out,
                         LinearEpilogue epilogue, void* result) {
  const LinearParams p{spec_.dtype, x, weight, bias, rows, in, out, epilogue, result};
  if (rows <= kSkinnyRows) {
    launchLinearSkinny(p, stream_);
  } else {
    launchLinearTensorCore(p, stream_);
  }
}

// Sparse decode keeps the dense launch's chunk length, so that with every position kept the same
// blocks sum the same rows in the same order (bit for bit); it launches only the chunks a kept list
// of the budget's length can reach.
void ModelEngine::attention(int64_t count, size_t layer, bool sparse, void* out) {
  const ModelSpec& s = spec_;
  const bool decode = count == 1;
  PagedAttentionParams p{};
  p.dtype = s.dtype;
  p.query = arena_.at<void>(b_.query);
  p.keyPool = arena_.at<void>(b_.keyPool[layer]);
  p.valuePool = arena_.at<void>(b_.valuePool[layer]);
  p.pageTable = arena_.at<int32_t>(b_.pageTable);
  p.lengths = arena_.at<int32_t>(b_.lengths);
  p.batch = s.batch;
  p.count = count;
  p.queryHeads = s.queryHeads;
  p.kvHeads = s.kvHeads;
  p.headDim = s.headDim;
  p.pagesPerSequence = s.pagesPerSequence();
  p.chunks = decode ? decodeChunks_ : 1;
  p.chunkTokens = decode ? decodeChunkTokens_ : s.pagesPerSequence() * kPageSize;
  p.scale = 1.f / std::sqrt(float(s.headDim));
  p.partial = arena_.at<float>(b_.partial);
  p.out = out;
  if (sparse) {
    p.kept = selection_->kept();
    p.keptCount = selection_->keptCount();
    p.keptStride = selection_->stride();
    p.chunks = sparseChunks_;
    p.chunkTokens = sparseChunkTokens_;
  }
  launchPagedAttentionChunks(p, stream_);
  mark("attention chunks");
  launchPagedAttentionMerge(p, stream_);
  mark("attention merge");
}

// Check mode, after the layer's sparse attention: the dense attention of the same query over the
// same cache, the per-head records of both against their float64 values, and each head's δ̂.
void ModelEngine::checkLayer(size_t layer, int64_t length) {
  const ModelSpec& s = spec_;
  attention(1, layer, false, arena_.at<void>(b_.denseAttention));
  CheckHeadParams p{};
  p.dtype = s.dtype;
  p.query = arena_.at<void>(b_.query);
  p.keyPool = arena_.at<void>(b_.keyPool[layer]);
  p.valuePool = arena_.at<void>(b_.valuePool[layer]);
  p.pageTable = arena_.at<int32_t>(b_.pageTable);
  p.batch = s.batch;
  p.queryHeads = s.queryHeads;
  p.kvHeads = s.kvHeads;
  p.headDim = s.headDim;
  p.pagesPerSequence = s.pagesPerSequence();
  p.length = length;
  p.scale = 1.f / std::sqrt(float(s.headDim));
  p.kept = selection_->kept();
  p.keptCount = selection_->keptCount();
  p.stride = selection_->stride();
  p.denseOut = arena_.at<void>(b_.denseAttention);
  p.sparseOut = arena_.at<void>(b_.attention);
  p.record = selection_->checkRecords() + int64_t(layer) * s.batch * s.queryHeads * kCheckFields;
  launchCheckHeads(p, stream_);
  if (!certified_ || certified_->stride() != selection_->stride())
    certified_ = std::make_unique<CertifiedCheck>(spec_, selection_->stride());
  certified_->run({p.query, p.keyPool, p.pageTable, length, p.kept, p.keptCount, p.stride, p.record + kCertifiedDelta,
                   kCheckFields},
                  stream_);
}

// One pass over `count` appended tokens per sequence, whose ids are in the tokens buffer.
void ModelEngine::forward(int64_t count, const PassOptions& o) {
  const ModelSpec& s = spec_;
  const int64_t rows = s.batch * count, h = s.hiddenSize;
  float* residual = arena_.at<float>(b_.residual);
  void* normed = arena_.at<void>(b_.normed);
  launchEmbed({s.dtype, arena_.at<int32_t>(b_.tokens), w_.embed, rows, h, residual}, stream_);
  mark("embedding");
  for (size_t l = 0; l < w_.layers.size(); ++l) {
    const LayerWeights& L = w_.layers[l];
    launchRmsNorm({s.dtype, residual, 0, 1, L.inputNorm, s.rmsNormEps, rows, h, normed}, stream_);
    mark("rmsnorm");
    linear(normed, L.qkv, L.qkvBias, rows, h, s.qkvRows(), LinearEpilogue::store, arena_.at<void>(b_.qkv));
    mark("qkv projection");
    launchRopeAppend(
        {s.dtype, arena_.at<void>(b_.qkv), arena_.at<float>(b_.invFreq), arena_.at<int32_t>(b_.lengths),
         arena_.at<int32_t>(b_.pageTable), s.batch, count, s.queryHeads, s.kvHeads, s.headDim, s.pagesPerSequence(),
         arena_.at<void>(b_.query), arena_.at<void>(b_.keyPool[l]), arena_.at<void>(b_.valuePool[l])},
        stream_);
    mark("rope + cache append");
    const bool sparse = o.sparse && count == 1 && selection_;
    if (sparse) {
      selection_->select({int64_t(l), arena_.at<int32_t>(b_.lengths), arena_.at<void>(b_.query),
                          arena_.at<void>(b_.keyPool[l]), arena_.at<int32_t>(b_.pageTable), profiler_},
                         stream_);
    }
    attention(count, l, sparse, arena_.at<void>(b_.attention));
    if (sparse && o.check) {
      checkLayer(l, o.length);
      selection_->recordKept(int64_t(l), stream_);
    }
    linear(arena_.at<void>(b_.attention), L.output, L.outputBias, rows, s.attentionWidth(), h,
           LinearEpilogue::addResidual, residual);
    mark("o projection + residual");
    launchRmsNorm({s.dtype, residual, 0, 1, L.postNorm, s.rmsNormEps, rows, h, normed}, stream_);
    mark("rmsnorm");
    linear(normed, L.gateUp, nullptr, rows, h, 2 * s.intermediateSize, LinearEpilogue::swiglu, arena_.at<void>(b_.mlp));
    mark("gate/up projection + SwiGLU");
    linear(arena_.at<void>(b_.mlp), L.down, nullptr, rows, s.intermediateSize, h, LinearEpilogue::addResidual,
           residual);
    mark("down projection + residual");
  }
  if (o.withLogits) {
    void* last = arena_.at<void>(b_.lastNormed);
    launchRmsNorm({s.dtype, residual, count - 1, count, w_.finalNorm, s.rmsNormEps, s.batch, h, last}, stream_);
    mark("rmsnorm");
    launchLinearSkinny({s.dtype, last, w_.lmHead, nullptr, s.batch, h, s.vocabSize, LinearEpilogue::storeFloat,
                        arena_.at<void>(b_.logits)},
                       stream_);
    mark("lm head");
  }
  if (o.advance) {
    launchAdvanceLengths(arena_.at<int32_t>(b_.lengths), s.batch, count, stream_);
    mark("length advance");
  }
}

// The decode step, captured once and replayed: every launch (the selection's included) reads
// positions and pages from device memory and has a fixed grid, so the same graph serves every step.
// The dense and the selected step have a graph each (the selected one is remade by setSelection); a
// checked step is launched directly (check mode copies records out between layers' launches).
void ModelEngine::decodeStep(int64_t position) {
  if (selection_) {
    const bool checked = checkEvery_ > 0 && !benchmarking_ && decodeIndex_ % checkEvery_ == 0;
    ++decodeIndex_;
    if (checked) {
      checkedStep(position);
      return;
    }
  }
  cudaGraphExec_t& graph = selection_ ? selectedGraph_ : decodeGraph_;
  if (!graph) graph = captureStep({true, true, bool(selection_), false, 0});
  check(cudaGraphLaunch(graph, stream_), "cudaGraphLaunch (decode step)");
}

cudaGraphExec_t ModelEngine::captureStep(const PassOptions& o) {
  cudaGraph_t graph = nullptr;
  check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal), "cudaStreamBeginCapture (decode step)");
  try {
    forward(1, o);
  } catch (...) {
    cudaStreamEndCapture(stream_, &graph);
    if (graph) cudaGraphDestroy(graph);
    throw;
  }
  check(cudaStreamEndCapture(stream_, &graph), "cudaStreamEndCapture (decode step)");
  cudaGraphExec_t exec = nullptr;
  const cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  check(status, "cudaGraphInstantiate (decode step)");
  return exec;
}

// The dense step first (lengths not advanced, so the sparse step overwrites its K/V rows at the
// same position), its logits kept; then the sparse step with every layer checked.
void ModelEngine::checkedStep(int64_t position) {
  const ModelSpec& s = spec_;
  const size_t logitCount = size_t(s.batch * s.vocabSize);
  std::vector<float> dense(logitCount), sparse(logitCount);
  forward(1, {true, false, false, false, position + 1});
  check(cudaMemcpyAsync(dense.data(), arena_.at<float>(b_.logits), logitCount * 4, cudaMemcpyDeviceToHost, stream_),
        "check-mode dense logits");
  forward(1, {true, true, true, true, position + 1});
  check(cudaMemcpyAsync(sparse.data(), arena_.at<float>(b_.logits), logitCount * 4, cudaMemcpyDeviceToHost, stream_),
        "check-mode sparse logits");
  CheckedStep step;
  step.position = position;
  step.records.resize(size_t(s.layers * s.batch * s.queryHeads * kCheckFields));
  check(cudaMemcpyAsync(step.records.data(), selection_->checkRecords(), step.records.size() * 8,
                        cudaMemcpyDeviceToHost, stream_),
        "check-mode records");
  step.kept.resize(size_t(s.layers * selection_->rows() * selection_->stride()));
  step.keptCount.resize(size_t(s.layers * selection_->rows()));
  check(cudaMemcpyAsync(step.kept.data(), selection_->keptHistory(), step.kept.size() * 4, cudaMemcpyDeviceToHost,
                        stream_),
        "check-mode kept lists");
  check(cudaMemcpyAsync(step.keptCount.data(), selection_->keptCountHistory(), step.keptCount.size() * 4,
                        cudaMemcpyDeviceToHost, stream_),
        "check-mode kept counts");
  check(cudaStreamSynchronize(stream_), "check-mode step");
  for (size_t i = 0; i < logitCount; ++i) {
    step.logitsMaxAbsChange = std::max(step.logitsMaxAbsChange, double(std::fabs(dense[i] - sparse[i])));
  }
  checks_.push_back(std::move(step));
}

void ModelEngine::append(const int32_t* tokens, int64_t count, float* logits) {
  requireWeights();
  const ModelSpec& s = spec_;
  const int64_t slice = s.prefillSlice();
  for (int64_t s0 = 0; s0 < count; s0 += slice) {
    const int64_t n = std::min(slice, count - s0);
    stagedTokens_.resize(size_t(s.batch * n));
    for (int64_t b = 0; b < s.batch; ++b) std::copy_n(tokens + b * count + s0, n, stagedTokens_.begin() + b * n);
    check(cudaMemcpyAsync(arena_.at<int32_t>(b_.tokens), stagedTokens_.data(), stagedTokens_.size() * 4,
                          cudaMemcpyHostToDevice, stream_),
          "token upload");
    if (count == 1) {
      decodeStep(length_);
    } else {
      forward(n, {s0 + n == count, true, false, false, 0});
    }
    check(cudaStreamSynchronize(stream_), "model step");  // stagedTokens_ is reused by the next slice
  }
  check(cudaMemcpy(logits, arena_.at<float>(b_.logits), size_t(s.batch * s.vocabSize) * 4, cudaMemcpyDeviceToHost),
        "logits download");
  length_ += count;
}

// Profile mode: o.profileSteps more decode steps launched one kernel at a time (a selection's are
// anyway), each queued behind a spin kernel, with an event after every launch group. They follow the
// timed steps, so the context grows on; selection counts are read before they run.
void ModelEngine::profileSteps(const DecodeBenchOptions& o, DecodeBenchResult& r) {
  StepProfiler profiler(stream_);
  profiler_ = &profiler;
  try {
    for (int i = 0; i < o.profileSteps; ++i) {
      const int64_t position = o.context + o.warmup + o.steps + i;
      launchSpin(kProfileSpinNs, stream_);
      profiler.begin();
      if (selection_) {
        forward(1, {true, true, true, false, position + 1});
      } else {
        forward(1, PassOptions{});
      }
      check(cudaStreamSynchronize(stream_), "profiled step");
      profiler.collect();
    }
  } catch (...) {
    profiler_ = nullptr;
    throw;
  }
  profiler_ = nullptr;
  r.profile = profiler.perStep(o.profileSteps);
  for (const KernelGroupTime& g : r.profile) r.profileStepMs += g.ms;
}

DecodeBenchResult ModelEngine::benchDecode(const DecodeBenchOptions& o) {
  requireWeights();
  const ModelSpec& s = spec_;
  const int64_t poolRows = s.batch * s.pagesPerSequence() * s.kvHeads * kPageSize;
  for (size_t l = 0; l < b_.keyPool.size(); ++l) {
    launchFill(
        {s.dtype, arena_.at<void>(b_.keyPool[l]), poolRows, s.headDim, s.headDim, 1.f, 0.f, o.seed + 2 * uint32_t(l)},
        stream_);
    launchFill({s.dtype, arena_.at<void>(b_.valuePool[l]), poolRows, s.headDim, s.headDim, 1.f, 0.f,
                o.seed + 2 * uint32_t(l) + 1},
               stream_);
  }
  const std::vector<int32_t> lengths(size_t(s.batch), int32_t(o.context));
  std::vector<int32_t> tokens(size_t(s.batch));
  for (int64_t b = 0; b < s.batch; ++b) tokens[size_t(b)] = int32_t((b * 7919 + 1) % s.vocabSize);
  check(cudaMemcpyAsync(arena_.at<int32_t>(b_.lengths), lengths.data(), lengths.size() * 4, cudaMemcpyHostToDevice,
                        stream_),
        "lengths");
  check(
      cudaMemcpyAsync(arena_.at<int32_t>(b_.tokens), tokens.data(), tokens.size() * 4, cudaMemcpyHostToDevice, stream_),
      "tokens");
  check(cudaStreamSynchronize(stream_), "benchmark setup");
  length_ = o.context;
  if (selection_) selection_->forgetAnchors(stream_);
  benchmarking_ = true;  // check mode is off while timing
  std::vector<cudaEvent_t> events(size_t(o.steps) + 1);
  for (cudaEvent_t& e : events) check(cudaEventCreate(&e), "cudaEventCreate");
  std::vector<float> ms(size_t(o.steps));
  try {
    for (int i = 0; i < o.warmup; ++i) decodeStep(o.context + i);
    if (selection_) selection_->clearCounts(stream_);  // the rates of the timed steps only
    check(cudaEventRecord(events[0], stream_), "cudaEventRecord");
    for (int i = 0; i < o.steps; ++i) {
      decodeStep(o.context + o.warmup + i);
      check(cudaEventRecord(events[size_t(i) + 1], stream_), "cudaEventRecord");
    }
    check(cudaStreamSynchronize(stream_), "benchmark steps");
    for (int i = 0; i < o.steps; ++i)
      check(cudaEventElapsedTime(&ms[size_t(i)], events[size_t(i)], events[size_t(i) + 1]), "cudaEventElapsedTime");
  } catch (...) {
    for (cudaEvent_t e : events) cudaEventDestroy(e);
    benchmarking_ = false;
    reset();
    throw;
  }
  for (cudaEvent_t e : events) cudaEventDestroy(e);
  DecodeBenchResult r;
  SelectionCounts total;  // of the timed steps
  for (const SelectionCounts& c : selectionCounts()) {
    total.kept += c.kept;
    total.retrieved += c.retrieved;
    total.headSteps += c.headSteps;
  }
  if (o.profileSteps > 0) {
    try {
      profileSteps(o, r);
    } catch (...) {
      benchmarking_ = false;
      reset();
      throw;
    }
  }
  benchmarking_ = false;
  reset();  // the cache holds random rows: nothing of it may be decoded on
  std::vector<float> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  r.medianMs = sorted[sorted.size() / 2];
  r.minMs = sorted.front();
  const double embedBytes = double(s.vocabSize * s.hiddenSize) * 2;
  r.weightBytes = double(weights_.bytes()) - (s.tiedEmbeddings ? 0.0 : embedBytes);
  const double medianContext = double(o.context + o.warmup + o.steps / 2 + 1);
  const double rowBytes = double(s.layers * s.batch * s.kvHeads * s.headDim) * 2 * 2;
  r.kvBytes = rowBytes * medianContext;
  r.selectedTokens = medianContext;
  if (selection_ && total.headSteps > 0) {
    r.selectedTokens = double(total.kept) / double(total.headSteps);
    r.retrievalRate = double(total.retrieved) / double(total.headSteps);
    r.kvBytes = rowBytes * r.selectedTokens;
    r.selectionBytes = selection_->stepBytes(int64_t(medianContext), r.retrievalRate);
  }
  r.chunks = decodeChunks_;
  r.chunkTokens = decodeChunkTokens_;
  return r;
}

}  // namespace model
}  // namespace cuda
}  // namespace prhs
