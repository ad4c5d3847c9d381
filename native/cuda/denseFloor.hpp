// The floors of the tensor-core dense decode (groupDecodeMma.cu) that bench/cuda times beside it,
// to say what limits it: each is a part of its step with the rest taken away. Benchmark-only:
// nothing here computes attention.
#pragma once
#include <cuda_runtime.h>

#include "cudaKernels.hpp"

namespace prhs {
namespace cuda {

// What the walk on the tensor-core kernel's grid does (one block per KV cache and chunk, as
// launchMmaDecode with pipelined = false; the same shared layout and threads).
enum class MmaWalk {
  empty,       // an empty kernel on the grid, with the kernel's shared memory (launch and occupancy)
  loads,       // the group's query rows, the chunk's K then V rows by cp.async, the kernel's waits
  loadsStores  // loads, then the split-KV partials the kernel writes ([rows, chunks, valueDim + 2])
};

// Launches the walk for a dense step (a.list == nullptr) where mmaDecodeSupports holds and returns
// true; returns false (nothing launched) otherwise. workspace: as launchMmaDecode's.
bool launchMmaWalk(const DeviceAttention& a, MmaWalk walk, float* workspace, cudaStream_t stream);

// Every K and V byte of a dense step read once, in order, by a grid-stride walk of
// `multiprocessors` × 8 blocks of 256 threads with 8 16-byte loads per thread in flight: how fast
// these bytes can be read at all, with no layout of ours. The words are folded into `sink`
// (written only in the practically impossible case that the fold equals a constant). Dense steps
// with valueDim = headDim and rows of whole 16-byte words; returns false (nothing launched) otherwise.
bool launchDenseStreamOnly(const DeviceAttention& a, int multiprocessors, unsigned* sink, cudaStream_t stream);

}  // namespace cuda
}  // namespace prhs
