// Per-kernel-group GPU times of un-graphed decode steps (the decode benchmark's profile mode, no
// nsys or ncu needed): a CUDA event after each launch group, the time between two consecutive
// events charged to the group whose launches lie between them (so each group's time includes the
// launch gap before it). A spin kernel ahead of each profiled step keeps the GPU busy while the host
// enqueues the step, so host launch latency does not show up as GPU time.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "../cudaCheck.hpp"

namespace prhs {
namespace cuda {
namespace model {

struct KernelGroupTime {
  std::string group;
  double ms = 0;        // per step
  double launches = 0;  // marks per step
};

class StepProfiler {
 public:
  explicit StepProfiler(cudaStream_t stream) : stream_(stream) {}
  ~StepProfiler() {
    for (cudaEvent_t e : events_) cudaEventDestroy(e);
  }
  StepProfiler(const StepProfiler&) = delete;
  StepProfiler& operator=(const StepProfiler&) = delete;

  // The step's first event: what follows is charged to the next mark.
  void begin() {
    record();
    labels_.push_back(std::string());
  }
  void mark(const char* group) {
    record();
    labels_.push_back(group);
  }
  // After the stream is synchronised: adds the recorded steps' intervals to the totals, forgets them.
  void collect() {
    for (size_t i = 1; i < used_; ++i) {
      if (labels_[i].empty()) continue;  // the start of another step
      float ms = 0;
      check(cudaEventElapsedTime(&ms, events_[i - 1], events_[i]), "cudaEventElapsedTime (profile)");
      Total& t = totals_[labels_[i]];
      t.ms += ms;
      t.marks += 1;
      if (t.order < 0) t.order = int64_t(order_++);
    }
    used_ = 0;
    labels_.clear();
  }
  std::vector<KernelGroupTime> perStep(int steps) const {
    std::vector<KernelGroupTime> out(order_);
    for (const auto& [group, t] : totals_) out[size_t(t.order)] = {group, t.ms / steps, double(t.marks) / steps};
    return out;
  }

 private:
  struct Total {
    double ms = 0;
    int64_t marks = 0;
    int64_t order = -1;  // first appearance: groups are listed in step order
  };
  void record() {
    if (used_ == events_.size()) {
      cudaEvent_t e = nullptr;
      check(cudaEventCreate(&e), "cudaEventCreate (profile)");
      events_.push_back(e);
    }
    check(cudaEventRecord(events_[used_++], stream_), "cudaEventRecord (profile)");
  }

  cudaStream_t stream_;
  std::vector<cudaEvent_t> events_;
  std::vector<std::string> labels_;
  size_t used_ = 0;
  std::map<std::string, Total> totals_;
  size_t order_ = 0;
};

}  // namespace model
}  // namespace cuda
}  // namespace prhs
