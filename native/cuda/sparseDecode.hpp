// The sliced sparse decode kernel (sparseDecode.cu) and the two floors the benchmark measures beside
// it (sparseFloor.cu). Host-side launchers on device pointers and a stream, like cudaKernels.hpp.
#pragma once
#include <cuda_runtime.h>

#include "cudaKernels.hpp"

namespace prhs {
namespace cuda {

// How the sliced kernel lays a row's chunks out. 0 / -1 mean "by shape" (the default dispatch).
struct SparseDecodeOptions {
  int slices = 0;        // 128-thread slices per block: 1, 2 or 4 (0: 2)
  int deep = -1;         // 1: four key rows in flight per thread, 0: two, -1: by grid size
  bool clusters = true;  // false: one block per row even where a cluster of blocks would fit
};

// The layout the default dispatch (launchAttention) uses for per-head lists, read once per process
// from PRHS_CUDA_SPARSE: unset = by shape; "no-cluster", "w1", "w4", "deep", "shallow" force one
// choice (the same bits; bench/cuda/run-sparse.sh checks them); "group": nullptr, the previous
// default (the group kernel) runs instead.
const SparseDecodeOptions* chosenSparseDecode();
// What chosenSparseDecode() selected, for info(): "sliced", a forced layout's name, or "group"
// (PRHS_CUDA_DECODE=chunk overrides both: every step then runs the chunk kernel).
const char* sparseDecodeName();
// Whether the sliced kernel handles these per-head lists (16-byte K and V rows of at most 32 vectors).
bool sparseDecodeSupports(const AttentionShape& s, Dtype dtype);
// Launches it and returns true, or returns false (nothing launched) where it does not apply. Same
// bits as the chunk kernel (theory/kernel-error.md, "CUDA kernels"); uses the attention workspace's
// partials (not its counters) when a row has more chunks than fit in shared memory of one block.
bool launchSparseDecode(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream,
                        const SparseDecodeOptions& options);

// The floors of a sparse step, on the chunk kernel's grid (one 128-thread block per row and chunk of
// 128 list positions): an empty kernel, and a load-only walk of the same rows (the list, then every
// listed K and V row, all of a chunk in flight per block, no arithmetic, no merge). Rows must be
// 16-byte multiples for the walk; returns false (nothing launched) otherwise.
void launchSparseEmptyStep(const DeviceAttention& a, cudaStream_t stream);
bool launchSparseGatherOnly(const DeviceAttention& a, unsigned* sink, cudaStream_t stream);

}  // namespace cuda
}  // namespace prhs
