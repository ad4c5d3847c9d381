// Kernels of PrHS selection inside the model engine (selection.hpp runs them per layer): the
// group's post-RoPE queries in fp32, exact group scores over the paged cache, StreamingLLM's kept
// set, the position-ordered kept list, the check mode's dense-vs-sparse measurements, and the
// per-layer counters. A selection row is one (sequence, KV head): rows = batch · kvHeads, and a
// row's query is its group's G query heads side by side (G · headDim floats).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "modelSpec.hpp"

namespace prhs {
namespace cuda {
namespace model {

// out [rows, G · headDim] fp32 := the step's query [batch, queryHeads, headDim] (dtype), widened.
void launchWidenQuery(Dtype dtype, const void* query, int64_t elements, float* out, cudaStream_t stream);

// Every length below is read on the device, so that one captured decode step serves every step:
// lengths [batch] holds the positions cached before the step, and row (b, kv) of the step sees
// N = lengths[b] + 1 positions (its own K/V row included).

// Group score of every visible position: out[row, t] = max over the group's heads g of
// scale · (q_g · k_t), summed in fp32 over headDim, t < N, for the listed rows (rowList = nullptr:
// every row). `blocks` blocks share the (row, tile of positions) items.
struct GroupScoreParams {
  Dtype dtype;
  const float* query;        // [rows, group · headDim]
  const void* keyPool;       // [pages, kvHeads, 16, headDim] dtype (this layer)
  const int32_t* pageTable;  // [batch, pagesPerSequence]
  const int32_t* lengths;    // [batch]
  int64_t batch, kvHeads, group, headDim, pagesPerSequence, capacity;
  float scale;
  const int32_t* rowList;   // [rows] or nullptr
  const int32_t* rowCount;  // [1] entries of rowList
  float* out;               // [rows, capacity]
};
void launchGroupScores(const GroupScoreParams& p, int64_t blocks, cudaStream_t stream);
// Blocks of the group score kernel that fit on one SM at once (a grid of this many per SM is one wave).
int64_t groupScoreBlocksPerSm(Dtype dtype);
// The staged group score kernel (PRHS_SELECTION_KERNELS=new): the same scores bit for bit, keys read
// in 16-byte loads through shared memory and eight positions per warp summed together; head dims
// that are a multiple of 8 up to 256.
bool stagedGroupScoresSupport(int64_t headDim);
int64_t stagedGroupScoreBlocksPerSm(Dtype dtype, int64_t group, int64_t headDim);
void launchStagedGroupScores(const GroupScoreParams& p, int64_t blocks, cudaStream_t stream);

// StreamingLLM: kept [rows, stride] := [0, s) then [N − (k − s), N), k = min(budget, N), s = min(sinks, k),
// N = lengths[row / kvHeads] + 1: the set IndexSetBuilder makes of addRange(0, sinks) then fillRecent,
// in position order.
struct StreamingKeptParams {
  int64_t rows;
  const int32_t* lengths;
  int64_t kvHeads, budget, sinks;
  int32_t* kept;
  int32_t* keptCount;
  int64_t stride;
};
void launchStreamingKept(const StreamingKeptParams& p, cudaStream_t stream);

// Position-ordered kept list of each row from an unordered one (−1 entries and repeats ignored):
// marks [rows, marksStride] bytes workspace (marksStride ≥ capacity, a multiple of 16, 16-byte
// aligned rows); kept [rows, stride], keptCount [rows].
struct SortKeptParams {
  const int32_t* indices;  // [rows, indexStride]
  const int32_t* sizes;    // [rows] entries of each row, or nullptr: min(count, N) each
  int64_t rows, indexStride, count;
  const int32_t* lengths;
  int64_t kvHeads, marksStride;
  uint8_t* marks;
  int32_t* kept;
  int32_t* keptCount;
  int64_t stride;
};
void launchSortKept(const SortKeptParams& p, cudaStream_t stream);

// list [rows] := the rows whose flag is set, in order; count [1] := how many (one block).
void launchCompactRows(const uint8_t* flags, int64_t rows, int32_t* list, int32_t* count, cudaStream_t stream);

// counters [3] (this layer) += Σ keptCount, Σ retrieved (reanchor flags, or `rows` when every row
// scored keys, or 0 when none did), rows.
void launchCountSelection(const int32_t* keptCount, const uint8_t* reanchor, bool everyRowRetrieves, int64_t rows,
                          unsigned long long* counters, cudaStream_t stream);

// Check mode, one block per (sequence, query head): from the cache rows and the step's query (exact
// products, float64 sums) the dense softmax p over [0, length), its dropped mass δ on the row's kept
// list, max‖v‖₂ over the visible values, the float64 outputs o = Σ p v and ô = Σ_kept p v / (1 − δ),
// and the engine's outputs (dense and sparse launches, dtype) compared with them.
struct CheckHeadParams {
  Dtype dtype;
  const void* query;  // [batch, queryHeads, headDim] dtype
  const void* keyPool;
  const void* valuePool;
  const int32_t* pageTable;
  int64_t batch, queryHeads, kvHeads, headDim, pagesPerSequence, length;
  float scale;
  const int32_t* kept;  // [batch, kvHeads, stride] position-ordered
  const int32_t* keptCount;
  int64_t stride;
  const void* denseOut;   // [batch, queryHeads, headDim] dtype: the engine's dense attention
  const void* sparseOut;  // [batch, queryHeads, headDim] dtype: the engine's sparse attention
  double* record;         // [batch · queryHeads, kCheckFields]
};
// Fields of one check record (see CheckHeadParams).
enum CheckField {
  kDelta = 0,       // δ: dense softmax mass outside the kept list
  kMaxValueNorm,    // max over visible positions of ‖v_t‖₂
  kExactGap,        // ‖o − ô‖₂ in float64 (the bound 2δ·max‖v‖ holds for it up to float64 rounding)
  kEngineGap,       // ‖o_engine − ô_engine‖₂ of the two launches' dtype outputs
  kDenseError,      // ‖o_engine − o‖₂
  kSparseError,     // ‖ô_engine − ô‖₂
  kKept,            // kept count
  kLogitMagnitude,  // max over visible t of scale · Σ_c |q_c k_tc| (bounds the fp32 logit error)
  kCertifiedDelta,  // δ̂: the certified bound on δ from page summaries (certifiedCheck.hpp)
  kCheckFields
};
void launchCheckHeads(const CheckHeadParams& p, cudaStream_t stream);

}  // namespace model
}  // namespace cuda
}  // namespace prhs
