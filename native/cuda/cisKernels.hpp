// Fused CIS selection (native/cuda/cis.cu): the device launcher (for the benchmark's graphs) and
// a host-array step (for the correctness check against src/selectors/cis.ts).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"

namespace prhs {
namespace cuda {

// Device state and outputs of CIS over `rows` (batch × query heads) rows, budget B.
struct CisParams {
  const float* query;    // [rows, headDim] this step's queries (fp32)
  float* anchorQuery;    // [rows, headDim] each row's anchor query
  double* anchorNorm;    // [rows] ‖anchor query‖ in float64
  uint8_t* anchored;     // [rows] 1 once a row has an anchor
  int32_t* ranking;      // [rows, B] the anchor's ranking (score desc, index asc)
  int32_t* rankingSize;  // [rows]
  const int32_t* fresh;  // [rows, freshStride] this step's exact top-min(B, N) (anchor phase)
  int64_t freshStride;
  uint8_t* reanchor;  // [rows] out (gate phase): 1 = the row must re-anchor (a retrieval)
  int32_t* indices;   // [rows, B] out: the kept set in the reference's order, −1 padded
  int32_t* sizes;     // [rows] out: min(B, N)
  int64_t rows, headDim, length, budget, sinks, window, dilated, radius;
  double gate;
  uint32_t tableSize;  // cisTableSize(...)
  // Lengths read on the device (the model engine's graph): when set, row r sees
  // lengths[r / rowsPerLength] + lengthOffset ≤ maxLength positions and `length` is unused.
  const int32_t* lengths = nullptr;
  int64_t rowsPerLength = 1, lengthOffset = 0, maxLength = 0;
};

// The largest set-building hash table kept whole in shared memory; a budget whose table is larger
// takes the tiled build, whose shared memory holds a bitmap of the visible positions.
constexpr size_t kCisMaxSharedTableBytes = 200 * 1024;
constexpr size_t kCisMaxTiledSharedBytes = 200 * 1024;
inline size_t cisTableBytes(uint32_t tableSize) { return size_t(tableSize) * 2 * sizeof(int32_t); }
// Whether a table of this size takes the tiled build, and the longest context that build can hold.
bool cisTiled(uint32_t tableSize);
int64_t cisMaxTiledLength();

uint32_t cisTableSize(int64_t budget, int64_t sinks, int64_t window, int64_t dilated, int64_t radius);
// phase 0: gate + set build of the rows that reuse; phase 1: anchor update + set build of the
// flagged rows (after their exact scores and top-k are in `fresh`).
void launchCis(const CisParams& p, int phase, cudaStream_t stream);

// The fields of one CIS step over `rows` rows of `length` positions: budget B, sinks, window,
// dilated (m), radius (r) and gate (τ), as cis.ts names them.
struct CisSelection {
  int64_t rows, headDim, length, budget, sinks, window, dilated, radius;
  double gate;
};

// The device state of CIS over `rows` rows with budget B: what a row keeps from step to step (its
// anchor query and norm, whether it has one, its ranking) and what a step writes (the re-anchor
// flags, the kept sets and their sizes).
struct CisDeviceState {
  CisDeviceState(int64_t rows, int64_t headDim, int64_t budget);
  // CisParams over this state for a step of `selection` on `query` [rows, headDim] (fp32), whose
  // re-anchoring rows take their ranking from `fresh` [rows, freshStride].
  CisParams params(const CisSelection& selection, const float* query, const int32_t* fresh, int64_t freshStride) const;

  DeviceBuffer<float> anchorQuery;  // [rows, headDim]
  DeviceBuffer<double> anchorNorm;  // [rows]
  DeviceBuffer<uint8_t> anchored;   // [rows]
  DeviceBuffer<int32_t> ranking;    // [rows, budget]
  DeviceBuffer<int32_t> rankingSize;
  DeviceBuffer<uint8_t> reanchor;  // [rows]
  DeviceBuffer<int32_t> indices;   // [rows, budget]
  DeviceBuffer<int32_t> sizes;     // [rows]
};

struct CisHostStep : CisSelection {
  const float* query;    // [rows, headDim]
  const float* scores;   // [rows, length] exact logits (used by the rows that re-anchor)
  float* anchorQuery;    // in/out
  double* anchorNorm;    // in/out
  uint8_t* anchored;     // in/out
  int32_t* ranking;      // in/out [rows, budget]
  int32_t* rankingSize;  // in/out
  uint8_t* reanchor;     // out
  int32_t* indices;      // out [rows, budget]
  int32_t* sizes;        // out
};
void cisStep(const CisHostStep& step);

}  // namespace cuda
}  // namespace prhs
