// The timing entry point (bench/cuda): device-resident seeded inputs, CUDA-graph launches, CUDA
// events around each replay, medians. Nothing here is used by the correctness entry points.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../src/kernels.hpp"

namespace prhs {
namespace cuda {

struct BenchConfig {
  Dtype dtype;
  AttentionShape shape;  // valueDim = headDim
  int64_t selected;      // k of the sparse list and of top-k
  int repeats;
  int64_t copyBytes;  // size of the D2D copy that measures the card's copy bandwidth
  bool flushL2;       // overwrite a buffer twice the L2 size before each timed replay
  uint32_t seed;
  bool decodeOnly;  // the sweep: copy and the dense decode variants only (no selection, CIS, V1)
};

struct BenchTiming {
  std::string name;
  double medianMs;
  double minMs;
  double bytes;  // fewest bytes the variant must move (read + write)
};

struct DeviceDescription {
  std::string name;
  int major = 0, minor = 0, multiprocessors = 0, l2Bytes = 0, clockKHz = 0, memoryClockKHz = 0, busWidth = 0;
  int driverVersion = 0, runtimeVersion = 0;
  size_t totalMemory = 0;
};

std::vector<BenchTiming> runBenchmark(const BenchConfig& config);

}  // namespace cuda

// Seconds per device-to-device copy of `bytes` bytes: the median of `repeats` timed copies after
// one warm-up (the card's copy bandwidth; the host counterpart is in native/src/kernels.hpp).
double memcpySeconds(size_t bytes, int repeats);

namespace cuda {
DeviceDescription describeDevice();  // throws CudaError when there is no usable device

}  // namespace cuda
}  // namespace prhs
