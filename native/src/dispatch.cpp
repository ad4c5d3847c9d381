// Picks the kernel build once per process: AVX-512 (F, BW, VL, DQ) when the CPU has it, else
// AVX2+FMA+F16C, else the baseline build; PRHS_NATIVE_ISA=avx2 or generic caps the choice. All give
// identical bits (native/test/kernelTests.cpp checks it).
#include <cstdlib>
#include <cstring>

#include "kernels.hpp"

namespace prhs {
namespace {

enum class Isa { generic, avx2, avx512 };

Isa pickIsa() {
#if defined(PRHS_HAS_AVX2_BUILD) && (defined(__GNUC__) || defined(__clang__))
  const char* forced = std::getenv("PRHS_NATIVE_ISA");
  if (forced && std::strcmp(forced, "generic") == 0) return Isa::generic;
  __builtin_cpu_init();
  if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")))
    return Isa::generic;
  if (forced && std::strcmp(forced, "avx2") == 0) return Isa::avx2;
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  return avx512 ? Isa::avx512 : Isa::avx2;
#else
  return Isa::generic;
#endif
}

const Isa kIsa = pickIsa();

}  // namespace

const char* activeIsa() { return kIsa == Isa::avx512 ? "avx512" : kIsa == Isa::avx2 ? "avx2" : "generic"; }

#if defined(PRHS_HAS_AVX2_BUILD)
#define PRHS_DISPATCH(call) (kIsa == Isa::avx512 ? avx512::call : kIsa == Isa::avx2 ? avx2::call : generic::call)
#else
#define PRHS_DISPATCH(call) (generic::call)
#endif

void scores(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale, float* out,
            float* scratch) {
  PRHS_DISPATCH(scores(dtype, query, keys, shape, scale, out, scratch));
}

void decodeAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, float* out, float* scratch) {
  PRHS_DISPATCH(decodeAttention(dtype, query, keys, values, shape, scale, out, scratch));
}

void sparseAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, const int32_t* indices, int64_t selected, float* out, float* scratch) {
  PRHS_DISPATCH(sparseAttention(dtype, query, keys, values, shape, scale, indices, selected, out, scratch));
}

void droppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale,
                 const int32_t* indices, int64_t selected, float* out, float* scratch, uint8_t* mask) {
  PRHS_DISPATCH(droppedMass(dtype, query, keys, shape, scale, indices, selected, out, scratch, mask));
}

}  // namespace prhs
