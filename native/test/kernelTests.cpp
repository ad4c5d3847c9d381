// Native test driver, built with AddressSanitizer + UBSan by native/asan/run-asan.sh. It runs every
// kernel over odd shapes (so vector tails and block edges are exercised), compares each with a
// float64 computation, checks that the generic and AVX2 builds agree bit for bit, and checks the
// fp16/bf16 conversions exhaustively. Exit status 0 only if every check passes.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "halfPrecision.hpp"
#include "kernels.hpp"

using namespace prhs;

static int failures = 0;
#define CHECK(cond, ...)                               \
  do {                                                 \
    if (!(cond)) {                                     \
      ++failures;                                      \
      std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
      std::printf(__VA_ARGS__);                        \
      std::printf("\n");                               \
    }                                                  \
  } while (0)

struct Data {
  Dtype dtype;
  AttentionShape s;
  std::vector<float> f32q, f32k, f32v;
  std::vector<uint16_t> hq, hk, hv;
  std::vector<double> q, k, v;  // the stored values, widened
  const void* query() const { return dtype == Dtype::fp32 ? (const void*)f32q.data() : (const void*)hq.data(); }
  const void* keys() const { return dtype == Dtype::fp32 ? (const void*)f32k.data() : (const void*)hk.data(); }
  const void* values() const { return dtype == Dtype::fp32 ? (const void*)f32v.data() : (const void*)hv.data(); }
};

static void fill(Dtype dtype, size_t n, std::mt19937& rng, std::vector<float>& f32, std::vector<uint16_t>& h,
                 std::vector<double>& wide) {
  std::normal_distribution<float> normal(0.f, 1.f);
  f32.resize(n);
  h.resize(n);
  wide.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const float x = 1.5f * normal(rng);
    if (dtype == Dtype::fp32) {
      f32[i] = x;
      wide[i] = x;
    } else if (dtype == Dtype::fp16) {
      h[i] = half::floatToFp16(x);
      wide[i] = half::fp16ToFloat(h[i]);
    } else {
      h[i] = half::floatToBf16(x);
      wide[i] = half::bf16ToFloat(h[i]);
    }
  }
}

static Data makeData(Dtype dtype, AttentionShape s, unsigned seed) {
  std::mt19937 rng(seed);
  Data d{dtype, s, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  fill(dtype, size_t(s.batch * s.queryHeads * s.headDim), rng, d.f32q, d.hq, d.q);
  fill(dtype, size_t(s.batch * s.kvHeads * s.tokens * s.headDim), rng, d.f32k, d.hk, d.k);
  fill(dtype, size_t(s.batch * s.kvHeads * s.tokens * s.valueDim), rng, d.f32v, d.hv, d.v);
  return d;
}

// float64 attention over a list (nullptr = all tokens) for one query head; returns δ outside the list too.
static double referenceHead(const Data& d, int64_t b, int64_t h, const int32_t* list, int64_t n, double scale,
                            double* out) {
  const AttentionShape& s = d.s;
  const int64_t cache = b * s.kvHeads + h / (s.queryHeads / s.kvHeads);
  std::vector<double> z(static_cast<size_t>(s.tokens));
  double m = -INFINITY;
  for (int64_t i = 0; i < s.tokens; ++i) {
    double dot = 0;
    for (int64_t c = 0; c < s.headDim; ++c)
      dot += d.q[size_t((b * s.queryHeads + h) * s.headDim + c)] * d.k[size_t((cache * s.tokens + i) * s.headDim + c)];
    z[size_t(i)] = scale * dot;
  }
  std::vector<char> kept(static_cast<size_t>(s.tokens), list ? 0 : 1);
  if (list)
    for (int64_t j = 0; j < n; ++j)
      if (list[j] >= 0) kept[size_t(list[j])] = 1;
  for (int64_t i = 0; i < s.tokens; ++i)
    if (kept[size_t(i)]) m = std::max(m, z[size_t(i)]);
  double total = 0, all = 0, dropped = 0, allMax = -INFINITY;
  for (int64_t i = 0; i < s.tokens; ++i) allMax = std::max(allMax, z[size_t(i)]);
  for (int64_t c = 0; c < s.valueDim; ++c) out[c] = 0;
  for (int64_t i = 0; i < s.tokens; ++i) {
    const double e = std::exp(z[size_t(i)] - allMax);
    all += e;
    if (!kept[size_t(i)]) dropped += e;
    if (!kept[size_t(i)]) continue;
    const double w = std::exp(z[size_t(i)] - m);
    total += w;
    for (int64_t c = 0; c < s.valueDim; ++c) out[c] += w * d.v[size_t((cache * s.tokens + i) * s.valueDim + c)];
  }
  for (int64_t c = 0; c < s.valueDim; ++c) out[c] /= total;
  return dropped / all;
}

// The vector builds this CPU can run; each must match the generic build bit for bit.
struct IsaBuild {
  const char* name;
  decltype(&generic::decodeAttention) decodeAttention;
  decltype(&generic::sparseAttention) sparseAttention;
  decltype(&generic::scores) scores;
};

static std::vector<IsaBuild> vectorBuilds() {
  std::vector<IsaBuild> builds;
#if defined(PRHS_HAS_AVX2_BUILD)
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) {
    builds.push_back({"avx2", avx2::decodeAttention, avx2::sparseAttention, avx2::scores});
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq")) {
      builds.push_back({"avx512", avx512::decodeAttention, avx512::sparseAttention, avx512::scores});
    }
  }
#endif
  return builds;
}

// Every build this CPU can run, the generic one first.
static std::vector<IsaBuild> allBuilds() {
  std::vector<IsaBuild> builds{{"generic", generic::decodeAttention, generic::sparseAttention, generic::scores}};
  for (const IsaBuild& isa : vectorBuilds()) builds.push_back(isa);
  return builds;
}

static void testShape(Dtype dtype, AttentionShape s, unsigned seed) {
  const Data d = makeData(dtype, s, seed);
  const float scale = float(1 / std::sqrt(double(s.headDim)));
  const int64_t rows = s.batch * s.queryHeads;
  const int64_t selected = std::max<int64_t>(1, s.tokens / 3);
  std::vector<int32_t> indices(static_cast<size_t>(rows * selected));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < selected; ++j) indices[size_t(r * selected + j)] = int32_t((j * 3 + r) % s.tokens);
  if (selected > 1) indices[size_t(selected - 1)] = -1;  // padding in row 0

  std::vector<float> scratch(
      static_cast<size_t>(std::max(denseScratchFloats(s), sparseScratchFloats(s, std::max(selected, s.tokens)))));
  std::vector<float> dense(static_cast<size_t>(rows * s.valueDim)), sparse(dense.size()), dense2(dense.size()),
      sparse2(dense.size());
  std::vector<float> delta(static_cast<size_t>(rows)), scores(static_cast<size_t>(rows * s.tokens)),
      scores2(scores.size());
  std::vector<uint8_t> mask(static_cast<size_t>(s.tokens), 0);
  generic::decodeAttention(dtype, d.query(), d.keys(), d.values(), s, scale, dense.data(), scratch.data());
  generic::sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, indices.data(), selected, sparse.data(),
                           scratch.data());
  generic::droppedMass(dtype, d.query(), d.keys(), s, scale, indices.data(), selected, delta.data(), scratch.data(),
                       mask.data());
  generic::scores(dtype, d.query(), d.keys(), s, scale, scores.data(), scratch.data());
  for (const IsaBuild& isa : vectorBuilds()) {
    isa.decodeAttention(dtype, d.query(), d.keys(), d.values(), s, scale, dense2.data(), scratch.data());
    isa.sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, indices.data(), selected, sparse2.data(),
                        scratch.data());
    isa.scores(dtype, d.query(), d.keys(), s, scale, scores2.data(), scratch.data());
    CHECK(std::memcmp(dense.data(), dense2.data(), dense.size() * 4) == 0, "generic and %s dense differ (N=%lld)",
          isa.name, (long long)s.tokens);
    CHECK(std::memcmp(sparse.data(), sparse2.data(), sparse.size() * 4) == 0, "generic and %s sparse differ", isa.name);
    CHECK(std::memcmp(scores.data(), scores2.data(), scores.size() * 4) == 0, "generic and %s scores differ", isa.name);
  }
  // Loose float64 agreement (the harness checks the derived bounds; this catches indexing bugs).
  const double tolerance = dtype == Dtype::fp32 ? 1e-4 : 1e-3;
  std::vector<double> ref(static_cast<size_t>(s.valueDim));
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t h = 0; h < s.queryHeads; ++h) {
      const int64_t r = b * s.queryHeads + h;
      referenceHead(d, b, h, nullptr, 0, scale, ref.data());
      for (int64_t c = 0; c < s.valueDim; ++c)
        CHECK(std::fabs(dense[size_t(r * s.valueDim + c)] - ref[size_t(c)]) < tolerance, "dense b%lld h%lld c%lld",
              (long long)b, (long long)h, (long long)c);
      const double dl = referenceHead(d, b, h, indices.data() + r * selected, selected, scale, ref.data());
      for (int64_t c = 0; c < s.valueDim; ++c)
        CHECK(std::fabs(sparse[size_t(r * s.valueDim + c)] - ref[size_t(c)]) < tolerance, "sparse b%lld h%lld c%lld",
              (long long)b, (long long)h, (long long)c);
      CHECK(std::fabs(delta[size_t(r)] - dl) < tolerance, "dropped mass row %lld: %g vs %g", (long long)r,
            delta[size_t(r)], dl);
    }
  }
  // Certified δ̂ ≥ δ for every page-bound kind.
  const int64_t pageSize = std::max<int64_t>(1, s.tokens / 4);
  const int64_t pages = (s.tokens + pageSize - 1) / pageSize;
  std::vector<float> lo(static_cast<size_t>(s.batch * s.kvHeads * pages * s.headDim)), hi(lo.size()), mid(lo.size()),
      radius(static_cast<size_t>(s.batch * s.kvHeads * pages));
  pageSummaries(dtype, d.keys(), s, pageSize, lo.data(), hi.data(), mid.data(), radius.data());
  std::vector<double> certified(static_cast<size_t>(rows));
  for (PageBound kind : {PageBound::minmax, PageBound::ball, PageBound::min}) {
    certifiedDroppedMass(dtype, d.query(), d.keys(), s, scale, indices.data(), selected, pageSize, lo.data(), hi.data(),
                         mid.data(), radius.data(), kind, certified.data());
    for (int64_t b = 0; b < s.batch; ++b)
      for (int64_t h = 0; h < s.queryHeads; ++h) {
        const double dl = referenceHead(d, b, h, indices.data() + (b * s.queryHeads + h) * selected, selected,
                                        double(scale), ref.data());
        CHECK(certified[size_t(b * s.queryHeads + h)] >= dl, "certified %g < delta %g",
              certified[size_t(b * s.queryHeads + h)], dl);
      }
  }
  // Top-k of the scores, every k from a few values.
  for (int64_t k : {int64_t(0), int64_t(1), s.tokens / 2, s.tokens}) {
    std::vector<int32_t> top(static_cast<size_t>(rows * k));
    topK(scores.data(), rows, s.tokens, k, top.data());
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 1; j < k; ++j) {
        const float a = scores[size_t(r * s.tokens + top[size_t(r * k + j - 1)])],
                    c = scores[size_t(r * s.tokens + top[size_t(r * k + j)])];
        CHECK(a > c || (a == c && top[size_t(r * k + j - 1)] < top[size_t(r * k + j)]), "top-k order row %lld",
              (long long)r);
      }
  }
}

// Lists that take the four-row paths' slow branches: padding (-1) and zero weights inside groups of
// four, duplicates, a head dimension that is not a multiple of 8 or 16, and a length that ends mid
// group and mid block. Generic and AVX2 must agree bit for bit; sparse over every token in order must
// equal dense bit for bit; without duplicates the result must match float64.
static void testEdgeLists(Dtype dtype, unsigned seed) {
  const AttentionShape s{1, 2, 1, 1031, 130, 131};
  Data d = makeData(dtype, s, seed);
  // Key 7 is 40·q: its logit dominates by ~1000, so every other weight underflows to exactly 0.
  for (int64_t c = 0; c < s.headDim; ++c) {
    const size_t at = size_t(7 * s.headDim + c);
    const double value = 40 * d.q[size_t(c)];
    if (dtype == Dtype::fp32) d.f32k[at] = float(value);
    if (dtype == Dtype::fp16) d.hk[at] = half::floatToFp16(float(value));
    if (dtype == Dtype::bf16) d.hk[at] = half::floatToBf16(float(value));
    d.k[at] = dtype == Dtype::fp32   ? double(d.f32k[at])
              : dtype == Dtype::fp16 ? half::fp16ToFloat(d.hk[at])
                                     : half::bf16ToFloat(d.hk[at]);
  }
  const float scale = float(1 / std::sqrt(double(s.headDim)));
  const int64_t rows = s.batch * s.queryHeads;
  // Row 0: every token but with -1 at every fifth position; row 1: tokens 9.. (key 7 left out, so
  // weights are ordinary), with duplicates of every tenth.
  const int64_t selected = s.tokens;
  std::vector<int32_t> indices(static_cast<size_t>(rows * selected));
  for (int64_t j = 0; j < selected; ++j) {
    indices[size_t(j)] = j % 5 == 3 ? -1 : int32_t(j);
    indices[size_t(selected + j)] = int32_t(9 + (j % 10 == 0 ? j / 2 : j) % (s.tokens - 9));
  }
  std::vector<int32_t> all(static_cast<size_t>(rows * selected));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < selected; ++j) all[size_t(r * selected + j)] = int32_t(j);
  std::vector<float> scratch(static_cast<size_t>(std::max(denseScratchFloats(s), sparseScratchFloats(s, selected))));
  const size_t outputs = size_t(rows * s.valueDim);
  std::vector<float> dense(outputs), sparse(outputs), everything(outputs), dense2(outputs), sparse2(outputs);
  generic::decodeAttention(dtype, d.query(), d.keys(), d.values(), s, scale, dense.data(), scratch.data());
  generic::sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, indices.data(), selected, sparse.data(),
                           scratch.data());
  generic::sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, all.data(), selected, everything.data(),
                           scratch.data());
  CHECK(std::memcmp(dense.data(), everything.data(), outputs * 4) == 0, "sparse(all) != dense (edge lists)");
  for (const IsaBuild& isa : vectorBuilds()) {
    isa.decodeAttention(dtype, d.query(), d.keys(), d.values(), s, scale, dense2.data(), scratch.data());
    isa.sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, indices.data(), selected, sparse2.data(),
                        scratch.data());
    CHECK(std::memcmp(dense.data(), dense2.data(), outputs * 4) == 0, "generic and %s dense differ (edge lists)",
          isa.name);
    CHECK(std::memcmp(sparse.data(), sparse2.data(), outputs * 4) == 0, "generic and %s sparse differ (edge lists)",
          isa.name);
    isa.sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, all.data(), selected, sparse2.data(),
                        scratch.data());
    CHECK(std::memcmp(dense.data(), sparse2.data(), outputs * 4) == 0, "%s sparse(all) != dense (edge lists)",
          isa.name);
  }
  const double tolerance = dtype == Dtype::fp32 ? 1e-4 : 1e-3;
  std::vector<double> ref(static_cast<size_t>(s.valueDim));
  referenceHead(d, 0, 0, nullptr, 0, scale, ref.data());
  for (int64_t c = 0; c < s.valueDim; ++c)
    CHECK(std::fabs(dense[size_t(c)] - ref[size_t(c)]) < tolerance, "edge dense c%lld", (long long)c);
  referenceHead(d, 0, 0, indices.data(), selected, scale, ref.data());
  for (int64_t c = 0; c < s.valueDim; ++c)
    CHECK(std::fabs(sparse[size_t(c)] - ref[size_t(c)]) < tolerance, "edge sparse c%lld", (long long)c);
}

static void testConversions() {
  for (uint32_t bits = 0; bits < 65536; ++bits) {
    const float x = half::fp16ToFloat(uint16_t(bits));
    if (std::isnan(x)) continue;
    CHECK(half::floatToFp16(x) == bits, "fp16 round trip %04x", bits);
    const float y = half::bf16ToFloat(uint16_t(bits));
    if (!std::isnan(y)) CHECK(half::floatToBf16(y) == bits, "bf16 round trip %04x", bits);
  }
  CHECK(half::floatToFp16(65520.f) == 0x7c00, "65520 rounds to Inf");
  CHECK(half::floatToFp16(65519.f) == 0x7bff, "65519 rounds to 65504");
  CHECK(half::floatToFp16(1.f + 1.f / 2048) == 0x3c00, "tie to even (down)");
  CHECK(half::floatToFp16(1.f + 3.f / 2048) == 0x3c02, "tie to even (up)");
  CHECK(half::floatToBf16(1.f + 1.f / 256) == 0x3f80, "bf16 tie to even");
  CHECK(half::floatToBf16(NAN) != 0x7f80, "bf16 NaN stays NaN");
}

// Lists that run through pages take the two-stream walks (kernels.cpp): sparse over every token
// must equal dense bit for bit, and every build must equal the generic one on paged lists with
// padding, for valueDim 128 (the AVX-512 register pair) and 131 (sums in memory).
static void testPagedLists(Dtype dtype, unsigned seed) {
  for (int64_t dv : {int64_t(128), int64_t(131)}) {
    const AttentionShape s{1, 2, 2, 1100, 128, dv};
    const Data d = makeData(dtype, s, seed++);
    const float scale = float(1 / std::sqrt(double(s.headDim)));
    const int64_t rows = s.batch * s.queryHeads;
    std::vector<int32_t> all(size_t(rows * s.tokens)), paged(size_t(rows * 600));
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < s.tokens; ++j) all[size_t(r * s.tokens + j)] = int32_t(j);
      for (int64_t j = 0; j < 600; ++j) {
        // pages of 16 from page 3r + 1 on, every 7th page skipped, one padding entry per 50
        const int64_t page = (j / 16) + (j / 16) / 6 + 3 * r + 1;
        paged[size_t(r * 600 + j)] = j % 50 == 17 ? -1 : int32_t((page * 16 + j % 16) % s.tokens);
      }
    }
    std::vector<float> scratch(size_t(std::max(denseScratchFloats(s), sparseScratchFloats(s, s.tokens))));
    const size_t outputs = size_t(rows * s.valueDim);
    std::vector<float> dense(outputs), everything(outputs), sparse(outputs), other(outputs);
    generic::decodeAttention(dtype, d.query(), d.keys(), d.values(), s, scale, dense.data(), scratch.data());
    generic::sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, paged.data(), 600, sparse.data(),
                             scratch.data());
    for (const IsaBuild& isa : allBuilds()) {
      isa.sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, all.data(), s.tokens, everything.data(),
                          scratch.data());
      CHECK(std::memcmp(dense.data(), everything.data(), outputs * 4) == 0, "%s sparse(all) != dense (dv %lld)",
            isa.name, (long long)dv);
      isa.sparseAttention(dtype, d.query(), d.keys(), d.values(), s, scale, paged.data(), 600, other.data(),
                          scratch.data());
      CHECK(std::memcmp(sparse.data(), other.data(), outputs * 4) == 0,
            "generic and %s differ on paged lists (dv %lld)", isa.name, (long long)dv);
    }
  }
}

// The gather ceiling's streamed walk reads only inside the list and the rows it names (run under
// AddressSanitizer in CI), for every stream count and list lengths around the block size.
static void testGatherWalk() {
  std::vector<unsigned char> rows(64 * 48, 1);
  for (int64_t count : {int64_t(0), int64_t(1), int64_t(255), int64_t(256), int64_t(257), int64_t(1100)}) {
    std::vector<int32_t> indices(static_cast<size_t>(count));
    for (int64_t j = 0; j < count; ++j) indices[size_t(j)] = int32_t((j * 7) % 64);
    for (size_t streams = 1; streams <= 5; ++streams) {
      const double seconds = gatherSeconds(rows.data(), 48, indices.data(), size_t(count), 8, streams);
      CHECK(seconds >= 0, "gatherSeconds count %lld streams %zu", (long long)count, streams);
    }
  }
}

int main() {
  testConversions();
  testGatherWalk();
  unsigned seed = 1;
  for (Dtype dtype : {Dtype::fp32, Dtype::fp16, Dtype::bf16}) {
    for (AttentionShape s :
         {AttentionShape{1, 1, 1, 1, 1, 1}, AttentionShape{1, 2, 1, 2, 3, 5}, AttentionShape{2, 4, 2, 33, 17, 9},
          AttentionShape{1, 6, 3, 257, 33, 15}, AttentionShape{1, 2, 2, 1000, 64, 64},
          // valueDim 128 with one query head per KV head: the AVX-512 register-resident V sum
          AttentionShape{1, 2, 2, 1000, 128, 128}, AttentionShape{2, 1, 1, 700, 96, 128},
          AttentionShape{1, 4, 2, 300, 128, 128}}) {
      testShape(dtype, s, seed++);
    }
    testEdgeLists(dtype, seed++);
    testPagedLists(dtype, seed);
    seed += 2;
  }
  std::printf("native kernel tests (%s dispatch): %s\n", activeIsa(), failures == 0 ? "all passed" : "FAILED");
  std::printf("%d passed, %d failed\n", failures == 0 ? 1 : 0, failures);
  return failures == 0 ? 0 : 1;
}
