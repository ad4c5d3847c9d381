// Picks the kernel build once per process: AVX2+FMA+F16C when the CPU has them (and
// PRHS_NATIVE_ISA is not "generic"), the baseline build otherwise. Both give identical bits.
#include <cstdlib>
#include <cstring>

#include "kernels.hpp"

namespace prhs {
namespace {

bool useAvx2() {
#if defined(PRHS_HAS_AVX2_BUILD) && (defined(__GNUC__) || defined(__clang__))
  const char* forced = std::getenv("PRHS_NATIVE_ISA");
  if (forced && std::strcmp(forced, "generic") == 0) return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

const bool kAvx2 = useAvx2();

}  // namespace

const char* activeIsa() { return kAvx2 ? "avx2" : "generic"; }

#if defined(PRHS_HAS_AVX2_BUILD)
#define PRHS_DISPATCH(call) (kAvx2 ? avx2::call : generic::call)
#else
#define PRHS_DISPATCH(call) (generic::call)
#endif

void scores(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale, float* out,
            float* scratch) {
  PRHS_DISPATCH(scores(dtype, query, keys, shape, scale, out, scratch));
}

void decodeAttention(Dtype dtype, const void* query, const void* keys, const void* values,
                     const AttentionShape& shape, float scale, float* out, float* scratch) {
  PRHS_DISPATCH(decodeAttention(dtype, query, keys, values, shape, scale, out, scratch));
}

void sparseAttention(Dtype dtype, const void* query, const void* keys, const void* values,
                     const AttentionShape& shape, float scale, const int32_t* indices, int64_t selected, float* out,
                     float* scratch) {
  PRHS_DISPATCH(sparseAttention(dtype, query, keys, values, shape, scale, indices, selected, out, scratch));
}

void droppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale,
                 const int32_t* indices, int64_t selected, float* out, float* scratch, uint8_t* mask) {
  PRHS_DISPATCH(droppedMass(dtype, query, keys, shape, scale, indices, selected, out, scratch, mask));
}

}  // namespace prhs
