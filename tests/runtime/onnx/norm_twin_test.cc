// Twin tests: BatchNormFast and LayerNormFast against their double-precision references on
// random shapes and edge cases (one column: zero variance, rows with a large common offset,
// NaN/Inf, no bias, fp64). Tolerances: BatchNorm folds four parameters into one fp32
// multiply-add (a few ulp of |x * a| + |b|); LayerNorm's fp32 statistics are sums of `cols`
// terms (relative 1e-5 of the row's scale, times sqrt(cols)).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "runtime/onnx/kernels/normalization.h"
#include "runtime/onnx/kernels/reference/normalization_ref.h"

namespace finserve::runtime::onnx {
namespace {

struct BatchNormCase {
  std::vector<double> scale, bias, mean, var;
  std::vector<float> x;
  BatchNormArgs<float> args;
};

BatchNormCase MakeBatchNorm(std::mt19937& rng, int64_t n, int64_t c, int64_t plane) {
  std::normal_distribution<double> dist(0, 1);
  BatchNormCase bc;
  for (int64_t i = 0; i < c; ++i) {
    bc.scale.push_back(dist(rng));
    bc.bias.push_back(dist(rng));
    bc.mean.push_back(dist(rng));
    bc.var.push_back(std::abs(dist(rng)) + (i == 0 ? 0.0 : 0.1));
  }
  bc.x.resize(static_cast<size_t>(n * c * plane));
  for (float& v : bc.x) v = static_cast<float>(3 * dist(rng));
  BatchNormArgs<float>& a = bc.args;
  a.batch = n, a.channels = c, a.plane = plane;
  a.scale = bc.scale.data(), a.bias = bc.bias.data(), a.mean = bc.mean.data(), a.var = bc.var.data();
  a.x = bc.x.data();
  return bc;
}

TEST(NormTwins, BatchNormRandomShapes) {
  std::mt19937 rng(1);
  std::uniform_int_distribution<int64_t> dim(1, 9);
  for (int trial = 0; trial < 60; ++trial) {
    BatchNormCase bc = MakeBatchNorm(rng, dim(rng), dim(rng), trial % 5 == 0 ? 1 : dim(rng) * dim(rng));
    std::vector<float> fast(bc.x.size()), want(bc.x.size());
    BatchNormArgs<float> a = bc.args;
    a.y = fast.data();
    BatchNormFast(a);
    a.y = want.data();
    BatchNormReference(a);
    for (size_t i = 0; i < want.size(); ++i) {
      const int64_t c = static_cast<int64_t>(i) / a.plane % a.channels;
      const double mul = std::abs(bc.scale[c] / std::sqrt(bc.var[c] + a.epsilon));
      const double scale = std::abs(bc.x[i]) * mul + std::abs(bc.mean[c]) * mul + std::abs(bc.bias[c]);
      ASSERT_NEAR(fast[i], want[i], 4e-7 * scale + 1e-30) << "trial " << trial << " at " << i;
    }
  }
}

TEST(NormTwins, BatchNormNonFiniteInputsPropagate) {
  std::mt19937 rng(2);
  BatchNormCase bc = MakeBatchNorm(rng, 1, 2, 3);
  bc.x[0] = std::nanf("");
  bc.x[1] = std::numeric_limits<float>::infinity();
  std::vector<float> fast(6), want(6);
  BatchNormArgs<float> a = bc.args;
  a.y = fast.data();
  BatchNormFast(a);
  a.y = want.data();
  BatchNormReference(a);
  EXPECT_TRUE(std::isnan(fast[0]) && std::isnan(want[0]));
  EXPECT_TRUE(std::isinf(fast[1]) && fast[1] == want[1]);
}

struct LayerNormCase {
  std::vector<float> x, scale, bias, y_fast, y_ref, mean_fast, mean_ref, inv_fast, inv_ref;
  LayerNormArgs<float> args;
};

LayerNormCase MakeLayerNorm(std::mt19937& rng, int64_t rows, int64_t cols, float offset, bool bias) {
  std::normal_distribution<float> dist(0, 1);
  LayerNormCase lc;
  lc.x.resize(static_cast<size_t>(rows * cols));
  for (float& v : lc.x) v = offset + dist(rng);
  for (int64_t i = 0; i < cols; ++i) lc.scale.push_back(dist(rng)), lc.bias.push_back(dist(rng));
  lc.y_fast.resize(lc.x.size()), lc.y_ref.resize(lc.x.size());
  for (auto* v : {&lc.mean_fast, &lc.mean_ref, &lc.inv_fast, &lc.inv_ref}) v->resize(static_cast<size_t>(rows));
  LayerNormArgs<float>& a = lc.args;
  a.rows = rows, a.cols = cols, a.x = lc.x.data(), a.scale = lc.scale.data(), a.bias = bias ? lc.bias.data() : nullptr;
  return lc;
}

void RunLayerNorm(LayerNormCase& lc) {
  LayerNormArgs<float> a = lc.args;
  a.y = lc.y_fast.data(), a.mean = lc.mean_fast.data(), a.inv_std = lc.inv_fast.data();
  LayerNormFast(a);
  a.y = lc.y_ref.data(), a.mean = lc.mean_ref.data(), a.inv_std = lc.inv_ref.data();
  LayerNormReference(a);
}

void ExpectClose(const LayerNormCase& lc, const std::string& label) {
  const LayerNormArgs<float>& a = lc.args;
  for (int64_t r = 0; r < a.rows; ++r) {
    // Statistics of `cols` fp32 terms: relative error ~ cols * 2^-24 of the terms' magnitude.
    const double eps = 1e-6 * std::sqrt(static_cast<double>(a.cols)) * 4;
    ASSERT_NEAR(lc.mean_fast[r], lc.mean_ref[r], eps * (std::abs(lc.mean_ref[r]) + 1)) << label;
    ASSERT_NEAR(lc.inv_fast[r], lc.inv_ref[r], eps * std::abs(lc.inv_ref[r]) * (1 + std::abs(lc.mean_ref[r]))) << label;
    for (int64_t i = 0; i < a.cols; ++i) {
      const size_t at = static_cast<size_t>(r * a.cols + i);
      const double bias = a.bias ? std::abs(lc.bias[i]) : 0.0;
      const double scale = std::abs(lc.scale[i]) * (std::abs(lc.x[at] - lc.mean_ref[r]) * lc.inv_ref[r] + 1) + bias;
      ASSERT_NEAR(lc.y_fast[at], lc.y_ref[at], eps * scale * (1 + std::abs(lc.mean_ref[r]) * lc.inv_ref[r])) << label << " at " << at;
    }
  }
}

TEST(NormTwins, LayerNormRandomShapes) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int64_t> rows(1, 17), cols(1, 300);
  for (int trial = 0; trial < 60; ++trial) {
    LayerNormCase lc = MakeLayerNorm(rng, rows(rng), cols(rng), trial % 4 == 0 ? 50.0f : 0.0f, trial % 3 != 0);
    RunLayerNorm(lc);
    ExpectClose(lc, "trial " + std::to_string(trial));
  }
}

TEST(NormTwins, LayerNormOfOneColumnIsTheBias) {
  std::mt19937 rng(4);
  LayerNormCase lc = MakeLayerNorm(rng, 5, 1, 3.0f, true);
  RunLayerNorm(lc);
  for (int64_t r = 0; r < 5; ++r) {
    EXPECT_EQ(lc.y_fast[r], lc.bias[0]);
    EXPECT_EQ(lc.y_ref[r], lc.bias[0]);
    EXPECT_FLOAT_EQ(lc.inv_fast[r], lc.inv_ref[r]);  // 1 / sqrt(epsilon)
  }
}

TEST(NormTwins, LayerNormNanPoisonsOnlyItsRow) {
  std::mt19937 rng(5);
  LayerNormCase lc = MakeLayerNorm(rng, 2, 8, 0.0f, true);
  lc.x[3] = std::nanf("");
  RunLayerNorm(lc);
  for (int64_t i = 0; i < 8; ++i) {
    EXPECT_TRUE(std::isnan(lc.y_fast[i]) && std::isnan(lc.y_ref[i]));
    EXPECT_TRUE(std::isfinite(lc.y_fast[8 + i]));
  }
}

TEST(NormTwins, DoubleLayerNormMatchesReference) {
  std::mt19937 rng(6);
  std::normal_distribution<double> dist(0, 1);
  const int64_t rows = 4, cols = 37;
  std::vector<double> x(rows * cols), scale(cols), bias(cols), fast(x.size()), want(x.size());
  for (auto* v : {&x, &scale, &bias}) {
    for (double& e : *v) e = dist(rng);
  }
  LayerNormArgs<double> a;
  a.rows = rows, a.cols = cols, a.x = x.data(), a.scale = scale.data(), a.bias = bias.data();
  a.y = fast.data();
  LayerNormFast(a);
  a.y = want.data();
  LayerNormReference(a);
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(fast[i], want[i], 1e-12);
}

}  // namespace
}  // namespace finserve::runtime::onnx
