// The CUDA kernels' host-side launchers, on device pointers and a stream (so the benchmark can
// capture them into CUDA graphs). The entry points of native/src/kernels.hpp (scores,
// decodeAttention, ...) are implemented on top of these in the *.cu files: they copy the host
// arrays in, launch, and copy the results out.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "../src/kernels.hpp"

namespace prhs {
namespace cuda {

// One constant is both the chunk and the summation block. The chunk: the list positions one block
// handles, the unit of the split-KV decode (chunkCount chunks per list). The summation block: sums
// inside a chunk are at most kSumBlock deep and the merge adds at most ceil(chunks / 4) + 3
// roundings, so a term goes through at most min(n, 128) + ceil(n / 128) roundings, the CPU's blocked
// depth with B = 128 (theory/kernel-error.md, "CUDA kernels"); the CUDA addon reports it as
// `sumBlock`, the name TypeScript and the CPU addon (native/src/kernels.hpp's kSumBlock) give B.
// Inside prhs::cuda this name hides the CPU's prhs::kSumBlock (256), which must be named in full.
// 128 positions per block: shape (a)'s sparse step is 1024 blocks, one wave at 8 blocks per SM.
constexpr int kSumBlock = 128;

inline int64_t chunkCount(int64_t n) { return (n + kSumBlock - 1) / kSumBlock; }

// One decode step's tensors on the device.
struct DeviceAttention {
  Dtype dtype;
  const void* query;
  const void* keys;
  const void* values;
  AttentionShape shape;
  float scale;
  // Per-(batch, queryHead) lists [batch, queryHeads, listLength] (-1 = padding), or nullptr for
  // positions 0..tokens-1 (dense; listLength must then be tokens).
  const int32_t* list;
  int64_t listLength;
};

// Floats of workspace the split-KV partials need (0 when one chunk suffices). The attention
// workspace starts with the fused merge's counters: zero it once after allocating; every launch
// leaves it zero again.
int64_t attentionWorkspaceFloats(const AttentionShape& s, int64_t listLength);
int64_t droppedWorkspaceFloats(const AttentionShape& s);

// out [batch, queryHeads, valueDim]: softmax-weighted average over each head's list. Per-head lists
// run the sliced sparse kernel (sparseDecode.cu); by default dense GQA steps (group ≥ 2) run the
// tensor-core kernel (groupDecodeMma.cu, other bits and its own bound) where it applies, other dense
// steps the group kernel (groupDecode.cu) where it applies, else the chunk kernel (these give the same bits).
// PRHS_CUDA_DECODE (read once per process): "chunk" forces the chunk kernel; "mma" runs dense
// steps on the tensor-core kernel where it applies (groupDecodeMma.cu; other bits, its own bound),
// "mma-pipelined" the same kernel with several chunks per block (the same bits as "mma"); "group"
// the default order.
void launchAttention(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream);
// The chunk kernel alone (attention.cu), whatever PRHS_CUDA_DECODE says.
void launchChunkAttention(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream);
// Floats at the start of the attention workspace that hold the fused merge's counters.
int64_t attentionCounterFloats(const AttentionShape& s);

// The group kernel (groupDecode.cu): one block per (batch, KV head, chunk) serves all query heads
// of the group (≤ 16); per-head lists: one block per (row, chunk). Bit-identical to the chunk kernel.
struct GroupDecodeOptions {
  int lanesPerThread = 0;  // lane partials per thread in the logits: 2 or 4 (0: by shape)
  bool fusedMerge = true;  // false: the merge runs as a second kernel, one block per (row, 32 channels)
  bool deep = false;       // one head per block only (lists, or group 1) with L = 2: 8 key vectors in flight per thread
};
// Whether the group kernel handles this shape (16-byte rows of at most 32 vectors, group ≤ 16).
bool groupDecodeSupports(const AttentionShape& s, Dtype dtype, bool perHeadLists, int lanesPerThread);
int groupDecodeLanesPerThread(const AttentionShape& s, bool perHeadLists);
// Launches it and returns true, or returns false (nothing launched) where it does not apply.
bool launchGroupDecode(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream,
                       const GroupDecodeOptions& options);
// The split-KV merge as its own kernel (groupDecode.cu): partial [rows, chunks, dv + 2] as the
// group kernel writes it → out [rows, dv], one block per (row, 32 channels).
void launchGroupMerge(const float* partial, int64_t rows, int chunks, int dv, float* out, cudaStream_t stream);

// The tensor-core dense decode (groupDecodeMma.cu): mma.sync for Q·Kᵀ and P̃·V, P rounded to the
// input type, a different summation order (theory/kernel-error.md, "Tensor-core dense decode").
// fp16/bf16, head dim 64, 96 or 128 with valueDim = headDim, group ≤ 16, dense lists only.
bool mmaDecodeSupports(const AttentionShape& s, Dtype dtype);
// Launches it (and the merge) and returns true, or returns false (nothing launched). pipelined:
// a block takes up to 8 consecutive chunks (as many as keep 4 waves of blocks) and loads the next
// chunk's rows during this one's math; the same arithmetic per chunk, so the same bits. workspace:
// attentionWorkspaceFloats (the merge counters zero, as every launch leaves them).
bool launchMmaDecode(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream, bool pipelined);
// Who merges the tensor-core kernel's split-KV partials, from PRHS_CUDA_MMA_MERGE (read once per
// process): "separate" (unset too: launchGroupMerge after it) or "fused" (the last block of each KV
// cache, inside the kernel); the same bits either way. Another value throws a CudaError naming the
// variable.
const char* mmaMergeName();
// Which summation the dense decodeAttention entry point runs in this process: "tensor-core" when
// PRHS_CUDA_DECODE (or the compiled-in default) selects the tensor-core kernel, else "ordered" (the
// chunk kernel's order, which the group kernel keeps bit for bit).
const char* denseDecodeSummation();

// out [batch, queryHeads, tokens]: logits.
void launchScores(const DeviceAttention& a, float* out, cudaStream_t stream);
// out [batch, queryHeads]: dropped mass; kept [batch, queryHeads, tokens] is 1 where kept.
void launchDroppedMass(const DeviceAttention& a, const uint8_t* kept, float* out, float* workspace,
                       cudaStream_t stream);
// kept [rows, tokens] := 1 at each row's listed indices (kept must be zeroed first).
void launchMarkKept(const int32_t* indices, int64_t rows, int64_t selected, int64_t tokens, uint8_t* kept,
                    cudaStream_t stream);

// Exact top-k per row (score desc, index asc; NaN lowest; -0 == +0). workspace: topKWorkspaceBytes
// (with PRHS_SELECTION_KERNELS=new this runs the sliced top-k, clearing its workspace first).
size_t topKWorkspaceBytes(int64_t rows, int64_t n, int64_t k);
void launchTopK(const float* scores, int64_t rows, int64_t n, int64_t k, int32_t* out, void* workspace,
                cudaStream_t stream);
// The same top-k over a device-side row list, each row's length read on the device: row r has
// n = lengths[r / rowsPerLength] + lengthOffset scores (lengths nullptr: n = lengthOffset) at
// scores + r · scoreStride and writes its top min(budget, n) to out + r · outStride.
// rowList/rowCount nullptr: rows 0..rows-1. `blocks` blocks share the rows; workspace:
// topKListedWorkspaceBytes(blocks, budget).
struct TopKListedParams {
  const float* scores;
  int64_t scoreStride;
  const int32_t* rowList;   // [rows] or nullptr
  const int32_t* rowCount;  // [1] or nullptr
  int64_t rows;
  const int32_t* lengths;
  int64_t rowsPerLength, lengthOffset, budget;
  int32_t* out;
  int64_t outStride;
  uint64_t* workspace;
  // false: the caller uses only the set, so the sliced top-k may leave it in any order (the
  // one-block kernel always ranks it).
  bool ranked = true;
};
size_t topKListedWorkspaceBytes(int64_t blocks, int64_t budget);
void launchTopKListed(const TopKListedParams& p, int64_t blocks, cudaStream_t stream);

// Which selection kernels this process runs: PRHS_SELECTION_KERNELS, read once, "new" (the default:
// topKSliced.cu and the staged group scores of model/selectionKernels.cu) or "old" (the
// one-block-per-row top-k and model/groupScores.cu); another value throws std::invalid_argument
// naming the variable. Both give the same lists, bit for bit.
bool newSelectionKernels();

// The sliced top-k (topKSliced.cu): the same output as launchTopKListed (ranked), each row split
// over `slices` blocks, three radix passes over global per-row histograms, the kept keys placed by
// their top 12 bits and the placed runs sorted by separate blocks. Fixed grids, lengths and row
// list read on the device (capturable in a CUDA graph). The shape is chosen once for the most rows
// and the longest row a caller will pass.
struct TopKSlicedShape {
  int64_t rows = 0, slices = 1, budget = 0, segmentKeys = 0, segments = 0, passBlocks = 0, sortBlocks = 0;
};
TopKSlicedShape topKSlicedShape(int64_t rows, int64_t maxLength, int64_t budget);
size_t topKSlicedWorkspaceBytes(const TopKSlicedShape& shape);
// The leading bytes of that workspace that must be zero when a launch starts.
size_t topKSlicedZeroedBytes(const TopKSlicedShape& shape);
// p.workspace: topKSlicedWorkspaceBytes(shape) bytes, zeroed once after allocation (every launch
// leaves its counters and histograms zero again). p.rows and p.budget at most the shape's.
void launchTopKSliced(const TopKListedParams& p, const TopKSlicedShape& shape, cudaStream_t stream);

// The previous kernels (attentionV1.cu), timed as the in-run baseline only: compiled only with
// PRHS_CUDA_BENCH_BASELINES (benchmark builds), never into the shipped addon.
namespace v1 {
int64_t attentionWorkspaceFloats(const AttentionShape& s, int64_t listLength);
void launchAttention(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream);
}  // namespace v1

}  // namespace cuda
}  // namespace prhs
