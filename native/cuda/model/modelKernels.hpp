// The model engine's kernels: parameter structs (every tensor's shape on its field) and host-side
// launchers on device pointers and a stream, so a whole decode step can be captured in a CUDA
// graph. Storage is the engine dtype (fp16 or bf16); the residual stream, every sum and the logits
// are fp32.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "../../src/kernels.hpp"
#include "modelSpec.hpp"

namespace prhs {
namespace cuda {
namespace model {

// Where a linear layer's result y = x·Wᵀ (+ bias), summed in fp32, goes.
enum class LinearEpilogue {
  store,        // out [rows, outFeatures] dtype := round(y)
  storeFloat,   // out [rows, outFeatures] fp32 := y (the logits)
  addResidual,  // out [rows, outFeatures] fp32 += round(y) (o_proj and down_proj into the residual)
  swiglu,       // weight rows interleave gate and up (row 2j = gate j, 2j + 1 = up j);
                // out [rows, outFeatures / 2] dtype := round(round(silu(round(g))) · round(u))
};

struct LinearParams {
  Dtype dtype;
  const void* x;       // [rows, inFeatures] dtype, 16-byte aligned rows (inFeatures % 8 == 0)
  const void* weight;  // [outFeatures, inFeatures] dtype (the nn.Linear layout)
  const void* bias;    // [outFeatures] dtype, or nullptr
  int64_t rows;        // token rows
  int64_t inFeatures;
  int64_t outFeatures;  // even for swiglu
  LinearEpilogue epilogue;
  void* out;  // see LinearEpilogue
};

// Decode (rows ≤ 64): each warp streams its weight rows once for all rows of x (16-byte loads).
void launchLinearSkinny(const LinearParams& p, cudaStream_t stream);
// Prefill: tensor cores (WMMA 16×16×16, fp32 accumulators), 64×64 tiles.
void launchLinearTensorCore(const LinearParams& p, cudaStream_t stream);

struct EmbedParams {
  Dtype dtype;
  const int32_t* tokens;  // [rows], each in [0, vocab)
  const void* table;      // [vocab, hidden] dtype
  int64_t rows, hidden;
  float* residual;  // [rows, hidden] fp32 := table[token]
};
void launchEmbed(const EmbedParams& p, cudaStream_t stream);

// out[r] = round(weight · round(x · rsqrt(mean(x²) + eps))) with x = residual row
// (firstRow + r · rowStep): HF's LlamaRMSNorm, the sum in fp32.
struct RmsNormParams {
  Dtype dtype;
  const float* residual;  // [*, hidden] fp32
  int64_t firstRow, rowStep;
  const void* weight;  // [hidden] dtype
  float eps;
  int64_t rows, hidden;
  void* out;  // [rows, hidden] dtype
};
void launchRmsNorm(const RmsNormParams& p, cudaStream_t stream);

// Rotates q and k of every appended token (HF's rotate_half convention, angle pos · invFreq[i] and
// its cos/sin in fp32) and writes k and v into the paged cache at positions lengths[b] + i.
struct RopeAppendParams {
  Dtype dtype;
  const void* qkv;           // [batch, count, (queryHeads + 2 kvHeads) · headDim] dtype
  const float* invFreq;      // [headDim / 2]
  const int32_t* lengths;    // [batch] tokens cached before this append
  const int32_t* pageTable;  // [batch, pagesPerSequence] page of the pool holding each 16 tokens
  int64_t batch, count, queryHeads, kvHeads, headDim, pagesPerSequence;
  void* query;      // [batch, count, queryHeads, headDim] dtype, rotated
  void* keyPool;    // [pages, kvHeads, 16, headDim] dtype (this layer)
  void* valuePool;  // [pages, kvHeads, 16, headDim] dtype (this layer)
};
void launchRopeAppend(const RopeAppendParams& p, cudaStream_t stream);

// Causal attention over the paged cache: query i of sequence b (position lengths[b] + i) attends
// to positions [0, lengths[b] + i]. Split-KV: chunk c covers positions [c · chunkTokens,
// (c + 1) · chunkTokens); chunks past a query's length write an empty partial, so the launch (and a
// graph capturing it) stays valid as the context grows. The query heads of a KV head share one
// block: each K/V row is loaded once into shared memory for the whole group.
struct PagedAttentionParams {
  Dtype dtype;
  const void* query;         // [batch, count, queryHeads, headDim] dtype
  const void* keyPool;       // [pages, kvHeads, 16, headDim] dtype
  const void* valuePool;     // [pages, kvHeads, 16, headDim] dtype
  const int32_t* pageTable;  // [batch, pagesPerSequence]
  const int32_t* lengths;    // [batch]
  int64_t batch, count, queryHeads, kvHeads, headDim, pagesPerSequence;
  int64_t chunkTokens;  // a multiple of the tile (attentionTileTokens)
  int64_t chunks;
  float scale;     // 1 / sqrt(headDim)
  float* partial;  // [batch · count · queryHeads, chunks · partialSlots, headDim + 2] workspace
  void* out;       // [batch, count, queryHeads · headDim] dtype
  // Sparse decode (count = 1), or nullptr for dense: the positions each (sequence, KV head) attends,
  // shared by the query heads of its group. kept [batch, kvHeads, keptStride], the first
  // keptCount[b · kvHeads + kv] entries valid, each a cached position (< lengths[b] + 1).
  const int32_t* kept = nullptr;
  const int32_t* keptCount = nullptr;
  int64_t keptStride = 0;
};
int64_t attentionTileTokens(int64_t headDim);
int64_t attentionPartialFloats(int64_t rows, int64_t queryHeads, int64_t group, int64_t chunks, int64_t headDim);
// The chunk kernel, then the merge of its partials (launchPagedAttention runs both).
void launchPagedAttention(const PagedAttentionParams& p, cudaStream_t stream);
void launchPagedAttentionChunks(const PagedAttentionParams& p, cudaStream_t stream);
void launchPagedAttentionMerge(const PagedAttentionParams& p, cudaStream_t stream);

// How the chunk kernel stages K/V tiles (PRHS_ATTENTION_VARIANT=async|sync, read once; unset: async).
// The same sums in the same order either way; the engine plans its split-KV chunks per variant.
enum class AttentionVariant { async, sync };
AttentionVariant attentionVariant();
// Chunk-kernel blocks one SM holds at once in the variant in use (its shared memory decides).
int attentionBlocksPerSm(Dtype dtype, int64_t headDim);

// Keeps the stream busy for `nanoseconds` (profile mode: the host enqueues a step meanwhile).
void launchSpin(int64_t nanoseconds, cudaStream_t stream);

// lengths[b] += count (the last kernel of a step).
void launchAdvanceLengths(int32_t* lengths, int64_t batch, int64_t count, cudaStream_t stream);

// data[r · rowStride + c] := center + halfWidth · u, u uniform in [-1, 1) from a hash of (seed, r, c):
// seeded random weights and KV-cache contents for benchmarks without a checkpoint or a prefill.
struct FillParams {
  Dtype dtype;
  void* data;  // [rows, rowStride] dtype, columns [0, cols) written
  int64_t rows, cols, rowStride;
  float halfWidth, center;
  uint32_t seed;
};
void launchFill(const FillParams& p, cudaStream_t stream);

}  // namespace model
}  // namespace cuda
}  // namespace prhs
