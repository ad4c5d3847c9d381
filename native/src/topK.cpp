// Exact top-k per row with a total order: every (score, index) pair maps to a distinct 64-bit key
// whose unsigned order is (score descending, index ascending) with NaN below every number and
// -0 == +0. Selection keeps a min-heap of the best k keys, so it is O(columns·log k) and exact at any row length.
#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

#include "kernels.hpp"
#include "mutants.hpp"

namespace prhs {
namespace {

// Monotone map from float to uint32 (larger float -> larger key); NaN -> 0, -0 -> key of +0.
inline uint32_t orderedScore(float value) {
  if (value != value) return 0u;
  if (value == 0.f) value = 0.f;
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  const uint32_t key = (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
  return key == 0u ? 1u : key;  // keep 0 for NaN (no float maps to 0 after this)
}

// Higher score first, then lower index first: the index enters inverted in the low bits (the
// wrong-tie-order mutant leaves it as is, so the higher index wins a tie).
inline uint32_t indexBits(uint32_t index) { return mutant(Mutant::kWrongTieOrder) ? index : 0xffffffffu - index; }

inline uint64_t rankKey(float score, int64_t index) {
  return (uint64_t(orderedScore(score)) << 32) | uint64_t(indexBits(uint32_t(index)));
}

inline int32_t keyIndex(uint64_t key) { return int32_t(indexBits(uint32_t(key & 0xffffffffu))); }

}  // namespace

void topK(const float* scores, int64_t rows, int64_t columns, int64_t k, int32_t* out) {
  if (k == 0) return;
  std::vector<uint64_t> heap;
  heap.reserve(size_t(k));
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = scores + r * columns;
    heap.clear();
    for (int64_t i = 0; i < columns; ++i) {
      const uint64_t key = rankKey(row[i], i);
      if (int64_t(heap.size()) < k) {
        heap.push_back(key);
        std::push_heap(heap.begin(), heap.end(), std::greater<uint64_t>());
      } else if (key > heap.front()) {
        std::pop_heap(heap.begin(), heap.end(), std::greater<uint64_t>());
        heap.back() = key;
        std::push_heap(heap.begin(), heap.end(), std::greater<uint64_t>());
      }
    }
    std::sort(heap.begin(), heap.end(), std::greater<uint64_t>());
    for (int64_t j = 0; j < k; ++j) out[r * k + j] = keyIndex(heap[size_t(j)]);
  }
}

}  // namespace prhs
