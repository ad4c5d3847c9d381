// The two floors of a sparse decode step that bench/cuda measures beside the kernels: an empty
// kernel on the chunk kernel's grid (launch and block scheduling), and a load-only walk of the rows
// the step reads (each row's list, then every listed K and V row; no arithmetic, no barrier between
// K and V, no merge). Benchmark-only: nothing here computes attention.
#include <cstdint>

#include "cudaCheck.hpp"
#include "sparseDecode.hpp"

namespace prhs {
namespace cuda {
namespace {

constexpr int kThreads = 128;
constexpr int kInFlight = 16;  // 16-byte loads per thread issued before the first use

__global__ void emptyStep() {}

struct GatherParams {
  const uint4* keys;
  const uint4* values;
  const int32_t* list;  // [rows, n]
  int64_t queryHeads, kvHeads, tokens, n;
  int keyVectors, valueVectors;  // 16-byte vectors per K row and per V row
  unsigned* sink;
};

// Block (chunk, row): the chunk's list into shared memory, then all of its K and V vectors with
// kInFlight loads per thread in flight; the words are folded into one value so the loads stay.
__global__ void __launch_bounds__(kThreads) gatherOnly(GatherParams p) {
  __shared__ int tokenOf[kSumBlock];
  const int64_t row = blockIdx.y;
  const int64_t start = int64_t(blockIdx.x) * kSumBlock;
  const int len = int(p.n - start < kSumBlock ? p.n - start : int64_t(kSumBlock));
  const int32_t* list = p.list + row * p.n + start;
  for (int j = threadIdx.x; j < len; j += kThreads) tokenOf[j] = list[j];
  __syncthreads();
  const int64_t group = p.queryHeads / p.kvHeads;
  const int64_t cache = (row / p.queryHeads) * p.kvHeads + (row % p.queryHeads) / group;
  const uint4* K = p.keys + cache * p.tokens * p.keyVectors;
  const uint4* V = p.values + cache * p.tokens * p.valueVectors;
  const int keyTotal = len * p.keyVectors, total = keyTotal + len * p.valueVectors;
  unsigned x = 0;
  for (int i0 = threadIdx.x; i0 < total; i0 += kThreads * kInFlight) {
    uint4 v[kInFlight];
#pragma unroll
    for (int u = 0; u < kInFlight; ++u) {
      const int i = i0 + u * kThreads;
      v[u] = make_uint4(0, 0, 0, 0);
      if (i < keyTotal) {
        const int t = tokenOf[i / p.keyVectors];
        if (t >= 0) v[u] = K[int64_t(t) * p.keyVectors + i % p.keyVectors];
      } else if (i < total) {
        const int j = (i - keyTotal) / p.valueVectors;
        const int t = tokenOf[j];
        if (t >= 0) v[u] = V[int64_t(t) * p.valueVectors + (i - keyTotal) % p.valueVectors];
      }
    }
#pragma unroll
    for (int u = 0; u < kInFlight; ++u) x ^= v[u].x ^ v[u].y ^ v[u].z ^ v[u].w;
  }
  if (x == 0x9e3779b9u) *p.sink = x;  // practically never: keeps the loads alive
}

}  // namespace

void launchSparseEmptyStep(const DeviceAttention& a, cudaStream_t stream) {
  const int64_t rows = a.shape.batch * a.shape.queryHeads;
  emptyStep<<<dim3(unsigned(chunkCount(a.listLength)), unsigned(rows)), kThreads, 0, stream>>>();
  checkLaunch("empty sparse step launch");
}

bool launchSparseGatherOnly(const DeviceAttention& a, unsigned* sink, cudaStream_t stream) {
  const AttentionShape& s = a.shape;
  const int64_t e = a.dtype == Dtype::fp32 ? 4 : 2;
  const int64_t keyBytes = s.headDim * e, valueBytes = s.valueDim * e;
  if (a.list == nullptr || a.listLength < 1 || keyBytes % 16 != 0 || valueBytes % 16 != 0) return false;
  GatherParams p{};
  p.keys = static_cast<const uint4*>(a.keys);
  p.values = static_cast<const uint4*>(a.values);
  p.list = a.list;
  p.queryHeads = s.queryHeads;
  p.kvHeads = s.kvHeads;
  p.tokens = s.tokens;
  p.n = a.listLength;
  p.keyVectors = int(keyBytes / 16);
  p.valueVectors = int(valueBytes / 16);
  p.sink = sink;
  const int64_t rows = s.batch * s.queryHeads;
  gatherOnly<<<dim3(unsigned(chunkCount(a.listLength)), unsigned(rows)), kThreads, 0, stream>>>(p);
  checkLaunch("gather-only sparse step launch");
  return true;
}

}  // namespace cuda
}  // namespace prhs
