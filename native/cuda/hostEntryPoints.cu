// The entry points of native/src/kernels.hpp on the GPU: the host arrays are copied to the device,
// the launchers of cudaKernels.hpp run on the default stream, and the results are copied back.
#include <cuda_runtime.h>

#include <cstdint>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"

namespace prhs {
namespace {

size_t storageBytes(Dtype dtype) { return dtype == Dtype::fp32 ? 4 : 2; }

struct Uploaded {
  cuda::DeviceBuffer<unsigned char> query, keys, values;
  cuda::DeviceAttention view{};
};

void upload(Uploaded& u, Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& s,
            float scale) {
  const size_t e = storageBytes(dtype);
  const size_t qBytes = size_t(s.batch * s.queryHeads * s.headDim) * e;
  const size_t kBytes = size_t(s.batch * s.kvHeads * s.tokens * s.headDim) * e;
  u.query.allocate(qBytes, "cudaMalloc(query)");
  u.query.upload(query, qBytes, "cudaMemcpy(query)");
  u.keys.allocate(kBytes, "cudaMalloc(keys)");
  u.keys.upload(keys, kBytes, "cudaMemcpy(keys)");
  if (values) {
    const size_t vBytes = size_t(s.batch * s.kvHeads * s.tokens * s.valueDim) * e;
    u.values.allocate(vBytes, "cudaMalloc(values)");
    u.values.upload(values, vBytes, "cudaMemcpy(values)");
  }
  u.view = cuda::DeviceAttention{dtype, u.query.get(), u.keys.get(), values ? u.values.get() : nullptr,
                                 s,     scale,         nullptr,      s.tokens};
}

}  // namespace

const char* activeIsa() { return "cuda"; }

void scores(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale, float* out,
            float*) {
  Uploaded u;
  upload(u, dtype, query, keys, nullptr, shape, scale);
  const size_t count = size_t(shape.batch * shape.queryHeads * shape.tokens);
  cuda::DeviceBuffer<float> result(count, "cudaMalloc(scores)");
  cuda::launchScores(u.view, result.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "scores kernel");
  result.download(out, count, "cudaMemcpy(scores out)");
}

void decodeAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, float* out, float*) {
  Uploaded u;
  upload(u, dtype, query, keys, values, shape, scale);
  const size_t count = size_t(shape.batch * shape.queryHeads * shape.valueDim);
  cuda::DeviceBuffer<float> result(count, "cudaMalloc(out)");
  cuda::DeviceBuffer<float> workspace(size_t(cuda::attentionWorkspaceFloats(shape, shape.tokens)),
                                      "cudaMalloc(workspace)");
  cuda::check(cudaMemset(workspace.get(), 0, workspace.count() * sizeof(float)), "cudaMemset(workspace)");
  cuda::launchAttention(u.view, result.get(), workspace.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "decodeAttention kernel");
  result.download(out, count, "cudaMemcpy(out)");
}

void sparseAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, const int32_t* indices, int64_t selected, float* out, float*) {
  Uploaded u;
  upload(u, dtype, query, keys, values, shape, scale);
  const size_t listCount = size_t(shape.batch * shape.queryHeads * selected);
  cuda::DeviceBuffer<int32_t> list(listCount, "cudaMalloc(indices)");
  list.upload(indices, listCount, "cudaMemcpy(indices)");
  u.view.list = list.get();
  u.view.listLength = selected;
  const size_t count = size_t(shape.batch * shape.queryHeads * shape.valueDim);
  cuda::DeviceBuffer<float> result(count, "cudaMalloc(out)");
  cuda::DeviceBuffer<float> workspace(size_t(cuda::attentionWorkspaceFloats(shape, selected)), "cudaMalloc(workspace)");
  cuda::check(cudaMemset(workspace.get(), 0, workspace.count() * sizeof(float)), "cudaMemset(workspace)");
  cuda::launchAttention(u.view, result.get(), workspace.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "sparseAttention kernel");
  result.download(out, count, "cudaMemcpy(out)");
}

void droppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale,
                 const int32_t* indices, int64_t selected, float* out, float*, uint8_t*) {
  Uploaded u;
  upload(u, dtype, query, keys, nullptr, shape, scale);
  const int64_t rows = shape.batch * shape.queryHeads;
  const size_t listCount = size_t(rows * selected);
  cuda::DeviceBuffer<int32_t> list(listCount, "cudaMalloc(indices)");
  list.upload(indices, listCount, "cudaMemcpy(indices)");
  cuda::DeviceBuffer<uint8_t> kept(size_t(rows * shape.tokens), "cudaMalloc(kept mask)");
  cuda::check(cudaMemset(kept.get(), 0, kept.count()), "cudaMemset(kept mask)");
  cuda::launchMarkKept(list.get(), rows, selected, shape.tokens, kept.get(), nullptr);
  cuda::DeviceBuffer<float> result(size_t(rows), "cudaMalloc(out)");
  cuda::DeviceBuffer<float> workspace(size_t(cuda::droppedWorkspaceFloats(shape)), "cudaMalloc(workspace)");
  cuda::launchDroppedMass(u.view, kept.get(), result.get(), workspace.get(), nullptr);
  cuda::check(cudaDeviceSynchronize(), "droppedMass kernel");
  result.download(out, size_t(rows), "cudaMemcpy(out)");
}

}  // namespace prhs
