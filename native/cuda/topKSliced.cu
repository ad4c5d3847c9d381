// The sliced exact top-k (cudaKernels.hpp, launchTopKSliced): the output of launchTopKListed, key
// for key (topKKeys.cuh: score descending, index ascending, NaN lowest, -0 == +0), with each long
// row shared by many blocks, so that a step with few rows (batch 1: as many rows as KV heads) still
// fills the card.
//
// A row of n scores is cut into `slices` contiguous slices, one block per (row, slice).
//   1. Three radix-select passes over the 32-bit score keys (bits 31–20, 19–8, 7–0). Each block
//      counts its slice's digits in a shared histogram (lanes with the same digit are added once,
//      by __match_any_sync, so a row whose scores share their top bits does not serialise on one
//      bin) and adds it to the row's histogram in global memory; the last block of the row to
//      arrive (a counter per row and pass) finds the digit of the k-th largest key T, writes the
//      prefix and the count of keys equal to T still to take, and clears the histogram. After the
//      first pass it also lays out the row's kept keys by their top 12 bits: bucket d starts after
//      every kept key of a larger top digit, and buckets are grouped into segments of about
//      segmentKeys keys (a segment is a run of whole buckets, so sorting each segment sorts the row).
//      The third pass also keeps each slice's 256-bin histogram, so that the collect can count keys
//      equal to T in earlier slices.
//   2. Collect: every key above T goes to its bucket (a per-bucket cursor, one atomic per group of
//      lanes with the same bucket); of the keys equal to T the lowest indices are taken, ranked
//      across slices by the earlier slices' counts and within a slice by an ordered scan (only
//      slices that hold such a key run it).
//   3. Sort: one block per (row, segment) sorts the segment's keys (bitonic, in shared memory up to
//      kSortSharedKeys, its strides below 32 by warp shuffles) and writes their indices; unranked
//      (the caller needs only the set) it writes them in bucket order. It also clears the bucket
//      cursors it used.
// Every kernel has a fixed grid over (listed row, slice or segment) items and reads the row list
// and the lengths on the device, so the launches are captured in a CUDA graph. Every launch leaves
// the histograms, counters and cursors zero, so the workspace is cleared only once.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "cudaCheck.hpp"
#include "cudaKernels.hpp"
#include "deviceAttributes.hpp"
#include "orderedRank.cuh"
#include "topKKeys.cuh"

namespace prhs {
namespace cuda {
namespace {

constexpr int kPassThreads = 512;
constexpr int kPassWarps = kPassThreads / 32;
constexpr int kUnroll = 4;  // scores each thread loads before counting them
constexpr int kTopBits = 12;
constexpr int kTopBins = 1 << kTopBits;
constexpr int kTopShift = 32 - kTopBits;
constexpr int kLowBins = 256;
constexpr uint32_t kNoDigit = 0xffffffffu;
// Per row: arrival counters of the three passes, T's prefix so far, keys equal to it still to take.
constexpr int kControlWords = 8;
constexpr int kPrefixWord = 3;
constexpr int kRemainWord = 4;
constexpr int64_t kMinSlice = 2048;  // scores per slice at least (shorter rows take fewer slices)
constexpr int64_t kPassBlocksPerSm = 4;
constexpr int64_t kMaxSegments = 64;
constexpr int64_t kMinSegmentKeys = 1024;
constexpr int kSortThreads = 1024;
constexpr int64_t kSortBlocksPerSm = 2;
constexpr int64_t kSortSharedKeys = 16384;  // 128 KiB of keys (opt-in shared memory)

// Device pointers into the workspace and the shape, passed by value to every kernel.
struct SlicedArgs {
  TopKListedParams p;
  int64_t slices, segments, segmentKeys, scratchStride;
  uint32_t* hist;        // [rows, kTopBins] (the third pass uses the first kLowBins)
  uint32_t* cursor;      // [rows, kTopBins] keys placed in each bucket so far
  uint32_t* control;     // [rows, kControlWords]
  int32_t* bucketStart;  // [rows, kTopBins] first output slot of each kept bucket
  int32_t* segStart;     // [rows, segments + 1] first slot of each segment; the last entry is k
  uint32_t* sliceHist;   // [rows, slices, kLowBins] the third pass's histogram of each slice
  uint64_t* keys;        // [rows, budget] the kept keys, placed by bucket
  uint64_t* scratch;     // [sortBlocks, scratchStride] segments too long for shared memory
};

struct Layout {
  size_t hist = 0, cursor = 0, control = 0, zeroed = 0, bucketStart = 0, segStart = 0, sliceHist = 0, keys = 0,
         scratch = 0, total = 0;
};

int64_t scratchStrideOf(const TopKSlicedShape& s) {
  return paddedLength(s.budget) > kSortSharedKeys ? paddedLength(s.budget) : 0;
}

// 256-byte aligned regions; the first three must be zero when a launch starts.
Layout layoutOf(const TopKSlicedShape& s) {
  Layout l;
  size_t at = 0;
  auto take = [&at](int64_t bytes) {
    const size_t here = at;
    at += (size_t(bytes) + 255) / 256 * 256;
    return here;
  };
  l.hist = take(s.rows * kTopBins * 4);
  l.cursor = take(s.rows * kTopBins * 4);
  l.control = take(s.rows * kControlWords * 4);
  l.zeroed = at;
  l.bucketStart = take(s.rows * kTopBins * 4);
  l.segStart = take(s.rows * (s.segments + 1) * 4);
  l.sliceHist = take(s.rows * s.slices * kLowBins * 4);
  l.keys = take(s.rows * s.budget * 8);
  l.scratch = take(s.sortBlocks * scratchStrideOf(s) * 8);
  l.total = at;
  return l;
}

__device__ __forceinline__ int64_t listedRows(const TopKListedParams& p) {
  return p.rowCount ? int64_t(*p.rowCount) : p.rows;
}
__device__ __forceinline__ int64_t listedRow(const TopKListedParams& p, int64_t i) {
  return p.rowList ? int64_t(p.rowList[i]) : i;
}
__device__ __forceinline__ int64_t rowLength(const TopKListedParams& p, int64_t row) {
  return p.lengths ? int64_t(p.lengths[row / p.rowsPerLength]) + p.lengthOffset : p.lengthOffset;
}
__device__ __forceinline__ int64_t keptOf(const TopKListedParams& p, int64_t n) { return n < p.budget ? n : p.budget; }

struct Slice {
  int64_t begin, end;
};
__device__ __forceinline__ Slice sliceOf(int64_t n, int64_t slices, int64_t s) {
  const int64_t span = (n + slices - 1) / slices;
  const int64_t begin = s * span < n ? s * span : n;
  return {begin, begin + span < n ? begin + span : n};
}

// Calls use(i, x[i]) for the scores of slice r, kPassThreads · kUnroll at a time: thread t takes
// i = base + u · kPassThreads + t (coalesced) and loads its kUnroll scores before using any. Every
// thread calls use kUnroll times per span, also for i past the slice's end (with 0), since use may
// hold warp-wide collectives.
template <typename Use>
__device__ __forceinline__ void forEachScore(const float* x, Slice r, Use use) {
  for (int64_t base = r.begin; base < r.end; base += int64_t(kPassThreads) * kUnroll) {
    float v[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int64_t i = base + int64_t(u) * kPassThreads + threadIdx.x;
      v[u] = i < r.end ? x[i] : 0.f;
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) use(base + int64_t(u) * kPassThreads + threadIdx.x, v[u]);
  }
}

// Adds one to h[digit] for every lane of the warp (kNoDigit: none); every lane must call it. The
// later passes count only keys with T's prefix so far: most warps have none and skip the match.
__device__ __forceinline__ void countDigit(uint32_t* h, uint32_t digit) {
  if (!__any_sync(0xffffffffu, digit != kNoDigit)) return;
  const unsigned peers = __match_any_sync(0xffffffffu, digit);
  if (digit != kNoDigit && int(threadIdx.x & 31) == __ffs(peers) - 1) atomicAdd(&h[digit], uint32_t(__popc(peers)));
}

// Exclusive prefix sum over the block in thread order; warpTotals [kPassWarps] shared.
__device__ uint32_t blockExclusiveSum(uint32_t x, uint32_t* warpTotals) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  const uint32_t inclusive = warpInclusiveSum(x);
  if (lane == 31) warpTotals[warp] = inclusive;
  __syncthreads();
  if (warp == 0) {
    const uint32_t total = lane < kPassWarps ? warpTotals[lane] : 0u;
    const uint32_t running = warpInclusiveSum(total);
    if (lane < kPassWarps) warpTotals[lane] = running - total;
  }
  __syncthreads();
  const uint32_t before = warpTotals[warp] + inclusive - x;
  __syncthreads();  // warpTotals is reused
  return before;
}

// Shared state of the pass kernel's last block.
struct PassShared {
  uint32_t warpTotals[kPassWarps];
  int32_t segments[kMaxSegments + 1];
  uint32_t digit;
  int last;
};

// By the row's last block: the digit of T at this pass (bins read in descending order, a block-wide
// prefix sum finds the bin where the count of larger keys reaches `remain`), the histogram cleared;
// after the first pass, the kept buckets' starts and the segments.
template <int kShift, int kBits>
__device__ void chooseDigit(const SlicedArgs& a, int64_t row, int64_t k, uint32_t prefix, PassShared& sh) {
  constexpr int kBins = 1 << kBits;
  constexpr int kPer = kBins >= kPassThreads ? kBins / kPassThreads : 1;
  uint32_t* hist = a.hist + row * kTopBins;
  uint32_t* control = a.control + row * kControlWords;
  const uint32_t remain = kShift == kTopShift ? uint32_t(k) : control[kRemainWord];
  const int t = threadIdx.x;
  uint32_t counts[kPer];
  uint32_t sum = 0;
#pragma unroll
  for (int j = 0; j < kPer; ++j) {
    const int u = t * kPer + j;  // bins in descending order
    counts[j] = u < kBins ? __ldcg(&hist[kBins - 1 - u]) : 0u;
    sum += counts[j];
  }
  const uint32_t before = blockExclusiveSum(sum, sh.warpTotals);
  if (before < remain && remain <= before + sum) {  // exactly one thread: remain ≤ the matching keys
    uint32_t above = before;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      if (above + counts[j] >= remain) {
        const uint32_t digit = uint32_t(kBins - 1 - (t * kPer + j));
        sh.digit = digit;
        control[kPrefixWord] = prefix | (digit << kShift);
        control[kRemainWord] = remain - above;
        break;
      }
      above += counts[j];
    }
  }
#pragma unroll
  for (int j = 0; j < kPer; ++j) {
    const int u = t * kPer + j;
    if (u < kBins && counts[j] != 0u) hist[kBins - 1 - u] = 0u;
  }
  if (t == 0) control[kShift == kTopShift ? 0 : kShift == 8 ? 1 : 2] = 0u;  // the arrival counter
  if constexpr (kShift == kTopShift) {
    for (int64_t m = t; m <= a.segments; m += kPassThreads) sh.segments[m] = int32_t(k);
    __syncthreads();  // sh.digit and the segments' initial values
    const uint32_t threshold = sh.digit;
    uint32_t start = before;
#pragma unroll
    for (int j = 0; j < kPer; ++j) {
      const int u = t * kPer + j;
      const uint32_t digit = uint32_t(kBins - 1 - u);
      if (u < kBins && counts[j] != 0u && digit >= threshold) {
        a.bucketStart[row * kTopBins + digit] = int32_t(start);  // start < k: digit ≥ T's digit
        atomicMin(&sh.segments[int64_t(start) / a.segmentKeys], int32_t(start));
      }
      start += counts[j];
    }
    __syncthreads();
    if (t == 0) {
      // A segment without a bucket of its own starts where the next one does.
      for (int64_t m = a.segments - 1; m >= 0; --m)
        sh.segments[m] = sh.segments[m] < sh.segments[m + 1] ? sh.segments[m] : sh.segments[m + 1];
    }
    __syncthreads();
    for (int64_t m = t; m <= a.segments; m += kPassThreads) a.segStart[row * (a.segments + 1) + m] = sh.segments[m];
  }
}

template <int kShift, int kBits>
__global__ void __launch_bounds__(kPassThreads) radixPassKernel(SlicedArgs a) {
  constexpr int kBins = 1 << kBits;
  constexpr uint32_t kMask = kShift + kBits >= 32 ? 0u : ~((1u << (kShift + kBits)) - 1u);
  constexpr int kPass = kShift == kTopShift ? 0 : kShift == 8 ? 1 : 2;
  __shared__ uint32_t local[kBins];
  __shared__ PassShared sh;
  const int64_t count = listedRows(a.p);
  for (int64_t item = blockIdx.x; item < count * a.slices; item += gridDim.x) {
    const int64_t row = listedRow(a.p, item / a.slices), slice = item % a.slices;
    const int64_t n = rowLength(a.p, row), k = keptOf(a.p, n);
    if (k <= 0) continue;  // the same for every block of the row
    uint32_t* control = a.control + row * kControlWords;
    const uint32_t prefix = kPass == 0 ? 0u : control[kPrefixWord];
    for (int b = threadIdx.x; b < kBins; b += kPassThreads) local[b] = 0u;
    __syncthreads();
    const Slice r = sliceOf(n, a.slices, slice);
    const float* x = a.p.scores + row * a.p.scoreStride;
    forEachScore(x, r, [&](int64_t i, float score) {
      uint32_t digit = kNoDigit;
      if (i < r.end) {
        const uint32_t key = orderedScore(score);
        if ((key & kMask) == prefix) digit = (key >> kShift) & uint32_t(kBins - 1);
      }
      countDigit(local, digit);
    });
    __syncthreads();
    uint32_t* hist = a.hist + row * kTopBins;
    uint32_t* sliceHist = a.sliceHist + (row * a.slices + slice) * kLowBins;
    for (int b = threadIdx.x; b < kBins; b += kPassThreads) {
      const uint32_t c = local[b];
      if (c != 0u) atomicAdd(&hist[b], c);
      if (kPass == 2) sliceHist[b] = c;
    }
    __threadfence();  // this block's counts reach the row's histogram before its arrival
    __syncthreads();
    if (threadIdx.x == 0) sh.last = atomicAdd(&control[kPass], 1u) == uint32_t(a.slices - 1) ? 1 : 0;
    __syncthreads();
    if (sh.last) {
      __threadfence();
      chooseDigit<kShift, kBits>(a, row, k, prefix, sh);
    }
    __syncthreads();  // local and sh are reused by the block's next item
  }
}

// Places the key of every lane whose `kept` is set in its bucket; every lane must call it.
__device__ __forceinline__ void placeKey(bool kept, uint32_t key, int64_t index, const int32_t* bucketStart,
                                         uint32_t* cursor, uint64_t* keys) {
  const uint32_t bucket = kept ? key >> kTopShift : kNoDigit;
  const unsigned peers = __match_any_sync(0xffffffffu, bucket);
  const int lane = threadIdx.x & 31, leader = __ffs(peers) - 1;
  uint32_t base = 0;
  if (kept && lane == leader) base = atomicAdd(&cursor[bucket], uint32_t(__popc(peers)));
  base = __shfl_sync(0xffffffffu, base, leader);  // each lane from its own group's leader
  if (!kept) return;
  const int64_t slot = int64_t(bucketStart[bucket]) + base + __popc(peers & ((1u << lane) - 1u));
  keys[slot] = rankKey(key, index);
}

__global__ void __launch_bounds__(kPassThreads) collectKernel(SlicedArgs a) {
  __shared__ int warpCounts[kPassWarps + 1];
  const int64_t count = listedRows(a.p);
  for (int64_t item = blockIdx.x; item < count * a.slices; item += gridDim.x) {
    const int64_t row = listedRow(a.p, item / a.slices), slice = item % a.slices;
    const int64_t n = rowLength(a.p, row), k = keptOf(a.p, n);
    if (k <= 0) continue;
    const uint32_t* control = a.control + row * kControlWords;
    const uint32_t threshold = control[kPrefixWord], need = control[kRemainWord];
    const uint32_t low = threshold & uint32_t(kLowBins - 1);
    const uint32_t* sliceHist = a.sliceHist + row * a.slices * kLowBins;
    const uint32_t equalHere = sliceHist[slice * kLowBins + low];  // keys of this slice equal to T
    uint32_t taken = 0;                                            // keys equal to T in earlier slices
    if (equalHere != 0u)
      for (int64_t s = 0; s < slice; ++s) taken += sliceHist[s * kLowBins + low];
    const bool ties = equalHere != 0u && taken < need;
    const int32_t* bucketStart = a.bucketStart + row * kTopBins;
    uint32_t* cursor = a.cursor + row * kTopBins;
    uint64_t* keys = a.keys + row * a.p.budget;
    const Slice r = sliceOf(n, a.slices, slice);
    const float* x = a.p.scores + row * a.p.scoreStride;
    if (!ties) {
      forEachScore(x, r, [&](int64_t i, float score) {
        const uint32_t key = orderedScore(score);
        placeKey(i < r.end && key > threshold, key, i, bucketStart, cursor, keys);
      });
    } else {
      for (int64_t base = r.begin; base < r.end; base += kPassThreads) {
        const int64_t i = base + threadIdx.x;
        const bool inside = i < r.end;
        const uint32_t key = inside ? orderedScore(x[i]) : 0u;
        const bool equal = inside && key == threshold;
        int total = 0;
        const int rank = orderedRank<kPassWarps>(equal, warpCounts, &total);
        placeKey((inside && key > threshold) || (equal && taken + uint32_t(rank) < need), key, i, bucketStart, cursor,
                 keys);
        taken += uint32_t(total);
      }
    }
  }
}

// bitonicDescending's network with the strides below 32 of every size run in registers: element i
// is thread i mod blockDim's, its partner i ^ s (s < 32) is in the same warp, so those stages
// exchange keys by shuffles, without a barrier or a shared-memory round trip (5 of a size's log2
// stages). The same compare-exchanges in the same order: the same result.
__device__ void bitonicDescendingWarpTail(uint64_t* keys, int64_t padded) {
  for (int64_t size = 2; size <= padded; size <<= 1) {
    int64_t stride = size >> 1;
    for (; stride >= 32; stride >>= 1) bitonicStage(keys, padded, size, stride);
    for (int64_t base = 0; base < padded; base += blockDim.x) {  // every lane takes part in the shuffles
      const int64_t i = base + threadIdx.x;
      uint64_t key = i < padded ? keys[i] : 0ull;
      const bool descending = (i & size) == 0;
      for (int64_t s = stride; s > 0; s >>= 1) {
        const uint64_t other = __shfl_xor_sync(0xffffffffu, key, int(s));
        const bool lower = (i & s) == 0;  // of the pair (i, i ^ s), the lower index
        key = lower == descending ? (key > other ? key : other) : (key < other ? key : other);
      }
      if (i < padded) keys[i] = key;
    }
    __syncthreads();
  }
}

// Segment-major items, so that the first segments of every row spread over the blocks first.
__global__ void __launch_bounds__(kSortThreads) sortSegmentsKernel(SlicedArgs a, int64_t sharedKeys) {
  extern __shared__ uint64_t sortShared[];
  const int64_t count = listedRows(a.p);
  for (int64_t item = blockIdx.x; item < count * a.segments; item += gridDim.x) {
    const int64_t row = listedRow(a.p, item % count), m = item / count;
    const int64_t n = rowLength(a.p, row), k = keptOf(a.p, n);
    if (k <= 0) continue;
    const int32_t* seg = a.segStart + row * (a.segments + 1);
    const int64_t from = seg[m], to = seg[m + 1];
    if (to <= from) continue;
    const int64_t size = to - from;
    const uint64_t* keys = a.keys + row * a.p.budget + from;
    uint32_t* cursor = a.cursor + row * kTopBins;
    int32_t* out = a.p.out + row * a.p.outStride + from;
    if (!a.p.ranked) {
      for (int64_t j = threadIdx.x; j < size; j += kSortThreads) {
        const uint64_t key = keys[j];
        cursor[key >> (32 + kTopShift)] = 0u;
        out[j] = keyIndex(key);
      }
      continue;
    }
    const int64_t padded = paddedLength(size);
    uint64_t* buffer = padded <= sharedKeys ? sortShared : a.scratch + int64_t(blockIdx.x) * a.scratchStride;
    for (int64_t j = threadIdx.x; j < padded; j += kSortThreads) {
      uint64_t key = 0ull;  // below every real key
      if (j < size) {
        key = keys[j];
        cursor[key >> (32 + kTopShift)] = 0u;
      }
      buffer[j] = key;
    }
    __syncthreads();
    bitonicDescendingWarpTail(buffer, padded);
    for (int64_t j = threadIdx.x; j < size; j += kSortThreads) out[j] = keyIndex(buffer[j]);
    __syncthreads();  // the buffer is reused by the block's next item
  }
}

}  // namespace

TopKSlicedShape topKSlicedShape(int64_t rows, int64_t maxLength, int64_t budget) {
  TopKSlicedShape s;
  s.rows = rows;
  s.budget = budget;
  if (rows <= 0 || budget <= 0) return s;
  const int64_t resident = kPassBlocksPerSm * multiprocessorCount();
  const int64_t longest = (std::max<int64_t>(maxLength, 1) + kMinSlice - 1) / kMinSlice;
  s.slices = std::max<int64_t>(1, std::min((resident + rows - 1) / rows, longest));
  s.segmentKeys = std::max(kMinSegmentKeys, paddedLength((budget + kMaxSegments - 1) / kMaxSegments));
  s.segments = (budget + s.segmentKeys - 1) / s.segmentKeys;
  s.passBlocks = std::min(rows * s.slices, resident);
  s.sortBlocks = std::min(rows * s.segments, kSortBlocksPerSm * multiprocessorCount());
  return s;
}

size_t topKSlicedWorkspaceBytes(const TopKSlicedShape& shape) {
  return shape.rows <= 0 || shape.budget <= 0 ? 0 : layoutOf(shape).total;
}

size_t topKSlicedZeroedBytes(const TopKSlicedShape& shape) {
  return shape.rows <= 0 || shape.budget <= 0 ? 0 : layoutOf(shape).zeroed;
}

void launchTopKSliced(const TopKListedParams& p, const TopKSlicedShape& shape, cudaStream_t stream) {
  if (p.rows == 0 || p.budget == 0 || shape.passBlocks == 0) return;
  if (p.rows > shape.rows || p.budget > shape.budget)
    check(cudaErrorInvalidValue, "sliced top-k (rows or budget above the workspace's shape)");
  const Layout l = layoutOf(shape);
  unsigned char* base = reinterpret_cast<unsigned char*>(p.workspace);
  SlicedArgs a{};
  a.p = p;
  a.slices = shape.slices;
  a.segments = shape.segments;
  a.segmentKeys = shape.segmentKeys;
  a.scratchStride = scratchStrideOf(shape);
  a.hist = reinterpret_cast<uint32_t*>(base + l.hist);
  a.cursor = reinterpret_cast<uint32_t*>(base + l.cursor);
  a.control = reinterpret_cast<uint32_t*>(base + l.control);
  a.bucketStart = reinterpret_cast<int32_t*>(base + l.bucketStart);
  a.segStart = reinterpret_cast<int32_t*>(base + l.segStart);
  a.sliceHist = reinterpret_cast<uint32_t*>(base + l.sliceHist);
  a.keys = reinterpret_cast<uint64_t*>(base + l.keys);
  a.scratch = reinterpret_cast<uint64_t*>(base + l.scratch);
  const unsigned passBlocks = unsigned(shape.passBlocks);
  radixPassKernel<kTopShift, kTopBits><<<passBlocks, kPassThreads, 0, stream>>>(a);
  checkLaunch("sliced top-k: first radix pass");
  radixPassKernel<8, kTopBits><<<passBlocks, kPassThreads, 0, stream>>>(a);
  checkLaunch("sliced top-k: second radix pass");
  radixPassKernel<0, 8><<<passBlocks, kPassThreads, 0, stream>>>(a);
  checkLaunch("sliced top-k: third radix pass");
  collectKernel<<<passBlocks, kPassThreads, 0, stream>>>(a);
  checkLaunch("sliced top-k: collect");
  const int64_t sharedKeys = std::min(paddedLength(shape.budget), kSortSharedKeys);
  const size_t shared = size_t(sharedKeys) * sizeof(uint64_t);
  if (shared > 48 * 1024)
    check(cudaFuncSetAttribute(sortSegmentsKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(shared)),
          "cudaFuncSetAttribute(sliced top-k sort)");
  sortSegmentsKernel<<<unsigned(shape.sortBlocks), kSortThreads, shared, stream>>>(a, sharedKeys);
  checkLaunch("sliced top-k: segment sort");
}

}  // namespace cuda
}  // namespace prhs
