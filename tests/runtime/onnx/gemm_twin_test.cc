// Twin tests: every fast dense path (Eigen, oneDNN) against the plain reference (GemmReference)
// on random shapes around the Eigen/oneDNN crossover, transposes, padded strides, alpha/beta,
// and edge cases (empty dims, K = 0, 1-row products, NaN/Inf inputs, NaN garbage in C when
// beta = 0). Tolerance: relative 1e-5 of the sum of |terms| (blocking reorders the summation).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/reference/gemm_ref.h"

namespace finserve::runtime::onnx {
namespace {

struct Problem {
  bool ta = false, tb = false;
  int64_t m = 1, n = 1, k = 1, pad = 0;
  float alpha = 1, beta = 0;
};

struct Buffers {
  std::vector<float> a, b, c, abs_bound;
  GemmArgs<float> args;
};

Buffers Make(const Problem& p, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  Buffers buf;
  const int64_t a_rows = p.ta ? p.k : p.m, a_cols = (p.ta ? p.m : p.k) + p.pad;
  const int64_t b_rows = p.tb ? p.n : p.k, b_cols = (p.tb ? p.k : p.n) + p.pad;
  buf.a.resize(static_cast<size_t>(a_rows * a_cols));
  buf.b.resize(static_cast<size_t>(b_rows * b_cols));
  buf.c.resize(static_cast<size_t>(p.m * (p.n + p.pad)));
  for (auto* v : {&buf.a, &buf.b, &buf.c}) {
    for (float& x : *v) x = dist(rng);
  }
  GemmArgs<float>& g = buf.args;
  g.trans_a = p.ta, g.trans_b = p.tb, g.m = p.m, g.n = p.n, g.k = p.k, g.alpha = p.alpha, g.beta = p.beta;
  g.a = buf.a.data(), g.lda = a_cols, g.b = buf.b.data(), g.ldb = b_cols, g.ldc = p.n + p.pad;
  return buf;
}

// Scale of each output element's terms, for a tolerance that allows summation reordering.
double Bound(const GemmArgs<float>& g, const std::vector<float>& c0, int64_t i, int64_t j) {
  double s = std::abs(g.beta * c0[i * g.ldc + j]);
  for (int64_t p = 0; p < g.k; ++p) {
    const float a = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
    const float b = g.trans_b ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j];
    s += std::abs(g.alpha * a * b);
  }
  return s;
}

void ExpectTwins(const Problem& p, std::mt19937& rng) {
  Buffers buf = Make(p, rng);
  std::vector<float> want = buf.c, eigen = buf.c, onednn = buf.c;
  GemmArgs<float> g = buf.args;
  g.c = want.data();
  GemmReference(g);
  g.c = eigen.data();
  GemmEigen(g);
  g.c = onednn.data();
  ASSERT_TRUE(GemmOnednn(g, 1).ok());
  std::vector<float> dispatched = buf.c;
  g.c = dispatched.data();
  ASSERT_TRUE(Gemm(g, 1).ok());
  for (int64_t i = 0; i < p.m; ++i) {
    for (int64_t j = 0; j < p.n; ++j) {
      const size_t at = static_cast<size_t>(i * g.ldc + j);
      const double tol = 1e-5 * Bound(buf.args, buf.c, i, j) + 1e-6;
      ASSERT_NEAR(eigen[at], want[at], tol) << "eigen m=" << p.m << " n=" << p.n << " k=" << p.k << " at " << i << "," << j;
      ASSERT_NEAR(onednn[at], want[at], tol) << "onednn m=" << p.m << " n=" << p.n << " k=" << p.k << " at " << i << "," << j;
      ASSERT_NEAR(dispatched[at], want[at], tol);
    }
    for (int64_t j = p.n; j < g.ldc; ++j) {  // padding columns of C are never written
      const size_t at = static_cast<size_t>(i * g.ldc + j);
      ASSERT_EQ(eigen[at], buf.c[at]);
      ASSERT_EQ(onednn[at], buf.c[at]);
    }
  }
}

TEST(GemmTwins, RandomShapesAroundTheCrossover) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> small(1, 40), big(32, 160);
  for (int trial = 0; trial < 120; ++trial) {
    Problem p;
    auto& dim = trial % 3 == 0 ? big : small;
    p.m = dim(rng), p.n = dim(rng), p.k = dim(rng);
    p.ta = trial & 1, p.tb = (trial >> 1) & 1;
    p.pad = trial % 5 == 0 ? 3 : 0;
    p.alpha = trial % 4 == 0 ? 0.5f : 1.0f;
    p.beta = trial % 3 == 1 ? 1.0f : (trial % 7 == 0 ? -2.0f : 0.0f);
    ExpectTwins(p, rng);
  }
}

// GemmBatchedOnednn against GemmReference on each matrix of the batch; NaN in one matrix stays
// in its own output.
TEST(GemmTwins, BatchedOnednnMatchesPerMatrixReference) {
  std::mt19937 rng(44);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::uniform_int_distribution<int64_t> dim(1, 40), batches(1, 70);
  for (int trial = 0; trial < 40; ++trial) {
    const int64_t batch = batches(rng), m = dim(rng), n = dim(rng), k = trial % 10 == 9 ? 0 : dim(rng);
    std::vector<float> a(static_cast<size_t>(batch * m * k)), b(static_cast<size_t>(batch * k * n));
    for (auto* v : {&a, &b}) {
      for (float& x : *v) x = dist(rng);
    }
    if (trial % 5 == 4 && !a.empty()) a[0] = std::numeric_limits<float>::quiet_NaN();
    std::vector<float> got(static_cast<size_t>(batch * m * n), 7.0f), want = got, zeros(static_cast<size_t>(m * n));
    ASSERT_TRUE(GemmBatchedOnednn(batch, m, n, k, a.data(), b.data(), got.data(), 1).ok());
    for (int64_t i = 0; i < batch; ++i) {
      GemmArgs<float> g;
      g.m = m, g.n = n, g.k = k, g.lda = k, g.ldb = n, g.ldc = n;
      g.a = a.data() + i * m * k, g.b = b.data() + i * k * n, g.c = want.data() + i * m * n;
      GemmReference(g);
      for (int64_t r = 0; r < m; ++r) {
        for (int64_t c = 0; c < n; ++c) {
          const size_t at = static_cast<size_t>((i * m + r) * n + c);
          if (std::isnan(want[at])) {
            ASSERT_TRUE(std::isnan(got[at])) << "trial " << trial << " batch " << i;
            continue;
          }
          ASSERT_NEAR(got[at], want[at], 1e-5 * Bound(g, zeros, r, c) + 1e-6)
              << "trial " << trial << " batch " << i << " m=" << m << " n=" << n << " k=" << k;
        }
      }
    }
  }
}

// GemmOnednnEpilogue: act(clip(A*B + bias + beta*C)) against GemmReference followed by the
// epilogue in double (std::exp, std::tanh); tolerance: the product's plus a few ulp of the
// activation, whose slope is at most 1.
TEST(GemmTwins, OnednnEpilogueMatchesReferencePlusEpilogue) {
  std::mt19937 rng(45);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::uniform_int_distribution<int64_t> dim(2, 80);
  for (int trial = 0; trial < 36; ++trial) {
    Problem p;
    p.m = dim(rng), p.n = dim(rng), p.k = dim(rng);
    p.tb = trial % 2 == 1;
    p.beta = trial % 3 == 0 ? 0.0f : 1.0f;
    Buffers buf = Make(p, rng);
    std::vector<float> bias(static_cast<size_t>(p.n));
    for (float& v : bias) v = dist(rng);
    GemmEpilogue e;
    e.bias = trial % 4 == 3 ? nullptr : bias.data();
    e.clip = trial % 5 == 4 ? 0.75f : 0.0f;
    e.act = static_cast<GemmEpilogue::Act>(trial % 3);
    std::vector<float> got = buf.c, want = buf.c;
    GemmArgs<float> g = buf.args;
    g.c = got.data();
    ASSERT_TRUE(GemmOnednnEpilogue(g, e, 1).ok());
    g.c = want.data();
    GemmReference(g);
    for (int64_t i = 0; i < p.m; ++i) {
      for (int64_t j = 0; j < p.n; ++j) {
        const size_t at = static_cast<size_t>(i * g.ldc + j);
        double v = static_cast<double>(want[at]) + (e.bias != nullptr ? bias[j] : 0.0f);
        if (e.clip > 0) v = std::min<double>(e.clip, std::max<double>(-e.clip, v));
        if (e.act == GemmEpilogue::Act::kSigmoid) v = 1.0 / (1.0 + std::exp(-v));
        if (e.act == GemmEpilogue::Act::kTanh) v = std::tanh(v);
        const double tol = 1e-5 * Bound(buf.args, buf.c, i, j) + 1e-6;
        ASSERT_NEAR(got[at], v, tol) << "trial " << trial << " at " << i << "," << j;
      }
    }
  }
}

TEST(GemmTwins, EdgeShapes) {
  std::mt19937 rng(7);
  const Problem cases[] = {
      {false, false, 1, 64, 64},  {false, false, 64, 1, 64}, {false, false, 1, 1, 1000},
      {true, true, 1, 1, 1},      {false, false, 1, 512, 512}, {false, true, 300, 2, 700},
      {false, false, 3, 4, 0, 0, 1.0f, 1.0f},  // K = 0: C = beta * C
      {false, false, 3, 4, 0},
  };
  for (const Problem& p : cases) ExpectTwins(p, rng);
}

TEST(GemmTwins, EmptyOutputsTouchNothing) {
  std::vector<float> a(8, 1.0f), b(8, 1.0f), c(8, 5.0f);
  for (auto [m, n] : {std::pair<int64_t, int64_t>{0, 4}, {4, 0}}) {
    GemmArgs<float> g;
    g.m = m, g.n = n, g.k = 2, g.a = a.data(), g.lda = 2, g.b = b.data(), g.ldb = std::max<int64_t>(n, 1);
    g.c = c.data(), g.ldc = std::max<int64_t>(n, 1);
    ASSERT_TRUE(Gemm(g, 1).ok());
    ASSERT_TRUE(GemmOnednn(g, 1).ok());
  }
  EXPECT_EQ(c, std::vector<float>(8, 5.0f));
}

TEST(GemmTwins, NonFiniteInputsPropagateAndBetaZeroIgnoresGarbageInC) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  for (int64_t size : {4, 96}) {  // one below, one above the crossover
    std::vector<float> a(static_cast<size_t>(size * size), 1.0f), b(a.size(), 1.0f);
    a[0] = nan;           // row 0 of the product is NaN
    a[size] = inf;        // row 1 is +inf
    for (auto path : {GemmPath::kEigen, GemmPath::kOnednn, GemmPath::kReference}) {
      std::vector<float> c(a.size(), nan);  // beta = 0: never read
      GemmArgs<float> g;
      g.m = g.n = g.k = size, g.a = a.data(), g.lda = size, g.b = b.data(), g.ldb = size, g.c = c.data(), g.ldc = size;
      if (path == GemmPath::kEigen) GemmEigen(g);
      if (path == GemmPath::kOnednn) {
        ASSERT_TRUE(GemmOnednn(g, 1).ok());
      }
      if (path == GemmPath::kReference) GemmReference(g);
      EXPECT_TRUE(std::isnan(c[0])) << GemmPathName(path);
      EXPECT_EQ(c[static_cast<size_t>(size)], inf) << GemmPathName(path);
      EXPECT_EQ(c[static_cast<size_t>(2 * size)], static_cast<float>(size)) << GemmPathName(path);
    }
  }
}

TEST(GemmTwins, IntegerAndDoubleEigenMatchReferenceExactly) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int64_t> dist(-50, 50);
  for (int trial = 0; trial < 20; ++trial) {
    const int64_t m = 1 + trial % 7, n = 1 + trial % 5, k = 1 + trial % 11;
    std::vector<int64_t> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n));
    for (auto& v : a) v = dist(rng);
    for (auto& v : b) v = dist(rng);
    std::vector<int64_t> want(static_cast<size_t>(m * n)), got(want.size());
    GemmArgs<int64_t> g;
    g.m = m, g.n = n, g.k = k, g.a = a.data(), g.lda = k, g.b = b.data(), g.ldb = n, g.ldc = n;
    g.c = want.data();
    GemmReference(g);
    g.c = got.data();
    ASSERT_TRUE(Gemm(g, 1).ok());
    EXPECT_EQ(got, want);
  }
}

TEST(GemmTwins, PathChoiceFollowsTheMeasuredCrossover) {
  EXPECT_EQ(ChooseGemmPath(1, 64, 64, true), GemmPath::kEigen);
  EXPECT_EQ(ChooseGemmPath(1, 1024, 1024, true), GemmPath::kEigen);  // one row: matrix-vector
  EXPECT_EQ(ChooseGemmPath(16, 64, 64, true), GemmPath::kEigen);
  EXPECT_EQ(ChooseGemmPath(64, 64, 64, true), GemmPath::kOnednn);
  EXPECT_EQ(ChooseGemmPath(256, 256, 256, true), GemmPath::kOnednn);
  EXPECT_EQ(ChooseGemmPath(256, 256, 256, false), GemmPath::kEigen);  // oneDNN is fp32 only here
  EXPECT_EQ(ChooseGemmPath(0, 256, 256, true), GemmPath::kEigen);
}

}  // namespace
}  // namespace finserve::runtime::onnx
