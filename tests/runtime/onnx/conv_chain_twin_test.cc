// Twin tests of the fused Conv -> Relu -> pooling chains (conv_chain_fusion.h, OnednnChain):
// each graph is loaded twice, with fusion (the oneDNN chain) and without (the separate Conv,
// Relu, MaxPool, AveragePool, Pad, GlobalAveragePool kernels, themselves twin-tested against
// the references), and run on the same random inputs. Tolerance: relative 1e-5 of the output
// scale (oneDNN sums in float in its own order). Also checked: which graphs fuse at all, and
// that inputs holding NaN or Inf and shapes oneDNN cannot express give the unfused results
// exactly (the fused kernel runs the separate kernels then).
#include <gtest/gtest.h>

#include <algorithm>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "runtime/onnx/onnx_model.h"
#include "runtime/onnx/onnx_test_util.h"

namespace finserve::runtime::onnx {
namespace {

using testing::ModelBuilder;
using testing::SetAttr;
constexpr int kFloat = ::onnx::TensorProto::FLOAT;

std::vector<float> Random(size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (float& e : v) e = dist(rng);
  return v;
}

void AddConv(ModelBuilder& b, const std::string& in, const std::string& out, int64_t c, int64_t m, int64_t k,
             std::mt19937& rng, int64_t group = 1, bool bias = true) {
  b.Initializer(out + "_w", Random(static_cast<size_t>(m * (c / group) * k * k), rng, 0.3f), {m, c / group, k, k});
  std::vector<std::string> inputs{in, out + "_w"};
  if (bias) {
    b.Initializer(out + "_b", Random(static_cast<size_t>(m), rng), {m});
    inputs.push_back(out + "_b");
  }
  ::onnx::NodeProto& n = b.Node("Conv", inputs, {out});
  SetAttr(n, "kernel_shape", std::vector<int64_t>{k, k});
  SetAttr(n, "pads", std::vector<int64_t>{k / 2, k / 2, k / 2, k / 2});
  if (group > 1) SetAttr(n, "group", group);
}

struct Loaded {
  std::unique_ptr<OnnxModel> fused, separate;
};

Loaded LoadBoth(const ModelBuilder& b) {
  Loaded l;
  OnnxLoadOptions options;
  Result<std::unique_ptr<OnnxModel>> fused = OnnxModel::Load(b.Bytes(), options);
  options.fuse_conv_chains = false;
  Result<std::unique_ptr<OnnxModel>> separate = OnnxModel::Load(b.Bytes(), options);
  EXPECT_TRUE(fused.ok()) << fused.status().ToString();
  EXPECT_TRUE(separate.ok()) << separate.status().ToString();
  if (fused.ok()) l.fused = std::move(*fused);
  if (separate.ok()) l.separate = std::move(*separate);
  return l;
}

size_t Steps(const OnnxModel& m) { return m.plan().steps.size(); }

// Runs both on `x`; `exact` demands bit-identical outputs (the fallback path).
void ExpectTwins(const Loaded& l, const Tensor& x, bool exact, const std::string& label) {
  ASSERT_TRUE(l.fused && l.separate) << label;
  Result<std::vector<Tensor>> got = testing::RunModel(*l.fused, {x});
  Result<std::vector<Tensor>> want = testing::RunModel(*l.separate, {x});
  ASSERT_TRUE(got.ok()) << label << ": " << got.status().ToString();
  ASSERT_TRUE(want.ok()) << label << ": " << want.status().ToString();
  ASSERT_EQ(got->size(), want->size()) << label;
  for (size_t o = 0; o < got->size(); ++o) {
    ASSERT_EQ((*got)[o].shape(), (*want)[o].shape()) << label;
    std::vector<float> g = testing::Values<float>((*got)[o]), w = testing::Values<float>((*want)[o]);
    double scale = 1.0;
    for (float v : w) scale = std::max(scale, std::isfinite(v) ? std::abs(static_cast<double>(v)) : 0.0);
    for (size_t i = 0; i < g.size(); ++i) {
      if (exact || !std::isfinite(w[i])) {
        ASSERT_TRUE(g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]))) << label << " [" << i << "] " << g[i]
                                                                            << " vs " << w[i];
      } else {
        ASSERT_NEAR(g[i], w[i], 1e-5 * scale) << label << " [" << i << "]";
      }
    }
  }
}

Tensor Image(std::vector<int64_t> dims, std::mt19937& rng) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return Tensor::FromVector<float>(Shape(dims), Random(static_cast<size_t>(n), rng));
}

::onnx::NodeProto& AddPool(ModelBuilder& b, const std::string& op, const std::string& in, const std::string& out,
                          int64_t k, int64_t stride, int64_t pad = 0) {
  ::onnx::NodeProto& n = b.Node(op, {in}, {out});
  SetAttr(n, "kernel_shape", std::vector<int64_t>{k, k});
  SetAttr(n, "strides", std::vector<int64_t>{stride, stride});
  if (pad > 0) SetAttr(n, "pads", std::vector<int64_t>{pad, pad, pad, pad});
  return n;
}

// The bench CNN's shape: Conv+Relu+MaxPool, Conv+Relu+Pad(0)+AveragePool, GlobalAveragePool.
ModelBuilder SmallCnn(std::mt19937& rng, int64_t c1, int64_t c2) {
  ModelBuilder b(13);
  b.Input("x", kFloat, {"n", 1, "h", "w"}).Output("y", kFloat, {"n", c2, 1, 1});
  AddConv(b, "x", "c1", 1, c1, 3, rng);
  b.Node("Relu", {"c1"}, {"r1"});
  AddPool(b, "MaxPool", "r1", "p1", 2, 2);
  AddConv(b, "p1", "c2", c1, c2, 3, rng);
  b.Node("Relu", {"c2"}, {"r2"});
  b.InitializerInt64("zeros", std::vector<int64_t>(8, 0), {8});
  b.Node("Pad", {"r2", "zeros"}, {"pad2"});
  AddPool(b, "AveragePool", "pad2", "p2", 2, 2);
  b.Node("GlobalAveragePool", {"p2"}, {"y"});
  return b;
}

TEST(ConvChainTwin, SmallCnnFusesIntoOneStepAndMatches) {
  std::mt19937 rng(1);
  for (auto [c1, c2] : {std::pair<int64_t, int64_t>{16, 32}, {5, 7}, {32, 16}}) {
    Loaded l = LoadBoth(SmallCnn(rng, c1, c2));
    ASSERT_TRUE(l.fused && l.separate);
    EXPECT_EQ(Steps(*l.fused), 1u);
    EXPECT_EQ(Steps(*l.separate), 8u);
    const std::string label = "channels " + std::to_string(c1) + "/" + std::to_string(c2);
    ExpectTwins(l, Image({1, 1, 28, 28}, rng), false, label + " row");
    ExpectTwins(l, Image({5, 1, 28, 28}, rng), false, label + " batch 5");
    ExpectTwins(l, Image({3, 1, 15, 9}, rng), false, label + " odd sizes");  // floor-mode remainders
    ExpectTwins(l, Image({2, 1, 28, 28}, rng), false, label + " again (cached primitives)");
  }
}

TEST(ConvChainTwin, NonFiniteInputsRunTheSeparateKernelsExactly) {
  std::mt19937 rng(2);
  Loaded l = LoadBoth(SmallCnn(rng, 16, 32));
  for (float bad : {std::nanf(""), std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()}) {
    Tensor x = Image({2, 1, 28, 28}, rng);
    x.data<float>()[100] = bad;
    ExpectTwins(l, x, true, "input holding " + std::to_string(bad));
  }
}

TEST(ConvChainTwin, ShapesOutsideTheChainRunSeparatelyWithTheSameErrors) {
  std::mt19937 rng(3);
  Loaded l = LoadBoth(SmallCnn(rng, 16, 32));
  Result<std::vector<Tensor>> fused = testing::RunModel(*l.fused, {Image({2, 1, 1, 1}, rng)});
  Result<std::vector<Tensor>> separate = testing::RunModel(*l.separate, {Image({2, 1, 1, 1}, rng)});
  ASSERT_FALSE(separate.ok());
  ASSERT_FALSE(fused.ok());
  EXPECT_EQ(fused.status().code(), separate.status().code());
  EXPECT_NE(fused.status().message().find("MaxPool: spatial axis 0: input size 1"), std::string::npos)
      << fused.status().ToString();
  ExpectTwins(l, Image({0, 1, 28, 28}, rng), true, "empty batch");
}

// Pads, strides, ceil_mode, count_include_pad, groups, no bias, Conv without Relu, two Convs
// in a row, max pooling with padding.
TEST(ConvChainTwin, WindowVariantsMatch) {
  std::mt19937 rng(4);
  for (int variant = 0; variant < 6; ++variant) {
    ModelBuilder b(13);
    b.Input("x", kFloat, {"n", 8, "h", "w"}).Output("y", kFloat, {"n", 16, "oh", "ow"});
    AddConv(b, "x", "c1", 8, 16, 3, rng, variant == 1 ? 4 : 1, variant != 2);
    std::string cur = "c1";
    if (variant != 3) {
      b.Node("Relu", {"c1"}, {"r1"});
      cur = "r1";
    }
    AddConv(b, cur, "c2", 16, 16, variant == 4 ? 1 : 3, rng);
    ::onnx::NodeProto& pool = AddPool(b, variant % 2 == 0 ? "MaxPool" : "AveragePool", "c2", "y", 3, 2, 1);
    if (variant >= 2) SetAttr(pool, "ceil_mode", int64_t{1});
    if (variant == 3 || variant == 5) SetAttr(pool, "count_include_pad", int64_t{1});
    Loaded l = LoadBoth(b);
    ASSERT_TRUE(l.fused && l.separate);
    EXPECT_EQ(Steps(*l.fused), 1u) << "variant " << variant;
    for (auto dims : {std::vector<int64_t>{1, 8, 12, 12}, {3, 8, 11, 16}, {2, 8, 7, 5}}) {
      ExpectTwins(l, Image(dims, rng), false, "variant " + std::to_string(variant) + " " + std::to_string(dims[2]) +
                                                  "x" + std::to_string(dims[3]));
    }
  }
}

TEST(ConvChainTwin, WhatDoesNotFuse) {
  std::mt19937 rng(5);
  {  // the Relu's input is also a graph output: Conv, Relu stay apart
    ModelBuilder b(13);
    b.Input("x", kFloat, {1, 4, 8, 8}).Output("c1", kFloat, {1, 16, 8, 8}).Output("y", kFloat, {1, 16, 8, 8});
    AddConv(b, "x", "c1", 4, 16, 3, rng);
    b.Node("Relu", {"c1"}, {"y"});
    Loaded l = LoadBoth(b);
    ASSERT_TRUE(l.fused);
    EXPECT_EQ(Steps(*l.fused), 2u);
    ExpectTwins(l, Image({1, 4, 8, 8}, rng), true, "shared intermediate");
  }
  {  // MaxPool with Indices, and a Pad that pads
    ModelBuilder b(13);
    b.Input("x", kFloat, {1, 4, 8, 8}).Output("y", kFloat, {1, 16, 4, 4});
    b.Output("i", ::onnx::TensorProto::INT64, {1, 16, 4, 4}).Output("z", kFloat, {1, 16, 10, 10});
    AddConv(b, "x", "c1", 4, 16, 3, rng);
    AddPool(b, "MaxPool", "c1", "y", 2, 2).add_output("i");
    b.InitializerInt64("pads", {0, 0, 1, 1, 0, 0, 1, 1}, {8});
    AddConv(b, "x", "c2", 4, 16, 3, rng);
    b.Node("Pad", {"c2", "pads"}, {"z"});
    Loaded l = LoadBoth(b);
    ASSERT_TRUE(l.fused);
    EXPECT_EQ(Steps(*l.fused), 4u);
    ExpectTwins(l, Image({1, 4, 8, 8}, rng), true, "indices and padding Pad");
  }
}

}  // namespace
}  // namespace finserve::runtime::onnx
