// The attention entry points' shared arguments: the shape (Layout) and the index lists.
// Part of the N-API binding (binding.cpp), which includes it into its one translation unit.
#pragma once

#include <string>
#include <vector>

#include "scalarArguments.hpp"

namespace {

struct Layout {
  Dtype dtype;
  AttentionShape shape;
};

Layout attentionLayout(const Options& options, bool withValues) {
  Layout layout{};
  layout.dtype = dtypeOf(options);
  AttentionShape& s = layout.shape;
  s.batch = integer(options, "batch", 1, kMaxDim);
  s.queryHeads = integer(options, "queryHeads", 1, kMaxDim);
  s.kvHeads = integer(options, "kvHeads", 1, kMaxDim);
  if (s.queryHeads % s.kvHeads != 0) {
    reject(true, "kvHeads", "a divisor of queryHeads (" + std::to_string(s.queryHeads) + ")",
           std::to_string(s.kvHeads));
  }
  s.tokens = integer(options, "tokens", 1, kMaxTokens);
  s.headDim = integer(options, "headDim", 1, kMaxDim);
  s.valueDim = withValues ? integer(options, "valueDim", 1, kMaxDim) : 1;
  if (prhs::denseScratchFloats(s) > kMaxScratchFloats || s.tokens > kMaxScratchFloats / (s.queryHeads / s.kvHeads)) {
    reject(true, "tokens", "(queryHeads / kvHeads) × tokens below 2^31", "a larger product");
  }
  return layout;
}

// Validates indices [batch, queryHeads, selected]: each entry in [0, tokens) or -1 (padding), no
// duplicate within a row, and (when requireOne) at least one real index per row.
// A row whose real indices are in range and strictly increasing (the usual, sorted selection) is
// accepted in one sequential pass; any other row is checked position by position with a stamp
// per token, allocated only then (4 bytes per token: too costly to build for every call).
void checkIndices(const int32_t* indices, int64_t rows, int64_t selected, int64_t tokens, bool requireOne) {
  std::vector<uint32_t> stamp;
  for (int64_t r = 0; r < rows; ++r) {
    const int32_t* row = indices + r * selected;
    int64_t real = 0;
    int64_t previous = -1;
    bool sorted = true;
    for (int64_t j = 0; j < selected && sorted; ++j) {
      const int64_t i = row[j];
      if (i == -1) continue;
      sorted = i > previous && i < tokens;
      previous = i;
      ++real;
    }
    if (!sorted) {
      if (stamp.empty()) stamp.assign(size_t(tokens), 0);
      real = 0;
      for (int64_t j = 0; j < selected; ++j) {
        const int32_t i = row[j];
        if (i == -1) continue;
        // The argument's name is built only on the error path: this loop runs once per index.
        const auto where = [&] { return "indices[" + std::to_string(r * selected + j) + "]"; };
        if (i < 0 || i >= tokens) {
          reject(true, where(), "an index in [0, " + std::to_string(tokens) + ") or -1 (padding)", std::to_string(i));
        }
        if (stamp[size_t(i)] == uint32_t(r + 1))
          reject(true, where(), "distinct indices within a row", "a duplicate of " + std::to_string(i));
        stamp[size_t(i)] = uint32_t(r + 1);
        ++real;
      }
    }
    if (requireOne && real == 0) {
      reject(true, "indices", "at least one index that is not -1 in every (batch, head) row",
             "row " + std::to_string(r) + " with none");
    }
  }
}

}  // namespace
