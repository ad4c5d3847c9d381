// What the group kernel (groupDecode.cu) and the sliced sparse kernel (sparseDecode.cu) share with
// the chunk kernel's order (attention.cu): their parameters' common fields, and the steps of one
// chunk: the key rows' loads for the logits, a thread's lane partials and their sum into one logit,
// the chunk's softmax by one warp, and the value rows' loads for the numerator. One definition each, so both
// kernels round identically (theory/kernel-error.md, "CUDA kernels"; groupDecode.cu explains the
// lane partials).
#pragma once
#include <cstdint>

#include "cudaKernels.hpp"
#include "decodeRows.cuh"

namespace prhs {
namespace cuda {

// The fields both kernels' parameters start with: one decode step over lists of listLength positions per
// (batch, query head) row, cut into chunks of kSumBlock positions.
struct ChunkParams {
  const void* query;    // [batch, queryHeads, headDim] storage dtype
  const void* keys;     // [batch, kvHeads, tokens, headDim]
  const void* values;   // [batch, kvHeads, tokens, valueDim]
  const int32_t* list;  // [rows, listLength] (-1 = padding), or nullptr (dense: positions 0..listLength-1)
  int64_t queryHeads, kvHeads, tokens, listLength;
  int headDim, valueDim, group;
  int keyLanes;    // R of the chunk kernel: lanes whose partials make one logit
  int valueLanes;  // lanes of the chunk kernel that share one value row
  int chunks;
  float scale;
  float* partial;  // [rows, chunks, valueDim + 2] split-KV partials in global memory, or nullptr
  float* out;      // [rows, valueDim]
};

// The common fields of a step over the first n positions of each list of `a` (partial unset).
inline ChunkParams chunkParams(const DeviceAttention& a, int64_t n, float* out) {
  const AttentionShape& s = a.shape;
  const int vec = a.dtype == Dtype::fp32 ? 4 : 8;  // elements per 16-byte vector
  ChunkParams p{};
  p.query = a.query;
  p.keys = a.keys;
  p.values = a.values;
  p.list = a.list;
  p.queryHeads = s.queryHeads;
  p.kvHeads = s.kvHeads;
  p.tokens = s.tokens;
  p.listLength = n;
  p.headDim = int(s.headDim);
  p.valueDim = int(s.valueDim);
  p.group = int(s.queryHeads / s.kvHeads);
  p.keyLanes = lanesForVectors(p.headDim / vec);
  p.valueLanes = lanesForVectors(p.valueDim / vec);
  p.chunks = int(chunkCount(n));
  p.scale = a.scale;
  p.out = out;
  return p;
}

// The list positions and query heads one block serves: chunk blockIdx.x of a list, for the query
// rows firstRow .. firstRow + heads − 1 that read KV cache `cache` (the chunk kernel's blocks serve
// at most G heads of a group, the group kernel's a whole group, one head with per-head lists).
struct ChunkBlock {
  int chunk;         // blockIdx.x
  int64_t start;     // the chunk's first list position, chunk · kSumBlock
  int len;           // its positions: min(kSumBlock, listLength − start)
  int heads;         // query heads served
  int64_t cache;     // the KV cache read: batch · kvHeads + kv head
  int64_t firstRow;  // the first query row: batch · queryHeads + first head
};

// Where a thread works in the logits: S threads per key row (thread s of them holds the lane
// partials of vectors s, s + S, ...), `slot` of `slots` key rows side by side, `vectors` 16-byte
// vectors per key row of headDim elements.
struct KeyLanes {
  int s, S, slot, slots, vectors, headDim;
};

// The raw 16-byte key vectors of U rows, row u being list position j0 + slot + u·slots (token[u]
// its token, −1 past the chunk's `len` positions or for a padded list entry), L vectors per row
// (s + S·i); zeros where there is no row or no vector.
template <typename E, int L, int U>
__device__ __forceinline__ void loadKeyRows(const E* K, const int* tokenOf, int len, int j0, const KeyLanes& k,
                                            int (&token)[U], uint4 (&raw)[U][L]) {
  constexpr int VEC = 16 / int(sizeof(E));
#pragma unroll
  for (int u = 0; u < U; ++u) {
    const int jl = j0 + k.slot + u * k.slots;
    token[u] = jl < len ? tokenOf[jl] : -1;
#pragma unroll
    for (int i = 0; i < L; ++i) {
      const int v = k.s + k.S * i;
      raw[u][i] = token[u] >= 0 && v < k.vectors ? loadRaw<E>(K + int64_t(token[u]) * k.headDim + v * VEC)
                                                 : make_uint4(0, 0, 0, 0);
    }
  }
}

// The raw key vectors widened to fp32, k[u][i][e] (the same values whenever the widening is issued).
template <typename E, int L, int U>
__device__ __forceinline__ void widenKeyRows(const uint4 (&raw)[U][L], float (&k)[U][L][16 / int(sizeof(E))]) {
#pragma unroll
  for (int u = 0; u < U; ++u)
#pragma unroll
    for (int i = 0; i < L; ++i) widenRaw<E, 16 / int(sizeof(E))>(raw[u][i], k[u][i]);
}

// VEC query elements (a 16-byte aligned run of the head's fp32 query in shared memory) into registers.
template <int VEC>
__device__ __forceinline__ void queryVector(const float* qs, float (&q)[VEC]) {
#pragma unroll
  for (int e = 0; e < VEC; e += 4) {
    const float4 q4 = *reinterpret_cast<const float4*>(qs + e);
    q[e] = q4.x;
    q[e + 1] = q4.y;
    q[e + 2] = q4.z;
    q[e + 3] = q4.w;
  }
}

// The lane partials of U key rows (widened) for one head's query qs [d] in shared memory:
// part[u][i] = the FMA chain from +0 over the VEC elements of vector v = s + S·i, in element order
// (the chunk kernel's lane); +0 where the row has no vector v.
template <int L, int U, int VEC>
__device__ __forceinline__ void lanePartials(const float* qs, const float (&k)[U][L][VEC], const KeyLanes& lanes,
                                             float (&part)[U][L]) {
#pragma unroll
  for (int i = 0; i < L; ++i) {
    const int v = lanes.s + lanes.S * i;
#pragma unroll
    for (int u = 0; u < U; ++u) part[u][i] = 0.f;
    if (v < lanes.vectors) {
      float q[VEC];
      queryVector<VEC>(qs + v * VEC, q);
#pragma unroll
      for (int e = 0; e < VEC; ++e)
#pragma unroll
        for (int u = 0; u < U; ++u) part[u][i] = fmaf(q[e], k[u][i][e], part[u][i]);
    }
  }
}

// The dot product of one key row from a thread's L lane partials: the chunk kernel's xor butterfly,
// its top levels inside the thread (lane l = s + S·i pairs with l ^ o, o ≥ S), the rest shuffles
// among the S threads of the row.
template <int L>
__device__ __forceinline__ float logitOfLanePartials(const float (&part)[L], int S) {
  static_assert(L == 1 || L == 2 || L == 4, "1, 2 or 4 lane partials per thread");
  float x;
  if constexpr (L == 4) {
    x = (part[0] + part[2]) + (part[1] + part[3]);
  } else if constexpr (L == 2) {
    x = part[0] + part[1];
  } else {
    x = part[0];
  }
  for (int o = S >> 1; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
  return x;
}

// The softmax of a chunk's logits z[0, len) by one warp (`lane` 0..31): the maximum (NaN never
// becomes it), then e^{z − max} in place and their sum, lane-strided, each reduced by an xor tree.
__device__ __forceinline__ void warpSoftmax(float* z, int len, int lane, float& maximum, float& sum) {
  float m = -INFINITY;
  for (int j = lane; j < len; j += 32) m = fmaxf(m, z[j]);
  for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
  float s = 0.f;
  for (int j = lane; j < len; j += 32) {
    const float e = expf(z[j] - m);
    z[j] = e;
    s += e;
  }
  for (int o = 16; o > 0; o >>= 1) s += __shfl_xor_sync(0xffffffffu, s, o);
  maximum = m;
  sum = s;
}

// Where a thread works in the numerator: team `team` of `teams` takes list positions team,
// team + teams, ...; its thread `vlane` holds value vector vlane of each row (`active`: the row has
// that vector).
struct ValueTeam {
  int teams, team, vlane;
  bool active;
};

// Thread t of a slice of `threads` threads in the numerator: valueLanes threads per value row of
// valueDim elements, `vec` elements per vector.
__device__ __forceinline__ ValueTeam valueTeamOf(int t, int threads, int valueLanes, int vec, int valueDim) {
  const int vlane = t % valueLanes;
  return ValueTeam{threads / valueLanes, t / valueLanes, vlane, vlane * vec < valueDim};
}

// The raw value vectors of NU rows, row u being list position jb + u·teams (zeros past the chunk's
// `len` positions, for a padded list entry, or where the thread has no vector).
template <typename E, int NU>
__device__ __forceinline__ void loadValueRows(const E* V, int valueDim, const int* tokenOf, int len, int jb,
                                              const ValueTeam& t, uint4 (&into)[NU]) {
  constexpr int VEC = 16 / int(sizeof(E));
#pragma unroll
  for (int u = 0; u < NU; ++u) {
    const int j = jb + u * t.teams;
    const int token = j < len ? tokenOf[j] : -1;
    into[u] =
        t.active && token >= 0 ? loadRaw<E>(V + int64_t(token) * valueDim + t.vlane * VEC) : make_uint4(0, 0, 0, 0);
  }
}

}  // namespace cuda
}  // namespace prhs
