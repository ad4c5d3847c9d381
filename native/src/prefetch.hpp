// Software prefetch of every cache line of a byte range, shared by the kernels (kernels.cpp) and the
// benchmark's gather ceiling (bandwidth.cpp). Internal linkage: each kernel build (generic, AVX2,
// AVX-512) owns its copy, so no object lends code compiled for another instruction set.
#pragma once
#include <cstdint>

namespace prhs {
namespace {

// On x86-64 the prefetch is a volatile asm statement: GCC 12 deletes __builtin_prefetch loops whose
// only effect is the hint (it did here, silently, in the sparse kernels).
inline void prefetchLines(const void* begin, int64_t bytes) {
  const uintptr_t first = reinterpret_cast<uintptr_t>(begin) & ~uintptr_t(63);
  const uintptr_t last = reinterpret_cast<uintptr_t>(begin) + uintptr_t(bytes) - 1;
  for (uintptr_t line = first; line <= last; line += 64) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    asm volatile("prefetcht0 %0" : : "m"(*reinterpret_cast<const char*>(line)));
#else
    __builtin_prefetch(reinterpret_cast<const char*>(line), 0, 3);
#endif
  }
}

}  // namespace
}  // namespace prhs
