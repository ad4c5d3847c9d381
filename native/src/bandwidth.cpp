// The copy-bandwidth baseline for the benchmarks: plain memcpy between two warmed buffers.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include "kernels.hpp"

namespace prhs {

double memcpySeconds(size_t bytes, int repeats) {
  std::vector<unsigned char> source(bytes, 1), target(bytes, 0);
  for (size_t i = 0; i < bytes; i += 4096) source[i] = static_cast<unsigned char>(i >> 12);
  std::memcpy(target.data(), source.data(), bytes);  // warm-up: fault in both buffers
  std::vector<double> seconds;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    const auto start = std::chrono::steady_clock::now();
    std::memcpy(target.data(), source.data(), bytes);
    asm volatile("" : : "r"(target.data()) : "memory");  // the copy must not be elided
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace prhs
