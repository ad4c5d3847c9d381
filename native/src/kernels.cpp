// Decode-time attention kernels, fp32 arithmetic over fp32/fp16/bf16 storage. This file is compiled
// once per instruction set: PRHS_ISA names the namespace (generic, avx2 or avx512). Everything here has
// internal linkage except the four entry points, and no standard-library template is instantiated,
// so the AVX2 object never lends code to the generic one.
//
// Arithmetic order is fixed by the source, not by the ISA (FMA contraction is off in every build),
// so the generic, AVX2 and AVX-512 builds return identical bits. The row primitives (rowMath.hpp) widen
// fp16/bf16 inside the dot product and the P·V update and work on four rows at a time, but each
// output element still sees exactly the operations theory/kernel-error.md counts, in list order.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.hpp"
#include "mutants.hpp"
#include "prefetch.hpp"
#include "rowMath.hpp"

#ifndef PRHS_ISA
#error "PRHS_ISA must name the kernel namespace (generic, avx2 or avx512)"
#endif

namespace prhs {
namespace PRHS_ISA {
namespace {

// Two access patterns (the measurements behind each choice: bench/README.md, "CPU kernel design
// notes"):
//  - a dense pass streams K (then V) in order, one row at a time, with a software prefetch
//    kPrefetchDistance rows ahead: the hardware prefetcher restarts at every 4 KiB page;
//  - a sparse pass gathers rows the hardware prefetcher cannot guess: every selected row is
//    prefetched kPrefetchDistance list positions ahead and rows are taken four at a time, so their
//    loads overlap. A list that runs through pages is walked as two streams (the logits take the
//    list's two halves side by side, the V pass two blocks side by side): two independent address
//    streams keep more loads in flight. Scattered lists stay in list order.
// The AVX-512 build also keeps the V block sum of one head (valueDim 128) in eight registers while
// the rows of a block stream past, one row at a time: no load and store of the sum per row, and
// the in-order access the prefetcher needs. Either way each output element sees the same
// operations in the same order.
constexpr int64_t kPrefetchDistance = 16;

// Prefetches row `position` of a dense pass, unless past the end.
template <typename E>
inline void prefetchDense(const E* base, int64_t position, int64_t n, int64_t rowLength) {
  if (position < n) prefetchLines(base + position * rowLength, rowLength * int64_t(sizeof(E)));
}

// Prefetches the row at list position `position`, unless past the end or padding.
template <typename E>
inline void prefetchListed(const E* base, const int32_t* list, int64_t position, int64_t n, int64_t rowLength) {
  if (position < n && list[position] >= 0)
    prefetchLines(base + int64_t(list[position]) * rowLength, rowLength * int64_t(sizeof(E)));
}

// Whether a list runs through consecutive tokens (pages, as Quest or the certified selector pick):
// at least half of its first 256 neighbouring pairs are t, t + 1. Such lists are walked as two
// streams (below); scattered lists in list order, which is faster for them.
inline bool runsThroughPages(const int32_t* list, int64_t n) {
  const int64_t pairs = n - 1 < 256 ? n - 1 : 256;
  int64_t consecutive = 0;
  for (int64_t j = 0; j < pairs; ++j) consecutive += list[j] >= 0 && list[j + 1] == list[j] + 1;
  return pairs > 0 && 2 * consecutive >= pairs;
}

// Logits of `group` query heads (rows of q, fp32) against n rows of one KV head:
// z[g·zStride + j] = fl(scale · fl(q_g·k_token)), token = list[j] (or j when list is null);
// a padding entry (-1) gets −∞. Gathered keys are taken four at a time so their loads and sums overlap.
template <Dtype D>
void logits(const float* q, int64_t group, const typename Storage<D>::Element* K, const int32_t* list, int64_t n,
            int64_t d, float scale, float* z, int64_t zStride, bool twoStreams = false) {
  using E = typename Storage<D>::Element;
  if (!list) {
    for (int64_t j = 0; j < n; ++j) {
      prefetchDense(K, j + kPrefetchDistance, n, d);
      for (int64_t g = 0; g < group; ++g) z[g * zStride + j] = scale * RowMath<D>::dot(q + g * d, K + j * d, d);
    }
    return;
  }
  // The listed row at position j alone (padding gets −∞).
  const auto one = [&](int64_t j) {
    const int64_t token = list[j];
    for (int64_t g = 0; g < group; ++g) {
      z[g * zStride + j] = token < 0 ? -INFINITY : scale * RowMath<D>::dot(q + g * d, K + token * d, d);
    }
  };
  // Four listed rows from position j, prefetching the rows kPrefetchDistance ahead (below limit).
  const auto four = [&](int64_t j, int64_t limit) {
    int64_t token[4];
    bool padded = false;
    for (int r = 0; r < 4; ++r) {
      token[r] = list[j + r];
      padded = padded || token[r] < 0;
    }
    for (int r = 0; r < 4; ++r) prefetchListed(K, list, j + kPrefetchDistance + r, limit, d);
    if (padded) {
      for (int r = 0; r < 4; ++r) one(j + r);
      return;
    }
    const E* rows[4] = {K + token[0] * d, K + token[1] * d, K + token[2] * d, K + token[3] * d};
    for (int64_t g = 0; g < group; ++g) RowMath<D>::logit4(q + g * d, rows, d, scale, z + g * zStride + j);
  };
  // Two streams: the list's two halves side by side, four rows of each in turn, keep more loads in
  // flight than one (logits do not depend on the order). One stream: half = 0.
  const int64_t half = twoStreams && n >= 64 ? n / 2 / 4 * 4 : 0;
  const int64_t secondEnd = half + (n - half) / 4 * 4;
  for (int64_t first = 0, second = half; first < half || second < secondEnd; first += 4, second += 4) {
    if (first < half) four(first, half);
    if (second < secondEnd) four(second, n);
  }
  for (int64_t j = secondEnd; j < n; ++j) one(j);
}

// One attendGroup call: `group` query heads that share one KV head, over `positions` list positions.
template <Dtype D>
struct GroupAttention {
  const float* query;                          // [group, headDim], already widened to fp32
  int64_t group;                               // query heads sharing the KV head
  const typename Storage<D>::Element* keys;    // [tokens, headDim] of the KV head
  const typename Storage<D>::Element* values;  // [tokens, valueDim] of the KV head
  const int32_t* list;  // [positions]: a token or -1 (padding, weight 0); nullptr = 0..positions-1
  int64_t positions;    // list length (tokens for a dense pass)
  int64_t headDim;
  int64_t valueDim;
  float scale;
};

// attendGroup's working memory, carved from the caller's scratch by carveGroupScratch (the layout
// attendScratchFloats in kernels.hpp sizes).
struct GroupScratch {
  float* z;            // [group, positions]: logits, then e_j = exp(z_j − max) in place
  float* total;        // [group, valueDim]: Σ over finished blocks of the block sums
  float* block;        // [group, valueDim]: the current block's Σ e_j v_j
  float* second;       // [group, valueDim]: the paired next block's sum (lists only), else nullptr
  float* denominator;  // [group]: Σ e_j, block sums added in order
  float* maximum;      // [group]: max_j z_j
  float* query;        // [group, headDim]: the widened query rows
};

inline GroupScratch carveGroupScratch(float* scratch, int64_t group, int64_t positions, int64_t valueDim,
                                      bool withSecond) {
  GroupScratch w{};
  w.z = scratch;
  w.total = w.z + group * positions;
  w.block = w.total + group * valueDim;
  w.second = withSecond ? w.block + group * valueDim : nullptr;
  w.denominator = w.block + (withSecond ? 2 : 1) * group * valueDim;
  w.maximum = w.denominator + group;
  w.query = w.maximum + group;
  return w;
}

// Pass 1: logits (K read once for the whole group) and their maximum per head; the sums cleared.
template <Dtype D>
void startGroup(const GroupAttention<D>& a, const GroupScratch& w, bool twoStreams) {
  const int64_t n = a.positions;
  logits<D>(a.query, a.group, a.keys, a.list, n, a.headDim, a.scale, w.z, n, twoStreams);
  for (int64_t g = 0; g < a.group; ++g) {
    w.maximum[g] = -INFINITY;
    for (int64_t j = 0; j < n; ++j) {
      if (w.z[g * n + j] > w.maximum[g]) w.maximum[g] = w.z[g * n + j];
    }
    w.denominator[g] = 0.f;
  }
  for (int64_t i = 0; i < a.group * a.valueDim; ++i) {
    w.total[i] = 0.f;
    w.block[i] = 0.f;
    if (w.second) w.second[i] = 0.f;
  }
}

// Pass 2 of attendGroup, one block of kSumBlock positions at a time: e_j = exp(z_j − max) in place
// and their block sum, added to the denominator; then the block's share of the numerator Σ e_j v_j
// (V is read once), block[c] += e_j·v_jc in list order (gathered rows four at a time, sharing one
// load and store of block), added to the total. Taking the exponentials block by block, just
// before the block's V rows, keeps V loads in flight while they are computed (a separate
// exponential pass left memory idle meanwhile); every sum runs over the same terms in the same
// order as in two separate passes. Rows of a list that runs through pages go two blocks side
// by side where there is a next block (two address streams, as for the logits): the next
// block's exponentials are then taken right after this block's, so the denominator still adds
// block sums in order, and its sum is kept in `second` until this block's is added to the total.
// The steps below share the group's tensors (shapes in GroupAttention and GroupScratch).
template <Dtype D>
struct GroupBlocks {
  using E = typename Storage<D>::Element;
  const int64_t group, n, dv;
  const int32_t* list;  // [n] or nullptr (dense)
  const E* V;           // [tokens, dv]
  float *z, *total, *block, *second, *denominator;
  const float* maximum;
  const bool twoStreams;

  // The end of the block of kSumBlock positions that position j lies in.
  int64_t endOfBlock(int64_t j) const {
    return (j / kSumBlock + 1) * kSumBlock < n ? (j / kSumBlock + 1) * kSumBlock : n;
  }
  // e_i = exp(z_i − max) in place, for head g: the one definition every step uses.
  float exponentiate(int64_t g, int64_t i) const {
    return z[g * n + i] = ::expf(z[g * n + i] - (mutant(Mutant::kNoMaxSubtraction) ? 0.f : maximum[g]));
  }
  void takeExponentials(int64_t from, int64_t to) const {
    for (int64_t g = 0; g < group; ++g) {
      float partial = 0.f;
      for (int64_t i = from; i < to; ++i) partial += exponentiate(g, i);
      denominator[g] += partial;
    }
  }
  void finishFirstOfPair() const {
    for (int64_t i = 0; i < group * dv; ++i) {
      total[i] += block[i];
      block[i] = second[i];  // the second block's sum, added to the total at the end of the step
      second[i] = 0.f;
    }
  }
  void finishBlock() const {
    for (int64_t i = 0; i < group * dv; ++i) {
      total[i] += block[i];
      block[i] = 0.f;
    }
  }
  // Listed rows j..j+3 (one load and store of `sum` per element for the four) into `sum`
  // [group, dv]. Zero weight or padding skips a row, as the float64 reference does.
  void listedFour(int64_t j, float* sum) const {
    for (int r = 0; r < 4; ++r) prefetchListed(V, list, j + kPrefetchDistance + r, n, dv);
    const E* rows[4];
    for (int r = 0; r < 4; ++r) rows[r] = list[j + r] < 0 ? nullptr : V + int64_t(list[j + r]) * dv;
    for (int64_t g = 0; g < group; ++g) {
      const float* e = z + g * n + j;
      if (rows[0] && rows[1] && rows[2] && rows[3] && e[0] != 0.f && e[1] != 0.f && e[2] != 0.f && e[3] != 0.f) {
        RowMath<D>::accumulate4(sum + g * dv, e, rows, dv);
        continue;
      }
      for (int r = 0; r < 4; ++r) {
        if (rows[r] && e[r] != 0.f) RowMath<D>::accumulate(sum + g * dv, e[r], rows[r], dv);
      }
    }
  }
  // Listed row j alone, into `sum` [group, dv].
  void listedOne(int64_t j, float* sum) const {
    const int64_t token = list[j];
    if (token < 0) return;
    for (int64_t g = 0; g < group; ++g) {
      const float e = z[g * n + j];
      if (e != 0.f) RowMath<D>::accumulate(sum + g * dv, e, V + token * dv, dv);
    }
  }
  // Dense rows j..blockEnd-1 into block; returns blockEnd.
  int64_t denseRows(int64_t j, int64_t blockEnd) const {
    for (; j < blockEnd; ++j) {
      prefetchDense(V, j + kPrefetchDistance, n, dv);
      for (int64_t g = 0; g < group; ++g) {
        const float e = z[g * n + j];
        if (e != 0.f)
          RowMath<D>::accumulate(block + g * dv, e, V + j * dv,
                                 dv);  // zero weight: skipped, as the float64 reference does
      }
    }
    return j;
  }
  // Listed rows j..blockEnd-1 into block and the whole next block into second, side by side; both
  // added to the total. Returns the next block's end.
  int64_t listedPair(int64_t j, int64_t blockEnd) const {
    const int64_t nextEnd = endOfBlock(blockEnd);
    takeExponentials(blockEnd, nextEnd);
    // Whole fours of each block side by side, then each block's remaining rows (the order a
    // block sees alone).
    const int64_t fours = blockEnd - (blockEnd - j) % 4, nextFours = nextEnd - (nextEnd - blockEnd) % 4;
    int64_t other = blockEnd + (mutant(Mutant::kPageOffByOne) ? 1 : 0);
    while (j < fours || other < nextFours) {
      if (j < fours) listedFour(j, block), j += 4;
      if (other < nextFours) listedFour(other, second), other += 4;
    }
    for (; j < blockEnd; ++j) listedOne(j, block);
    for (; other < nextEnd; ++other) listedOne(other, second);
    finishFirstOfPair();
    return nextEnd;
  }
  // Listed rows j..blockEnd-1 into block; returns blockEnd.
  int64_t listedRows(int64_t j, int64_t blockEnd) const {
    for (; j + 4 <= blockEnd; j += 4) listedFour(j, block);
    for (; j < blockEnd; ++j) listedOne(j, block);
    return j;
  }
#if defined(PRHS_AVX512)
  // One head, 128 values: block sums stay in registers while the rows stream past. From position j
  // of the block ending at blockEnd; returns where the block loop goes on (exponentiated: z[0,
  // exponentiated) already holds e_j).
  int64_t rows128(int64_t j, int64_t blockEnd, int64_t& exponentiated) const {
    const int64_t start = j;
    const auto listed = [&](int64_t position) -> const E* {
      prefetchListed(V, list, position + kPrefetchDistance, n, dv);
      const int32_t token = list[position];
      return token < 0 ? nullptr : V + int64_t(token) * dv;
    };
    if (!list) {
      // The next block's exponentials, one per row while this block's rows stream past: the
      // scalar expf calls then run in the shadow of the V loads instead of between two blocks
      // with memory idle. z[i] and the block's partial sum see the same operations in the same
      // order, and the partial is added to the denominator after this block's, as before.
      const int64_t nextEnd = blockEnd < n ? endOfBlock(blockEnd) : n;
      int64_t next = blockEnd;
      float nextPartial = 0.f;
      RowMath<D>::accumulateRun128(block, z + j, blockEnd - j, [&](int64_t r) {
        prefetchDense(V, start + r + kPrefetchDistance, n, dv);
        if (next < nextEnd) nextPartial += exponentiate(0, next++);
        return V + (start + r) * dv;
      });
      while (next < nextEnd) nextPartial += exponentiate(0, next++);
      if (nextEnd > blockEnd) denominator[0] += nextPartial;
      exponentiated = nextEnd;
      return blockEnd;
    }
    if (blockEnd == n || !twoStreams) {
      RowMath<D>::accumulateRun128(block, z + j, blockEnd - j, [&](int64_t r) { return listed(start + r); });
      return blockEnd;
    }
    const int64_t nextEnd = endOfBlock(blockEnd);
    takeExponentials(blockEnd, nextEnd);
    RowMath<D>::accumulatePair128(
        block, second, z + j, blockEnd - j, z + blockEnd, nextEnd - blockEnd,
        [&](int64_t r) { return listed(start + r); }, [&](int64_t r) { return listed(blockEnd + r); });
    finishFirstOfPair();
    return nextEnd;
  }
#endif
};

// Attention of a.group query heads over a.positions list positions of one KV head, into out
// [group, valueDim]: out = Σ_j e_j v_j / Σ_j e_j, both sums in blocks of kSumBlock positions.
template <Dtype D>
void attendGroup(const GroupAttention<D>& a, const GroupScratch& w, float* out) {
  const int64_t group = a.group, n = a.positions, dv = a.valueDim;
  const bool twoStreams = a.list && runsThroughPages(a.list, n);
  startGroup<D>(a, w, twoStreams);
  const GroupBlocks<D> s{group,   n,       dv,       a.list,        a.values,  w.z,
                         w.total, w.block, w.second, w.denominator, w.maximum, twoStreams};
  int64_t exponentiated = 0;  // z[0, exponentiated) already holds e_j (the dense path takes them a block ahead)
  for (int64_t j = 0; j < n;) {
    const int64_t blockEnd = s.endOfBlock(j);
    if (exponentiated < blockEnd) {
      s.takeExponentials(j, blockEnd);
      exponentiated = blockEnd;
    }
#if defined(PRHS_AVX512)
    if (group == 1 && dv == 128) j = s.rows128(j, blockEnd, exponentiated);
#endif
    if (!s.list) j = s.denseRows(j, blockEnd);
    if (twoStreams && j < blockEnd && blockEnd < n) j = s.listedPair(j, blockEnd);
    if (s.list) j = s.listedRows(j, blockEnd);
    s.finishBlock();
  }
  for (int64_t g = 0; g < group; ++g) {
    for (int64_t c = 0; c < dv; ++c) out[g * dv + c] = w.total[g * dv + c] / w.denominator[g];
  }
}

template <Dtype D>
void widenQueries(const typename Storage<D>::Element* query, int64_t count, int64_t d, float* out) {
  for (int64_t i = 0; i < count * d; ++i) out[i] = Storage<D>::widen(query + i);
}

template <Dtype D>
void scoresTyped(const void* queryData, const void* keyData, const AttentionShape& s, float scale, float* out,
                 float* scratch) {
  using E = typename Storage<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const int64_t group = s.queryHeads / s.kvHeads;
  float* q = scratch;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t kv = 0; kv < s.kvHeads; ++kv) {
      const int64_t firstHead = kv * group;
      widenQueries<D>(query + (b * s.queryHeads + firstHead) * s.headDim, group, s.headDim, q);
      const E* K = keys + (b * s.kvHeads + kv) * s.tokens * s.headDim;
      logits<D>(q, group, K, nullptr, s.tokens, s.headDim, scale, out + (b * s.queryHeads + firstHead) * s.tokens,
                s.tokens);
    }
  }
}

template <Dtype D>
void decodeTyped(const void* queryData, const void* keyData, const void* valueData, const AttentionShape& s,
                 float scale, float* out, float* scratch) {
  using E = typename Storage<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const E* values = static_cast<const E*>(valueData);
  const int64_t group = s.queryHeads / s.kvHeads;
  const GroupScratch w = carveGroupScratch(scratch, group, s.tokens, s.valueDim, false);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t kv = 0; kv < s.kvHeads; ++kv) {
      const int64_t firstHead = kv * group;
      widenQueries<D>(query + (b * s.queryHeads + firstHead) * s.headDim, group, s.headDim, w.query);
      const int64_t cache = b * s.kvHeads + kv;
      const GroupAttention<D> a{w.query,
                                group,
                                keys + cache * s.tokens * s.headDim,
                                values + cache * s.tokens * s.valueDim,
                                nullptr,
                                s.tokens,
                                s.headDim,
                                s.valueDim,
                                scale};
      attendGroup<D>(a, w, out + (b * s.queryHeads + firstHead) * s.valueDim);
    }
  }
}

template <Dtype D>
void sparseTyped(const void* queryData, const void* keyData, const void* valueData, const AttentionShape& s,
                 float scale, const int32_t* indices, int64_t selected, float* out, float* scratch) {
  using E = typename Storage<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const E* values = static_cast<const E*>(valueData);
  const int64_t group = s.queryHeads / s.kvHeads;
  const GroupScratch w = carveGroupScratch(scratch, 1, selected, s.valueDim, true);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.queryHeads; ++h) {
      widenQueries<D>(query + (b * s.queryHeads + h) * s.headDim, 1, s.headDim, w.query);
      const int64_t cache = b * s.kvHeads + h / group;
      const GroupAttention<D> a{w.query,
                                1,
                                keys + cache * s.tokens * s.headDim,
                                values + cache * s.tokens * s.valueDim,
                                indices + (b * s.queryHeads + h) * selected,
                                selected,
                                s.headDim,
                                s.valueDim,
                                scale};
      attendGroup<D>(a, w, out + (b * s.queryHeads + h) * s.valueDim);
    }
  }
}

template <Dtype D>
void droppedTyped(const void* queryData, const void* keyData, const AttentionShape& s, float scale,
                  const int32_t* indices, int64_t selected, float* out, float* scratch, uint8_t* mask) {
  using E = typename Storage<D>::Element;
  const E* query = static_cast<const E*>(queryData);
  const E* keys = static_cast<const E*>(keyData);
  const int64_t group = s.queryHeads / s.kvHeads;
  const int64_t n = s.tokens;
  float* z = scratch;
  float* q = z + n;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.queryHeads; ++h) {
      widenQueries<D>(query + (b * s.queryHeads + h) * s.headDim, 1, s.headDim, q);
      const E* K = keys + (b * s.kvHeads + h / group) * n * s.headDim;
      logits<D>(q, 1, K, nullptr, n, s.headDim, scale, z, n);
      float maximum = -INFINITY;
      for (int64_t i = 0; i < n; ++i) {
        if (z[i] > maximum) maximum = z[i];
      }
      const int32_t* kept = indices + (b * s.queryHeads + h) * selected;
      for (int64_t j = 0; j < selected; ++j) {
        if (kept[j] >= 0) mask[kept[j]] = 1;
      }
      float sum = 0.f, partial = 0.f, dropped = 0.f, droppedPartial = 0.f;
      const int64_t end = mutant(Mutant::kSkipLastElement) ? n - 1 : n;
      for (int64_t i = 0; i < end; ++i) {
        const float e = ::expf(z[i] - (mutant(Mutant::kNoMaxSubtraction) ? 0.f : maximum));
        partial += e;
        if (!mask[i]) droppedPartial += e;
        if ((i + 1) % kSumBlock == 0 || i + 1 == end) {
          sum += partial;
          dropped += droppedPartial;
          partial = 0.f;
          droppedPartial = 0.f;
        }
      }
      out[b * s.queryHeads + h] = dropped / sum;
      for (int64_t j = 0; j < selected; ++j) {
        if (kept[j] >= 0) mask[kept[j]] = 0;
      }
    }
  }
}

}  // namespace

void scores(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale, float* out,
            float* scratch) {
  switch (dtype) {
    case Dtype::fp32: return scoresTyped<Dtype::fp32>(query, keys, shape, scale, out, scratch);
    case Dtype::fp16: return scoresTyped<Dtype::fp16>(query, keys, shape, scale, out, scratch);
    case Dtype::bf16: return scoresTyped<Dtype::bf16>(query, keys, shape, scale, out, scratch);
  }
}

void decodeAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, float* out, float* scratch) {
  switch (dtype) {
    case Dtype::fp32: return decodeTyped<Dtype::fp32>(query, keys, values, shape, scale, out, scratch);
    case Dtype::fp16: return decodeTyped<Dtype::fp16>(query, keys, values, shape, scale, out, scratch);
    case Dtype::bf16: return decodeTyped<Dtype::bf16>(query, keys, values, shape, scale, out, scratch);
  }
}

void sparseAttention(Dtype dtype, const void* query, const void* keys, const void* values, const AttentionShape& shape,
                     float scale, const int32_t* indices, int64_t selected, float* out, float* scratch) {
  switch (dtype) {
    case Dtype::fp32:
      return sparseTyped<Dtype::fp32>(query, keys, values, shape, scale, indices, selected, out, scratch);
    case Dtype::fp16:
      return sparseTyped<Dtype::fp16>(query, keys, values, shape, scale, indices, selected, out, scratch);
    case Dtype::bf16:
      return sparseTyped<Dtype::bf16>(query, keys, values, shape, scale, indices, selected, out, scratch);
  }
}

void droppedMass(Dtype dtype, const void* query, const void* keys, const AttentionShape& shape, float scale,
                 const int32_t* indices, int64_t selected, float* out, float* scratch, uint8_t* mask) {
  switch (dtype) {
    case Dtype::fp32:
      return droppedTyped<Dtype::fp32>(query, keys, shape, scale, indices, selected, out, scratch, mask);
    case Dtype::fp16:
      return droppedTyped<Dtype::fp16>(query, keys, shape, scale, indices, selected, out, scratch, mask);
    case Dtype::bf16:
      return droppedTyped<Dtype::bf16>(query, keys, shape, scale, indices, selected, out, scratch, mask);
  }
}

}  // namespace PRHS_ISA
}  // namespace prhs
