// Exact top-k per row on the GPU, one block per row. Every (score, index) pair maps to a distinct
// 64-bit key ordered by (score descending, index ascending), NaN lowest and -0 == +0, exactly as
// native/src/topK.cpp. A radix select over the 32-bit score keys (four 8-bit passes) finds the k-th
// largest score T; every score above T is kept, and of the scores equal to T the lowest indices are
// kept, found by an ordered scan. The k keys are then sorted by a bitonic network (in shared memory
// up to kSharedKeys, in the workspace beyond). Exact at any n: nothing is sampled or approximated.
// launchTopKListed runs the same row kernel over a device-side list of rows whose lengths are read
// from device memory (the model engine's selection, captured once in a CUDA graph).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "topKKeys.cuh"

namespace prhs {
namespace cuda {
namespace {

constexpr int kThreads = 1024;
constexpr int64_t kSharedKeys = 4096;
// The listed-rows kernel keeps up to this many keys in (opt-in, up to 128 KiB) shared memory: its
// rows are few and long (the engine's budget reaches 16384 at 128K), and a bitonic sort in global
// memory would dominate its time.
constexpr int64_t kListedSharedKeys = 16384;

// The top k of one row x [n] into out [k], by the whole block; keys [padded] (shared or global).
__device__ void topKRow(const float* x, int64_t n, int64_t k, int64_t padded, uint64_t* keys, int32_t* out) {
  __shared__ unsigned histogram[256];
  __shared__ unsigned warpOffset[kThreads / 32];
  __shared__ uint32_t sPrefix, sMask;
  __shared__ unsigned long long sRemain, sAbove, sRunning;
  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;

  if (tid == 0) {
    sPrefix = 0u;
    sMask = 0u;
    sRemain = (unsigned long long)k;
  }
  __syncthreads();
  // Radix select: after the pass at `shift`, sPrefix holds the top bits of T and sRemain how many
  // keys equal to T (on the bits fixed so far) still have to be taken.
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int i = tid; i < 256; i += kThreads) histogram[i] = 0u;
    __syncthreads();
    const uint32_t prefix = sPrefix, mask = sMask;
    for (int64_t i = tid; i < n; i += kThreads) {
      const uint32_t key = orderedScore(x[i]);
      if ((key & mask) == prefix) atomicAdd(&histogram[(key >> shift) & 0xffu], 1u);
    }
    __syncthreads();
    if (tid == 0) {
      unsigned long long above = 0;
      for (int digit = 255; digit >= 0; --digit) {
        const unsigned long long count = histogram[digit];
        if (above + count >= sRemain) {
          sPrefix = prefix | (uint32_t(digit) << shift);
          sMask = mask | (0xffu << shift);
          sRemain -= above;
          break;
        }
        above += count;
      }
    }
    __syncthreads();
  }
  const uint32_t threshold = sPrefix;
  const unsigned long long need = sRemain;                        // keys equal to T to take (≥ 1)
  const unsigned long long above = (unsigned long long)k - need;  // keys above T (all taken)
  if (tid == 0) {
    sAbove = 0;
    sRunning = 0;
  }
  __syncthreads();
  for (int64_t base = 0; base < n; base += kThreads) {
    const int64_t i = base + tid;
    const uint32_t key = i < n ? orderedScore(x[i]) : 0u;
    const bool greater = i < n && key > threshold;
    const bool equal = i < n && key == threshold;
    if (greater) keys[atomicAdd(&sAbove, 1ull)] = rankKey(key, i);
    const unsigned ballot = __ballot_sync(0xffffffffu, equal);
    if (lane == 0) warpOffset[warp] = __popc(ballot);
    __syncthreads();
    if (tid == 0) {
      unsigned total = 0;
      for (int w = 0; w < kThreads / 32; ++w) {
        const unsigned c = warpOffset[w];
        warpOffset[w] = total;
        total += c;
      }
    }
    __syncthreads();
    const unsigned long long rank = sRunning + warpOffset[warp] + __popc(ballot & ((1u << lane) - 1u));
    if (equal && rank < need) keys[above + rank] = rankKey(key, i);
    __syncthreads();
    if (tid == kThreads - 1)
      sRunning = rank + (equal ? 1 : 0);  // the last thread's rank + its own flag = new running count
    __syncthreads();
  }
  for (int64_t i = k + tid; i < padded; i += kThreads) keys[i] = 0ull;  // below every real key
  __syncthreads();
  bitonicDescending(keys, padded);
  for (int64_t j = tid; j < k; j += kThreads) out[j] = keyIndex(keys[j]);
  __syncthreads();  // the shared state is reused by the block's next row
}

__global__ void __launch_bounds__(kThreads)
    topKRows(const float* scores, int64_t n, int64_t k, int64_t padded, uint64_t* global, int32_t* out) {
  extern __shared__ uint64_t sharedKeys[];
  const int64_t row = blockIdx.x;
  uint64_t* keys = padded <= kSharedKeys ? sharedKeys : global + row * padded;
  topKRow(scores + row * n, n, k, padded, keys, out + row * k);
}

// Listed rows: block i takes the list's rows i, i + gridDim.x, ...; each row its own n and k.
__global__ void __launch_bounds__(kThreads) topKListedRows(TopKListedParams p) {
  extern __shared__ uint64_t sharedKeys[];
  const int64_t count = p.rowCount ? *p.rowCount : p.rows;
  // The launch sized shared memory for the budget's keys (or none, with a workspace): every row's k ≤ budget.
  const bool shared = paddedLength(p.budget) <= kListedSharedKeys;
  for (int64_t i = blockIdx.x; i < count; i += gridDim.x) {
    const int64_t row = p.rowList ? p.rowList[i] : i;
    const int64_t n = p.lengths ? int64_t(p.lengths[row / p.rowsPerLength]) + p.lengthOffset : p.lengthOffset;
    const int64_t k = n < p.budget ? n : p.budget;
    if (k <= 0) continue;
    const int64_t padded = paddedLength(k);
    uint64_t* keys = shared ? sharedKeys : p.workspace + int64_t(blockIdx.x) * paddedLength(p.budget);
    topKRow(p.scores + row * p.scoreStride, n, k, padded, keys, p.out + row * p.outStride);
  }
}

}  // namespace

size_t topKWorkspaceBytes(int64_t rows, int64_t n, int64_t k) {
  if (newSelectionKernels()) return topKSlicedWorkspaceBytes(topKSlicedShape(rows, n, k));
  const int64_t padded = paddedLength(k);
  return padded <= kSharedKeys ? 0 : size_t(rows) * size_t(padded) * sizeof(uint64_t);
}

bool newSelectionKernels() {
  static const bool fresh = [] {
    const char* value = std::getenv("PRHS_SELECTION_KERNELS");
    if (value == nullptr || *value == '\0' || std::strcmp(value, "new") == 0) return true;
    if (std::strcmp(value, "old") == 0) return false;
    throw std::invalid_argument(std::string("PRHS_SELECTION_KERNELS: expected old or new, received \"") + value + "\"");
  }();
  return fresh;
}

size_t topKListedWorkspaceBytes(int64_t blocks, int64_t budget) {
  const int64_t padded = paddedLength(budget);
  return padded <= kListedSharedKeys ? 0 : size_t(blocks) * size_t(padded) * sizeof(uint64_t);
}

void launchTopKListed(const TopKListedParams& p, int64_t blocks, cudaStream_t stream) {
  if (p.rows == 0 || p.budget == 0 || blocks == 0) return;
  const int64_t padded = paddedLength(p.budget);
  const size_t shared = padded <= kListedSharedKeys ? size_t(padded) * sizeof(uint64_t) : 0;
  if (shared > 48 * 1024)
    check(cudaFuncSetAttribute(topKListedRows, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
          "cudaFuncSetAttribute(topK listed rows)");
  topKListedRows<<<unsigned(blocks), kThreads, shared, stream>>>(p);
  checkLaunch("topK (listed rows) launch");
}

void launchTopK(const float* scores, int64_t rows, int64_t n, int64_t k, int32_t* out, void* workspace,
                cudaStream_t stream) {
  if (k == 0 || rows == 0) return;
  if (rows > 2147483647) check(cudaErrorInvalidConfiguration, "topK grid (rows > 2^31 - 1)");
  if (newSelectionKernels()) {
    const TopKSlicedShape shape = topKSlicedShape(rows, n, k);
    check(cudaMemsetAsync(workspace, 0, topKSlicedZeroedBytes(shape), stream), "cudaMemsetAsync (sliced top-k)");
    TopKListedParams p{};
    p.scores = scores;
    p.scoreStride = n;
    p.rows = rows;
    p.lengths = nullptr;  // every row has n = lengthOffset scores
    p.rowsPerLength = 1;
    p.lengthOffset = n;
    p.budget = k;
    p.out = out;
    p.outStride = k;
    p.workspace = static_cast<uint64_t*>(workspace);
    launchTopKSliced(p, shape, stream);
    return;
  }
  const int64_t padded = paddedLength(k);
  const size_t shared = padded <= kSharedKeys ? size_t(padded) * sizeof(uint64_t) : 0;
  topKRows<<<unsigned(rows), kThreads, shared, stream>>>(scores, n, k, padded, static_cast<uint64_t*>(workspace), out);
  checkLaunch("topK launch");
}

}  // namespace cuda

void topK(const float* scores, int64_t rows, int64_t n, int64_t k, int32_t* out) {
  if (k == 0) return;
  const size_t count = size_t(rows * n);
  cuda::DeviceBuffer<float> input(count, "cudaMalloc(scores)");
  input.upload(scores, count, "cudaMemcpy(scores)");
  cuda::DeviceBuffer<int32_t> result(size_t(rows * k), "cudaMalloc(topK out)");
  cuda::DeviceBuffer<unsigned char> workspace(cuda::topKWorkspaceBytes(rows, n, k), "cudaMalloc(topK workspace)");
  cuda::launchTopK(input.get(), rows, n, k, result.get(), workspace.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "topK kernel");
  result.download(out, size_t(rows * k), "cudaMemcpy(topK out)");
}

}  // namespace prhs
