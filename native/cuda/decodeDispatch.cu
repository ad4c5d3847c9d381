// Which kernel runs a decode step (cudaKernels.hpp's launchAttention): the tensor-core kernel for
// dense grouped-query steps, the sliced sparse kernel for per-head lists, the group kernel for the
// rest of the dense steps, and the chunk kernel (attention.cu) where none of them applies.
// PRHS_CUDA_DECODE forces one (chunk, group, mma or mma-pipelined), for the benchmark and the
// bit-identity checks.
#include <cstdlib>
#include <cstring>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "sparseDecode.hpp"

namespace prhs {
namespace cuda {

namespace {

// mmaForGroups: the tensor-core kernel for dense GQA steps (group ≥ 2) where it applies, the group
// kernel for the rest (multi-head attention, sparse lists, other head dims).
enum class DecodeKernel { chunk, group, mma, mmaPipelined, mmaForGroups };

// The dense decode kernel when PRHS_CUDA_DECODE is unset: the tensor-core kernel for GQA, chosen on
// run 6 (faster than the group kernel in every GQA cell, 1.09-5.3x) and run 7 (bf16 within twice
// the naive error once P is split into hi + lo; bench/cuda/NOTES.md). Going back is this one line
// (DecodeKernel::group); test/backends/cudaBackend.test.ts states the default's summation.
constexpr DecodeKernel kDefaultDenseDecode = DecodeKernel::mmaForGroups;

DecodeKernel chosenDecodeKernel() {
  static const DecodeKernel chosen = [] {
    const char* forced = std::getenv("PRHS_CUDA_DECODE");
    if (forced == nullptr || *forced == '\0') return kDefaultDenseDecode;
    if (std::strcmp(forced, "chunk") == 0) return DecodeKernel::chunk;
    if (std::strcmp(forced, "mma") == 0) return DecodeKernel::mma;
    if (std::strcmp(forced, "mma-pipelined") == 0) return DecodeKernel::mmaPipelined;
    if (std::strcmp(forced, "group") == 0) return DecodeKernel::group;
    throwCudaError(cudaErrorInvalidValue, "PRHS_CUDA_DECODE (must be chunk, group, mma or mma-pipelined)");
  }();
  return chosen;
}

}  // namespace

const char* denseDecodeSummation() {
  const DecodeKernel kernel = chosenDecodeKernel();
  // mmaForGroups runs both kernels; the tensor-core model also bounds the ordered kernels' shapes.
  return kernel == DecodeKernel::chunk || kernel == DecodeKernel::group ? "ordered" : "tensor-core";
}

void launchAttention(const DeviceAttention& a, float* out, float* workspace, cudaStream_t stream) {
  const DecodeKernel kernel = chosenDecodeKernel();
  const bool mma = kernel == DecodeKernel::mma || kernel == DecodeKernel::mmaPipelined ||
                   (kernel == DecodeKernel::mmaForGroups && a.shape.queryHeads > a.shape.kvHeads);
  if (mma && launchMmaDecode(a, out, workspace, stream, kernel == DecodeKernel::mmaPipelined)) return;
  // Per-head lists: the sliced sparse kernel (sparseDecode.cu, the same bits) where it applies.
  const SparseDecodeOptions* sliced = kernel == DecodeKernel::chunk ? nullptr : chosenSparseDecode();
  if (sliced != nullptr && launchSparseDecode(a, out, workspace, stream, *sliced)) return;
  if (kernel != DecodeKernel::chunk && launchGroupDecode(a, out, workspace, stream, GroupDecodeOptions{})) return;
  launchChunkAttention(a, out, workspace, stream);
}

}  // namespace cuda
}  // namespace prhs
