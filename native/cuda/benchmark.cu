// Timing on the device. Inputs are generated on the device from a seed (never zeros), every
// variant is captured once into a CUDA graph and replayed R times between two CUDA events, with
// the L2 overwritten before each replay when asked, and the median is reported. The copy bandwidth
// of the same card is measured in the same call (cudaMemcpyAsync device to device, bytes read +
// written).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <functional>
#include <type_traits>

#include "benchmark.h"
#include "cisKernels.hpp"
#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "denseFloor.hpp"
#include "sparseDecode.hpp"

namespace prhs {
namespace cuda {

// attention.cu: the chunk kernel with staging of the V rows in shared memory forced off or on.
void launchAttentionStaging(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream, bool stage);

namespace {

__device__ __forceinline__ uint32_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return uint32_t(x);
}

// Uniform values in [-1, 1) (a sum of two uniforms, so not flat), in the storage dtype.
template <typename E>
__global__ void fillRandom(E* out, int64_t count, uint32_t seed) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    const uint32_t h = mix(uint64_t(i) * 0x9e3779b97f4a7c15ull + seed);
    const float x = (float(h & 0xffffu) + float(h >> 16)) / 65536.f - 1.f;
    if constexpr (sizeof(E) == 4) {
      out[i] = x;
    } else if constexpr (std::is_same<E, __half>::value) {
      out[i] = __float2half_rn(x);
    } else {
      out[i] = __float2bfloat16_rn(x);
    }
  }
}

// Stratified random lists: the j-th index lies in stratum j of N/k positions (sorted, distinct).
__global__ void fillIndices(int32_t* out, int64_t rows, int64_t k, int64_t n, uint32_t seed) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < rows * k; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t j = i % k;
    const int64_t lo = j * n / k, hi = (j + 1) * n / k;
    out[i] = int32_t(lo + int64_t(mix(uint64_t(i) + seed) % uint64_t(hi - lo)));
  }
}

void fill(Dtype dtype, void* data, int64_t count, uint32_t seed) {
  const unsigned blocks = 4096;
  switch (dtype) {
    case Dtype::fp32: fillRandom<<<blocks, 256>>>(static_cast<float*>(data), count, seed); break;
    case Dtype::fp16: fillRandom<<<blocks, 256>>>(static_cast<__half*>(data), count, seed); break;
    case Dtype::bf16: fillRandom<<<blocks, 256>>>(static_cast<__nv_bfloat16*>(data), count, seed); break;
  }
  checkLaunch("fillRandom launch");
}

// Reads a buffer twice the L2 size (so the next timed run finds none of its inputs in L2) without
// leaving dirty lines behind whose write-back would be charged to the timed run.
__global__ void readFlush(const uint4* data, int64_t count, uint32_t* sink) {
  uint32_t x = 0;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    const uint4 v = data[i];
    x ^= v.x ^ v.y ^ v.z ^ v.w;
  }
  if (x == 0x9e3779b9u) *sink = x;  // practically never: keeps the loads alive
}

class Timer {
 public:
  Timer(cudaStream_t stream, const BenchConfig& config, void* flush, size_t flushBytes)
      : stream_(stream), config_(config), flush_(flush), flushBytes_(flushBytes) {}

  // Captures `enqueue` into a graph (after one eager warm-up run), replays it, returns the timing.
  BenchTiming time(const std::string& name, double bytes, const std::function<void()>& enqueue) {
    enqueue();
    check(cudaStreamSynchronize(stream_), name.c_str());
    cudaGraph_t graph = nullptr;
    cudaGraphExec_t exec = nullptr;
    check(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeRelaxed), "cudaStreamBeginCapture");
    enqueue();
    check(cudaStreamEndCapture(stream_, &graph), "cudaStreamEndCapture");
    check(cudaGraphInstantiate(&exec, graph, 0), "cudaGraphInstantiate");
    BenchTiming t = replay(name, bytes, [&] { check(cudaGraphLaunch(exec, stream_), "cudaGraphLaunch"); });
    cudaGraphExecDestroy(exec);
    cudaGraphDestroy(graph);
    return t;
  }

  BenchTiming replay(const std::string& name, double bytes, const std::function<void()>& launch) {
    for (int w = 0; w < 3; ++w) launch();
    const int repeats = std::max(1, config_.repeats);
    std::vector<cudaEvent_t> events(static_cast<size_t>(2 * repeats));
    for (auto& e : events) check(cudaEventCreate(&e), "cudaEventCreate");
    for (int r = 0; r < repeats; ++r) {
      if (flush_) {
        readFlush<<<1024, 256, 0, stream_>>>(static_cast<const uint4*>(flush_), int64_t(flushBytes_ / 16),
                                             static_cast<uint32_t*>(flush_));
        checkLaunch("L2 flush");
      }
      check(cudaEventRecord(events[size_t(2 * r)], stream_), "cudaEventRecord");
      launch();
      check(cudaEventRecord(events[size_t(2 * r + 1)], stream_), "cudaEventRecord");
    }
    check(cudaStreamSynchronize(stream_), name.c_str());
    std::vector<double> ms(static_cast<size_t>(repeats));
    for (int r = 0; r < repeats; ++r) {
      float elapsed = 0;
      check(cudaEventElapsedTime(&elapsed, events[size_t(2 * r)], events[size_t(2 * r + 1)]), "cudaEventElapsedTime");
      ms[size_t(r)] = elapsed;
    }
    for (auto& e : events) cudaEventDestroy(e);
    std::sort(ms.begin(), ms.end());
    return BenchTiming{name, ms[ms.size() / 2], ms.front(), bytes};
  }

 private:
  cudaStream_t stream_;
  const BenchConfig& config_;
  void* flush_;
  size_t flushBytes_;
};

// The output of one launch, as bits.
std::vector<uint32_t> outputBits(const std::function<void()>& launch, const float* out, size_t count,
                                 cudaStream_t stream) {
  launch();
  check(cudaStreamSynchronize(stream), "bit comparison");
  std::vector<uint32_t> bits(count);
  check(cudaMemcpy(bits.data(), out, count * sizeof(float), cudaMemcpyDeviceToHost), "cudaMemcpy(bit comparison)");
  return bits;
}

// The decode variants beside the default (`prefix`, timed by the caller): the chunk kernel
// (`<prefix>Chunk`) and the group kernel with 2 or 4 lane partials per thread, with the separate
// merge kernel, and (one head per block) with twice the key rows in flight, each where it applies. Every variant's
// output is compared as bits with the chunk kernel's, reported as a pseudo-timing `bitsDiffer:<name>` whose median is
// the number of differing words (0 expected: the kernels share every summation order).
void timeDecodeVariants(Timer& timer, const DeviceAttention& a, const std::string& prefix, double bytes, float* out,
                        float* workspace, cudaStream_t stream, std::vector<BenchTiming>& results) {
  const bool lists = a.list != nullptr;
  const size_t count = size_t(a.shape.batch * a.shape.queryHeads * a.shape.valueDim);
  auto chunk = [&] { launchChunkAttention(a, out, workspace, stream); };
  results.push_back(timer.time(prefix + "Chunk", bytes, chunk));
  const std::vector<uint32_t> reference = outputBits(chunk, out, count, stream);
  auto compare = [&](const std::string& name, const std::function<void()>& launch) {
    const std::vector<uint32_t> bits = outputBits(launch, out, count, stream);
    double differing = 0;
    for (size_t i = 0; i < count; ++i) differing += bits[i] != reference[i] ? 1 : 0;
    results.push_back(BenchTiming{"bitsDiffer:" + name, differing, differing, 0});
  };
  compare(prefix, [&] { launchAttention(a, out, workspace, stream); });
  struct Variant {
    const char* suffix;
    GroupDecodeOptions options;
  };
  const Variant variants[] = {{"GroupL2", {2, true, false}},
                              {"GroupL4", {4, true, false}},
                              {"GroupSplitMerge", {0, false, false}},
                              {"GroupDeep", {2, true, true}}};
  for (const Variant& v : variants) {
    const int lanes =
        v.options.lanesPerThread > 0 ? v.options.lanesPerThread : groupDecodeLanesPerThread(a.shape, lists);
    if (!groupDecodeSupports(a.shape, a.dtype, lists, lanes)) continue;
    if (v.options.deep && !lists && a.shape.queryHeads != a.shape.kvHeads) continue;  // one head per block only
    const std::string name = prefix + v.suffix;
    auto launch = [&] { launchGroupDecode(a, out, workspace, stream, v.options); };
    results.push_back(timer.time(name, bytes, launch));
    compare(name, launch);
  }
  if (!lists) return;
  // The sliced sparse kernel (the default for lists) with its layout forced: slices per block,
  // key rows in flight, one block per row instead of a cluster.
  struct Sliced {
    const char* suffix;
    SparseDecodeOptions options;
  };
  const Sliced sliced[] = {{"SlicedW1", {1, -1, true}},
                           {"SlicedW4", {4, -1, true}},
                           {"SlicedShallow", {0, 0, true}},
                           {"SlicedDeep", {0, 1, true}},
                           {"SlicedNoCluster", {0, -1, false}}};
  for (const Sliced& v : sliced) {
    if (!sparseDecodeSupports(a.shape, a.dtype)) break;
    const std::string name = prefix + v.suffix;
    auto launch = [&] { launchSparseDecode(a, out, workspace, stream, v.options); };
    results.push_back(timer.time(name, bytes, launch));
    compare(name, launch);
  }
}

// The floors of the tensor-core dense decode, where it applies (denseFloor.hpp): an empty kernel
// on its grid, its loads alone, its loads and partial stores, its split-KV merge alone (on the
// partials the kernel just wrote), and a plain read of the same K and V bytes. Each is a part of the
// step with the rest taken away; bench/README.md reads them against the kernel and SDPA.
struct DenseFloorBuffers {
  float* out;        // [rows, valueDim]
  float* workspace;  // as launchMmaDecode's
  unsigned* sink;
  int multiprocessors;
};
void timeDenseFloors(Timer& timer, const DeviceAttention& dense, double denseBytes, const DenseFloorBuffers& b,
                     cudaStream_t stream, std::vector<BenchTiming>& results) {
  const AttentionShape& s = dense.shape;
  if (!mmaDecodeSupports(s, dense.dtype)) return;
  const int64_t rows = s.batch * s.queryHeads, chunks = chunkCount(s.tokens);
  const double partialBytes = chunks > 1 ? double(rows * chunks * (s.valueDim + 2)) * 4.0 : 0.0;
  results.push_back(
      timer.time("denseMmaEmptyLaunch", 0, [&] { launchMmaWalk(dense, MmaWalk::empty, b.workspace, stream); }));
  results.push_back(
      timer.time("denseMmaLoadOnly", denseBytes, [&] { launchMmaWalk(dense, MmaWalk::loads, b.workspace, stream); }));
  results.push_back(timer.time("denseMmaLoadStore", denseBytes + partialBytes,
                               [&] { launchMmaWalk(dense, MmaWalk::loadsStores, b.workspace, stream); }));
  if (chunks > 1) {
    launchMmaDecode(dense, b.out, b.workspace, stream, false);  // the partials the merge reads
    float* partial = b.workspace + attentionCounterFloats(s);
    const double mergeBytes = partialBytes + double(rows * s.valueDim) * 4.0;
    results.push_back(timer.time("denseMmaMergeOnly", mergeBytes, [&] {
      launchGroupMerge(partial, rows, int(chunks), int(s.valueDim), b.out, stream);
    }));
  }
  results.push_back(timer.time("denseStreamOnly", denseBytes,
                               [&] { launchDenseStreamOnly(dense, b.multiprocessors, b.sink, stream); }));
}

// The device tensors of one benchmark run (shapes from the config), allocated in this order and
// filled from the seed, never zeros.
struct BenchBuffers {
  BenchBuffers(const BenchConfig& c, const DeviceDescription& device);
  const AttentionShape& s;
  const int64_t rows;                  // batch * queryHeads
  const size_t e;                      // bytes per stored element
  const int64_t kvCount;               // elements of the K (and of the V) cache
  DeviceBuffer<unsigned char> query;   // [rows, headDim] in c.dtype
  DeviceBuffer<unsigned char> keys;    // [batch, kvHeads, tokens, headDim] in c.dtype
  DeviceBuffer<unsigned char> values;  // [batch, kvHeads, tokens, valueDim] in c.dtype
  DeviceBuffer<int32_t> list;          // [rows, selected]: random lists
  DeviceBuffer<int32_t> chosen;        // [rows, selected]: the top-k (and CIS) lists
  DeviceBuffer<float> out;             // [rows, valueDim]
  DeviceBuffer<float> scores;          // [rows, tokens]
  DeviceBuffer<float> workspace;       // the larger of the dense and sparse steps' workspaces, zeroed
#ifdef PRHS_CUDA_BENCH_BASELINES
  DeviceBuffer<float> workspaceV1;
#endif
  DeviceBuffer<unsigned char> topKSpace;
  DeviceBuffer<float> queryF32;  // [rows, headDim]: CIS queries
  CisDeviceState cisState;       // CIS state (cis.cu): anchors, rankings, the kept sets it builds
  const size_t flushBytes;       // twice the L2
  DeviceBuffer<unsigned char> flush;
};

BenchBuffers::BenchBuffers(const BenchConfig& c, const DeviceDescription& device)
    : s(c.shape),
      rows(s.batch * s.queryHeads),
      e(c.dtype == Dtype::fp32 ? 4 : 2),
      kvCount(s.batch * s.kvHeads * s.tokens * s.headDim),
      query(size_t(rows * s.headDim) * e, "cudaMalloc(bench query)"),
      keys(size_t(kvCount) * e, "cudaMalloc(bench keys)"),
      values(size_t(kvCount) * e, "cudaMalloc(bench values)"),
      list(size_t(rows * c.selected), "cudaMalloc(bench indices)"),
      chosen(size_t(rows * c.selected), "cudaMalloc(bench topK out)"),
      out(size_t(rows * s.valueDim), "cudaMalloc(bench out)"),
      scores(size_t(rows * s.tokens), "cudaMalloc(bench scores)"),
      workspace(size_t(std::max(attentionWorkspaceFloats(s, s.tokens), attentionWorkspaceFloats(s, c.selected))),
                "cudaMalloc(bench workspace)"),
#ifdef PRHS_CUDA_BENCH_BASELINES
      workspaceV1(
          size_t(std::max(v1::attentionWorkspaceFloats(s, s.tokens), v1::attentionWorkspaceFloats(s, c.selected))),
          "cudaMalloc(bench v1 workspace)"),
#endif
      topKSpace(topKWorkspaceBytes(rows, s.tokens, c.selected), "cudaMalloc(bench topK workspace)"),
      queryF32(size_t(rows * s.headDim), "cudaMalloc(bench fp32 query)"),
      cisState(rows, s.headDim, c.selected),
      flushBytes(size_t(std::max(device.l2Bytes, 1 << 20)) * 2),
      flush(c.flushL2 ? flushBytes : 0, "cudaMalloc(L2 flush)") {
  check(cudaMemset(workspace.get(), 0, workspace.count() * sizeof(float)), "cudaMemset(bench workspace)");
  fill(c.dtype, query.get(), rows * s.headDim, c.seed + 1);
  fill(c.dtype, keys.get(), kvCount, c.seed + 2);
  fill(c.dtype, values.get(), kvCount, c.seed + 3);
  fill(Dtype::fp32, cisState.anchorQuery.get(), rows * s.headDim, c.seed + 4);
  fill(Dtype::fp32, queryF32.get(), rows * s.headDim, c.seed + 5);
  fillIndices<<<4096, 256>>>(list.get(), rows, c.selected, s.tokens, c.seed + 6);
  checkLaunch("fillIndices launch");
  if (c.flushL2) fill(Dtype::fp32, flush.get(), int64_t(flushBytes / 4), c.seed + 8);
  check(cudaDeviceSynchronize(), "benchmark input fill");
}

// What the timing steps of one run share: the buffers, the three attention problems (dense, random
// lists, top-k lists) and the bytes each step moves; every step appends to results in order.
struct BenchRun {
  const BenchConfig& c;
  BenchBuffers& b;
  cudaStream_t stream;
  Timer& timer;
  std::vector<BenchTiming>& results;
  DeviceAttention dense, sparse, fromTopK;
  double denseBytes, sparseBytes, scoreBytes, topKBytes;
};

// Device-to-device copy bandwidth (bytes read + written), the dense step, its variants and floors.
void timeCopyAndDense(BenchRun& r, int multiprocessors) {
  const BenchConfig& c = r.c;
  {
    DeviceBuffer<unsigned char> from(size_t(c.copyBytes), "cudaMalloc(copy source)"),
        to(size_t(c.copyBytes), "cudaMalloc(copy target)");
    fill(Dtype::fp32, from.get(), c.copyBytes / 4, c.seed + 7);
    check(cudaDeviceSynchronize(), "copy fill");
    r.results.push_back(r.timer.replay("copy", 2.0 * double(c.copyBytes), [&] {
      check(cudaMemcpyAsync(to.get(), from.get(), size_t(c.copyBytes), cudaMemcpyDeviceToDevice, r.stream),
            "cudaMemcpyAsync");
    }));
  }
  float *out = r.b.out.get(), *workspace = r.b.workspace.get();
  r.results.push_back(r.timer.time("dense", r.denseBytes, [&] { launchAttention(r.dense, out, workspace, r.stream); }));
  timeDecodeVariants(r.timer, r.dense, "dense", r.denseBytes, out, workspace, r.stream, r.results);
  DeviceBuffer<unsigned> sink(1, "cudaMalloc(bench stream sink)");
  timeDenseFloors(r.timer, r.dense, r.denseBytes, DenseFloorBuffers{out, workspace, sink.get(), multiprocessors},
                  r.stream, r.results);
}

// Staging must not change a bit at this shape: outputs of staged and unstaged steps, compared
// as bits; reported as a pseudo-timing whose "median" is the number of differing words.
void compareStagedBits(BenchRun& r) {
  const size_t count = size_t(r.b.rows * r.b.s.valueDim);
  std::vector<uint32_t> staged(count), unstaged(count);
  auto bits = [&](bool stage, std::vector<uint32_t>& into) {
    launchAttentionStaging(r.sparse, r.b.out.get(), r.b.workspace.get(), r.stream, stage);
    check(cudaStreamSynchronize(r.stream), "staging comparison");
    check(cudaMemcpy(into.data(), r.b.out.get(), count * sizeof(float), cudaMemcpyDeviceToHost),
          "cudaMemcpy(staging comparison)");
  };
  bits(true, staged);
  bits(false, unstaged);
  double differing = 0;
  for (size_t i = 0; i < count; ++i) differing += staged[i] != unstaged[i] ? 1 : 0;
  r.results.push_back(BenchTiming{"stagedBitsDiffer", differing, differing, 0});
}

// The sparse step (random lists), its variants, floors, eager launch and staged V rows.
void timeSparse(BenchRun& r) {
  float *out = r.b.out.get(), *workspace = r.b.workspace.get();
  r.results.push_back(
      r.timer.time("sparse", r.sparseBytes, [&] { launchAttention(r.sparse, out, workspace, r.stream); }));
  timeDecodeVariants(r.timer, r.sparse, "sparse", r.sparseBytes, out, workspace, r.stream, r.results);
  {
    // The floors of the small step (bench/cuda/NOTES.md, run 7): an empty kernel on the chunk
    // kernel's grid, and a load-only walk of the same rows (no arithmetic, no merge).
    DeviceBuffer<unsigned> sink(1, "cudaMalloc(bench gather sink)");
    r.results.push_back(r.timer.time("sparseEmptyLaunch", 0, [&] { launchSparseEmptyStep(r.sparse, r.stream); }));
    if (launchSparseGatherOnly(r.sparse, sink.get(), r.stream)) {
      r.results.push_back(r.timer.time("sparseGatherOnly", r.sparseBytes,
                                       [&] { launchSparseGatherOnly(r.sparse, sink.get(), r.stream); }));
    }
  }
  // The same sparse step launched eagerly (no graph): each replay is one ordinary launch.
  r.results.push_back(
      r.timer.replay("sparseEager", r.sparseBytes, [&] { launchAttention(r.sparse, out, workspace, r.stream); }));
  // The chunk kernel with its V rows staged in shared memory (opt-in; slower at (a), NOTES.md run 4).
  r.results.push_back(r.timer.time("sparseStaged", r.sparseBytes,
                                   [&] { launchAttentionStaging(r.sparse, out, workspace, r.stream, true); }));
  r.results.push_back(r.timer.time("denseStaged", r.denseBytes,
                                   [&] { launchAttentionStaging(r.dense, out, workspace, r.stream, true); }));
  compareStagedBits(r);
}

// Exact selection: scores, top-k, both, and both followed by the sparse step; then the baselines.
void timeSelection(BenchRun& r) {
  const BenchConfig& c = r.c;
  const int64_t rows = r.b.rows, tokens = r.b.s.tokens;
  float *scores = r.b.scores.get(), *out = r.b.out.get();
  int32_t* chosen = r.b.chosen.get();
  unsigned char* topKSpace = r.b.topKSpace.get();
  cudaStream_t stream = r.stream;
  r.results.push_back(r.timer.time("scores", r.scoreBytes, [&] { launchScores(r.dense, scores, stream); }));
  r.results.push_back(r.timer.time("topK", r.topKBytes,
                                   [&] { launchTopK(scores, rows, tokens, c.selected, chosen, topKSpace, stream); }));
  r.results.push_back(r.timer.time("selection", r.scoreBytes + r.topKBytes, [&] {
    launchScores(r.dense, scores, stream);
    launchTopK(scores, rows, tokens, c.selected, chosen, topKSpace, stream);
  }));
  r.results.push_back(r.timer.time("exactPipeline", r.scoreBytes + r.topKBytes + r.sparseBytes, [&] {
    launchScores(r.dense, scores, stream);
    launchTopK(scores, rows, tokens, c.selected, chosen, topKSpace, stream);
    launchAttention(r.fromTopK, out, r.b.workspace.get(), stream);
  }));
#ifdef PRHS_CUDA_BENCH_BASELINES
  // The previous kernels (chunks of 64, separate merge kernel), as this run's baseline.
  float* workspaceV1 = r.b.workspaceV1.get();
  r.results.push_back(
      r.timer.time("denseV1", r.denseBytes, [&] { v1::launchAttention(r.dense, out, workspaceV1, stream); }));
  r.results.push_back(
      r.timer.time("sparseV1", r.sparseBytes, [&] { v1::launchAttention(r.sparse, out, workspaceV1, stream); }));
#endif
}

// CIS with the fused selection kernel: the reuse step and the re-anchor step, each followed by the
// chunk kernel or the group kernel. Initial anchors: every row re-anchors once (untimed).
void timeCis(BenchRun& r) {
  const BenchConfig& c = r.c;
  BenchBuffers& b = r.b;
  const int64_t rows = b.rows;
  const AttentionShape& s = b.s;
  cudaStream_t stream = r.stream;
  CisSelection selection{};
  selection.rows = rows;
  selection.headDim = s.headDim;
  selection.length = s.tokens;
  selection.budget = c.selected;
  selection.sinks = std::min<int64_t>(4, c.selected);
  selection.window = c.selected / 8;
  selection.dilated = std::max<int64_t>(0, c.selected - selection.sinks - selection.window) / 3;
  selection.radius = 1;
  selection.gate = 0.8;
  const CisParams cis = b.cisState.params(selection, b.queryF32.get(), b.chosen.get(), c.selected);
  check(cudaMemset(b.cisState.anchored.get(), 0, size_t(rows)), "cudaMemset(anchored)");
  launchCis(cis, 0, stream);
  launchScores(r.dense, b.scores.get(), stream);
  launchTopK(b.scores.get(), rows, s.tokens, c.selected, b.chosen.get(), b.topKSpace.get(), stream);
  launchCis(cis, 1, stream);
  check(cudaStreamSynchronize(stream), "CIS initial anchors");
  DeviceAttention fromCis = r.sparse;
  fromCis.list = b.cisState.indices.get();
  float *out = b.out.get(), *workspace = b.workspace.get();
  // Reuse step (cos(q, anchor) = 1 > τ for every row): gate + dilation + union + sparse attention.
  const double gateBytes = double(rows * s.headDim) * 8.0 + double(rows) * (8 + 1 + 4);
  const double buildBytes = 2.0 * double(rows * c.selected) * 4.0;  // ranking read, set written
  r.results.push_back(r.timer.time("cisReuse+sparse", r.sparseBytes + gateBytes + buildBytes, [&] {
    launchCis(cis, 0, stream);
    launchAttention(fromCis, out, workspace, stream);
  }));
  // The same reuse step with the previous default sparse kernel (the group kernel), for the ratio.
  r.results.push_back(r.timer.time("cisReuse+sparseGroup", r.sparseBytes + gateBytes + buildBytes, [&] {
    launchCis(cis, 0, stream);
    launchGroupDecode(fromCis, out, workspace, stream, GroupDecodeOptions{});
  }));
  // Re-anchor step (τ = 1: every row fails the gate): gate + exact scores + top-k + anchor update
  // and set build + sparse attention.
  CisParams every = cis;
  every.gate = 1.0;
  auto reanchorStep = [&](const std::function<void()>& sparseStep) {
    launchCis(every, 0, stream);
    launchScores(r.dense, b.scores.get(), stream);
    launchTopK(b.scores.get(), rows, s.tokens, c.selected, b.chosen.get(), b.topKSpace.get(), stream);
    launchCis(every, 1, stream);
    sparseStep();
  };
  const double reanchorBytes = r.sparseBytes + gateBytes + buildBytes + r.scoreBytes + r.topKBytes;
  r.results.push_back(r.timer.time("cisReanchor+sparse", reanchorBytes,
                                   [&] { reanchorStep([&] { launchAttention(fromCis, out, workspace, stream); }); }));
  r.results.push_back(r.timer.time("cisReanchor+sparseGroup", reanchorBytes, [&] {
    reanchorStep([&] { launchGroupDecode(fromCis, out, workspace, stream, GroupDecodeOptions{}); });
  }));
}

}  // namespace

DeviceDescription describeDevice() {
  DeviceDescription d;
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
  d.name = p.name;
  d.major = p.major;
  d.minor = p.minor;
  d.multiprocessors = p.multiProcessorCount;
  d.l2Bytes = p.l2CacheSize;
  d.totalMemory = p.totalGlobalMem;
  cudaDeviceGetAttribute(&d.clockKHz, cudaDevAttrClockRate, device);
  cudaDeviceGetAttribute(&d.memoryClockKHz, cudaDevAttrMemoryClockRate, device);
  cudaDeviceGetAttribute(&d.busWidth, cudaDevAttrGlobalMemoryBusWidth, device);
  cudaDriverGetVersion(&d.driverVersion);
  cudaRuntimeGetVersion(&d.runtimeVersion);
  return d;
}

std::vector<BenchTiming> runBenchmark(const BenchConfig& c) {
  const DeviceDescription device = describeDevice();
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  struct StreamGuard {
    cudaStream_t s;
    ~StreamGuard() { cudaStreamDestroy(s); }
  } guard{stream};
  BenchBuffers b(c, device);
  const AttentionShape& s = c.shape;

  const float scale = 1.f / sqrtf(float(s.headDim));
  DeviceAttention dense{c.dtype, b.query.get(), b.keys.get(), b.values.get(), s, scale, nullptr, s.tokens};
  DeviceAttention sparse = dense;
  sparse.list = b.list.get();
  sparse.listLength = c.selected;
  DeviceAttention fromTopK = sparse;
  fromTopK.list = b.chosen.get();

  const double kvBytes = double(b.kvCount) * double(b.e);
  const double rowBytes = double(s.headDim + s.valueDim) * double(b.e);
  const double sparseBytes = double(b.rows * c.selected) * (rowBytes + 4.0);
  const double denseBytes = 2 * kvBytes;  // every key and value row once
  const double scoreBytes = kvBytes + double(b.rows * s.tokens) * 4.0;
  const double topKBytes = double(b.rows * s.tokens) * 4.0 + double(b.rows * c.selected) * 4.0;

  Timer timer(stream, c, c.flushL2 ? b.flush.get() : nullptr, b.flushBytes);
  std::vector<BenchTiming> results;
  BenchRun run{c, b, stream, timer, results, dense, sparse, fromTopK, denseBytes, sparseBytes, scoreBytes, topKBytes};
  timeCopyAndDense(run, device.multiprocessors);
  if (c.decodeOnly) return results;
  timeSparse(run);
  timeSelection(run);
  timeCis(run);
  return results;
}

}  // namespace cuda

double memcpySeconds(size_t bytes, int repeats) {
  cuda::DeviceBuffer<unsigned char> from(bytes, "cudaMalloc(copy source)"), to(bytes, "cudaMalloc(copy target)");
  cuda::check(cudaMemset(from.get(), 1, bytes), "cudaMemset");
  cuda::check(cudaMemcpy(to.get(), from.get(), bytes, cudaMemcpyDeviceToDevice), "cudaMemcpy warm-up");
  std::vector<double> seconds;
  cudaEvent_t start, stop;
  cuda::check(cudaEventCreate(&start), "cudaEventCreate");
  cuda::check(cudaEventCreate(&stop), "cudaEventCreate");
  for (int r = 0; r < std::max(1, repeats); ++r) {
    cudaEventRecord(start);
    cudaMemcpyAsync(to.get(), from.get(), bytes, cudaMemcpyDeviceToDevice);
    cudaEventRecord(stop);
    cuda::check(cudaEventSynchronize(stop), "cudaMemcpy D2D");
    float ms = 0;
    cudaEventElapsedTime(&ms, start, stop);
    seconds.push_back(ms / 1000.0);
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace prhs
