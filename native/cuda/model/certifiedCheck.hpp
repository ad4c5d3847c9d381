// Check mode's certified dropped mass: for every (sequence, query head) of a checked layer, the δ̂
// of theory/certified.md for the row's kept list, computed on the GPU from the engine's paged cache
// with the device code of the kernel layer's certificate (native/cuda/certifiedMath.cuh): page
// summaries of the cached keys (pages of kPageSize positions, the last one partial), per-page
// upper bounds on scale·q·k (the smaller of the minmax and ball bounds, as the reference's
// default), outward-rounded lower bounds on the kept logits, and the outward ratio. δ̂ bounds the
// exact dropped mass of the exact logits scale·q·k of the cached fp16/bf16 query and keys, the δ
// the check kernel records (theory/model.md, "Check mode: the certified δ̂"). Owns its workspace
// (its own arena, allocated at the first checked step: summaries of every page of every sequence).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "deviceArena.hpp"
#include "modelSpec.hpp"

namespace prhs {
namespace cuda {
namespace model {

// One checked layer's inputs: the step's query, this layer's key pool, the kept lists.
struct CertifiedCheckInput {
  const void* query;  // [batch, queryHeads, headDim] dtype, after RoPE
  const void* keyPool;
  const int32_t* pageTable;
  int64_t length;            // visible positions (the step's own included)
  const int32_t* kept;       // [batch, kvHeads, stride] position-ordered
  const int32_t* keptCount;  // [batch, kvHeads]
  int64_t stride;
  double* out;  // δ̂ of (sequence, query head) h at out[h · outStride]
  int64_t outStride;
};

class CertifiedCheck {
 public:
  CertifiedCheck(const ModelSpec& spec, int64_t stride);
  CertifiedCheck(const CertifiedCheck&) = delete;
  CertifiedCheck& operator=(const CertifiedCheck&) = delete;

  int64_t stride() const { return stride_; }
  void run(const CertifiedCheckInput& in, cudaStream_t stream);

 private:
  ModelSpec spec_;
  int64_t stride_ = 0;
  DeviceArena arena_;
  size_t minimum_ = 0, maximum_ = 0, center_ = 0, radius_ = 0, pageBounds_ = 0, droppedCounts_ = 0, keptLogits_ = 0;
};

}  // namespace model
}  // namespace cuda
}  // namespace prhs
