// Memory baselines for the CPU benchmark (bench/native-kernels.js): a plain memcpy, a cache
// eviction, and a load-only gather of listed rows. The benchmark evicts the caches before every
// timed call, so kernels and baselines alike start from DRAM, as a decode step does (between two
// steps of one head, every other layer and head has passed through the caches).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "kernels.hpp"
#include "prefetch.hpp"

namespace prhs {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;

// A zero-filled buffer on 2 MiB boundaries, advised for transparent huge pages when asked (before
// it is touched: pages already faulted in stay 4 KiB).
struct PageBuffer {
  unsigned char* data = nullptr;
  size_t bytes = 0;
  PageBuffer(size_t size, bool hugePages) : bytes(size) {
    const size_t rounded = (size + kHugePage - 1) / kHugePage * kHugePage;
    data = static_cast<unsigned char*>(std::aligned_alloc(kHugePage, rounded));
    if (!data) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (hugePages) madvise(data, rounded, MADV_HUGEPAGE);
#else
    (void)hugePages;
#endif
    std::memset(data, 0, size);
  }
  ~PageBuffer() { std::free(data); }
  PageBuffer(const PageBuffer&) = delete;
  PageBuffer& operator=(const PageBuffer&) = delete;
};

// Touches one word of every cache line of [begin, end): the line, not the word, is what moves.
inline uint64_t touchLines(const unsigned char* begin, const unsigned char* end) {
  uint64_t sum = 0;
  const uintptr_t first = reinterpret_cast<uintptr_t>(begin) & ~uintptr_t(63);
  for (uintptr_t line = first; line < reinterpret_cast<uintptr_t>(end); line += 64) {
    const unsigned char* at =
        line < reinterpret_cast<uintptr_t>(begin) ? begin : reinterpret_cast<const unsigned char*>(line);
    sum += *reinterpret_cast<const volatile unsigned char*>(at);
  }
  return sum;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

double evictCaches(size_t bytes) {
  // Kept between calls: allocating (and faulting in) hundreds of MiB per timed sample would cost
  // more than the read.
  static std::vector<unsigned char> buffer;
  if (buffer.size() < bytes) {
    buffer.assign(bytes, 1);
  }
  const auto start = std::chrono::steady_clock::now();
  const uint64_t sum = touchLines(buffer.data(), buffer.data() + bytes);
  asm volatile("" : : "r"(sum));
  return secondsSince(start);
}

double memcpySeconds(size_t bytes, int repeats, bool hugePages, size_t evictBytes) {
  PageBuffer source(bytes, hugePages), target(bytes, hugePages);
  for (size_t i = 0; i < bytes; i += 4096) source.data[i] = static_cast<unsigned char>(i >> 12);
  std::memcpy(target.data, source.data, bytes);  // warm-up
  std::vector<double> seconds;
  for (int r = 0; r < std::max(1, repeats); ++r) {
    if (evictBytes > 0) evictCaches(evictBytes);
    const auto start = std::chrono::steady_clock::now();
    std::memcpy(target.data, source.data, bytes);
    asm volatile("" : : "r"(target.data) : "memory");  // the copy must not be elided
    seconds.push_back(secondsSince(start));
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

double gatherSeconds(const unsigned char* base, size_t rowBytes, const int32_t* indices, size_t count,
                     size_t prefetchRows, size_t streams) {
  // Runs of `streams` blocks of kSumBlock positions, round robin one row at a time, each row
  // prefetched prefetchRows ahead in its block. Several streams keep more loads in flight than one
  // (bench/README.md: on 16-token pages this walk beats list order; the kernels walk paged lists as
  // two streams, since four or eight with their sums in memory were slower there).
  const size_t block = size_t(kSumBlock);
  const auto start = std::chrono::steady_clock::now();
  uint64_t sum = 0;
  for (size_t run = 0; run < count; run += streams * block) {
    for (size_t j = 0; j < block; ++j) {
      for (size_t s = 0; s < streams; ++s) {
        const size_t first = run + s * block;
        const size_t at = first + j;
        const size_t end = first + block < count ? first + block : count;
        if (at >= end) continue;
        if (prefetchRows > 0 && at + prefetchRows < end) {
          const unsigned char* ahead = base + size_t(indices[at + prefetchRows]) * rowBytes;
          prefetchLines(ahead, int64_t(rowBytes));
        }
        const unsigned char* row = base + size_t(indices[at]) * rowBytes;
        sum += touchLines(row, row + rowBytes);
      }
    }
  }
  asm volatile("" : : "r"(sum));
  return secondsSince(start);
}

}  // namespace prhs
