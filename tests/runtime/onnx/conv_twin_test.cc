// Twin tests: ConvIm2col, OnednnConv (with and without cached constant weights) and the Conv()
// dispatcher against ConvReference on random 1-D/2-D/3-D problems (groups, depthwise, pads,
// strides, dilations, with and without bias) and edge cases (pointwise, a kernel as large as
// the padded input, empty batch, NaN/Inf inputs). Tolerance: relative 1e-5 of the sum of
// |terms| per output (im2col/GEMM and oneDNN reorder the summation).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "runtime/onnx/kernels/conv.h"
#include "runtime/onnx/kernels/reference/conv_ref.h"

namespace finserve::runtime::onnx {
namespace {

struct Problem {
  int rank = 2;
  int64_t batch = 1, channels = 1, out_channels = 1, group = 1;
  Axes3 in{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1}, pad_begin{0, 0, 0}, pad_end{0, 0, 0};
  bool bias = true;
};

struct Buffers {
  std::vector<float> x, w, b, y;
  ConvArgs<float> args;
};

Result<Window> MakeWindow(const Problem& p) {
  WindowAttrs attrs;
  std::vector<int64_t> in, kernel;
  const int lead = kMaxWindowRank - p.rank;
  for (int d = lead; d < kMaxWindowRank; ++d) {
    in.push_back(p.in[d]);
    kernel.push_back(p.kernel[d]);
    attrs.strides.push_back(p.stride[d]);
    attrs.dilations.push_back(p.dilation[d]);
    attrs.pads.push_back(p.pad_begin[d]);
  }
  for (int d = lead; d < kMaxWindowRank; ++d) attrs.pads.push_back(p.pad_end[d]);
  return PlanWindow(attrs, in, kernel);
}

Buffers Make(const Problem& p, std::mt19937& rng) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  Buffers buf;
  Result<Window> w = MakeWindow(p);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  ConvArgs<float>& a = buf.args;
  a.window = *w;
  a.batch = p.batch, a.in_channels = p.channels, a.out_channels = p.out_channels, a.group = p.group;
  buf.x.resize(static_cast<size_t>(p.batch * p.channels * a.window.in_size()));
  buf.w.resize(static_cast<size_t>(p.out_channels * (p.channels / p.group) * a.window.kernel_size()));
  buf.b.resize(static_cast<size_t>(p.out_channels));
  buf.y.assign(static_cast<size_t>(p.batch * p.out_channels * a.window.out_size()), std::nanf(""));
  for (auto* v : {&buf.x, &buf.w, &buf.b}) {
    for (float& e : *v) e = dist(rng);
  }
  a.x = buf.x.data(), a.w = buf.w.data(), a.bias = p.bias ? buf.b.data() : nullptr, a.y = buf.y.data();
  return buf;
}

// Per output, the sum of |terms|: the reference on absolute values.
std::vector<float> Bounds(const Buffers& buf) {
  std::vector<float> ax(buf.x.size()), aw(buf.w.size()), ab(buf.b.size()), out(buf.y.size());
  for (size_t i = 0; i < ax.size(); ++i) ax[i] = std::abs(buf.x[i]);
  for (size_t i = 0; i < aw.size(); ++i) aw[i] = std::abs(buf.w[i]);
  for (size_t i = 0; i < ab.size(); ++i) ab[i] = std::abs(buf.b[i]);
  ConvArgs<float> a = buf.args;
  a.x = ax.data(), a.w = aw.data(), a.bias = buf.args.bias ? ab.data() : nullptr, a.y = out.data();
  ConvReference(a);
  return out;
}

void ExpectTwins(const Problem& p, std::mt19937& rng, const std::string& label) {
  Buffers buf = Make(p, rng);
  std::vector<float> want = buf.y, im2col = buf.y, onednn = buf.y, onednn_cached = buf.y, dispatched = buf.y;
  ConvArgs<float> a = buf.args;
  a.y = want.data();
  ConvReference(a);
  a.y = im2col.data();
  ASSERT_TRUE(ConvIm2col(a, 1).ok());
  OnednnConv fresh(false), cached(true);
  a.y = onednn.data();
  ASSERT_TRUE(fresh.Run(a, 1).ok());
  a.y = onednn_cached.data();
  ASSERT_TRUE(cached.Run(a, 1).ok());
  ASSERT_TRUE(cached.Run(a, 1).ok());  // the cached entry with its reordered weights
  a.y = dispatched.data();
  ASSERT_TRUE(Conv(a, &cached, 1).ok());
  const std::vector<float> bound = Bounds(buf);
  for (size_t i = 0; i < want.size(); ++i) {
    const double tol = 1e-5 * bound[i] + 1e-6;
    ASSERT_NEAR(im2col[i], want[i], tol) << label << " im2col at " << i;
    ASSERT_NEAR(onednn[i], want[i], tol) << label << " onednn at " << i;
    ASSERT_NEAR(onednn_cached[i], want[i], tol) << label << " onednn (cached weights) at " << i;
    ASSERT_NEAR(dispatched[i], want[i], tol) << label << " dispatched at " << i;
  }
}

Problem RandomProblem(std::mt19937& rng, int trial) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Problem p;
  p.rank = 1 + trial % 3;
  p.batch = pick(1, 3);
  p.group = trial % 4 == 0 ? pick(2, 3) : 1;
  p.channels = p.group * pick(1, 4);
  p.out_channels = p.group * pick(1, 4);
  if (trial % 7 == 3) p.group = p.channels = p.out_channels = pick(2, 8);  // depthwise
  for (int d = kMaxWindowRank - p.rank; d < kMaxWindowRank; ++d) {
    p.in[d] = pick(p.rank == 3 ? 2 : 3, p.rank == 3 ? 6 : 12);
    p.kernel[d] = pick(1, 3);
    p.stride[d] = pick(1, 3);
    p.dilation[d] = pick(1, 2);
    p.pad_begin[d] = pick(0, 2);
    p.pad_end[d] = pick(0, 2);
    const int64_t extent = (p.kernel[d] - 1) * p.dilation[d] + 1;
    if (p.in[d] + p.pad_begin[d] + p.pad_end[d] < extent) p.pad_end[d] += extent;
  }
  p.bias = trial % 3 != 1;
  return p;
}

TEST(ConvTwins, RandomProblems) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 150; ++trial) ExpectTwins(RandomProblem(rng, trial), rng, "trial " + std::to_string(trial));
}

TEST(ConvTwins, ShapesOfTheSmallCnnOnBothSidesOfTheCrossover) {
  std::mt19937 rng(5);
  Problem p;
  p.in = {1, 28, 28}, p.kernel = {1, 3, 3}, p.pad_begin = p.pad_end = {0, 1, 1};
  for (auto [c, m, n] : {std::array<int64_t, 3>{1, 8, 1}, {8, 16, 4}, {16, 32, 8}}) {
    p.channels = c, p.out_channels = m, p.batch = n;
    ExpectTwins(p, rng, "cnn c=" + std::to_string(c));
  }
}

TEST(ConvTwins, EdgeShapes) {
  std::mt19937 rng(9);
  Problem pointwise;  // 1x1, stride 1, no padding: the GEMM reads X directly
  pointwise.in = {1, 5, 7}, pointwise.channels = 6, pointwise.out_channels = 4, pointwise.batch = 2;
  ExpectTwins(pointwise, rng, "pointwise");
  Problem strided_pointwise = pointwise;
  strided_pointwise.stride = {1, 2, 2};
  ExpectTwins(strided_pointwise, rng, "strided pointwise");
  Problem whole;  // kernel as large as the padded input: one output
  whole.in = {1, 3, 3}, whole.kernel = {1, 5, 5}, whole.pad_begin = whole.pad_end = {0, 1, 1}, whole.channels = 2;
  ExpectTwins(whole, rng, "whole input");
  Problem one_pixel;
  one_pixel.in = {1, 1, 1}, one_pixel.kernel = {1, 3, 3}, one_pixel.pad_begin = one_pixel.pad_end = {0, 1, 1};
  ExpectTwins(one_pixel, rng, "1x1 input padded");
  Problem empty;
  empty.batch = 0, empty.in = {1, 4, 4}, empty.kernel = {1, 3, 3};
  ExpectTwins(empty, rng, "empty batch");
}

TEST(ConvTwins, NonFiniteInputsPropagate) {
  std::mt19937 rng(2);
  Problem p;
  p.in = {1, 6, 6}, p.kernel = {1, 3, 3}, p.channels = 2, p.out_channels = 2, p.bias = false;
  Buffers buf = Make(p, rng);
  buf.x[0] = std::numeric_limits<float>::quiet_NaN();  // reaches output (0,0) of both channels
  buf.x[35] = std::numeric_limits<float>::infinity();  // channel 0's last pixel reaches the last output
  for (ConvPath path : {ConvPath::kReference, ConvPath::kIm2col, ConvPath::kOnednn}) {
    std::vector<float> y(buf.y.size());
    ConvArgs<float> a = buf.args;
    a.y = y.data();
    OnednnConv onednn(false);
    if (path == ConvPath::kReference) ConvReference(a);
    if (path == ConvPath::kIm2col) {
      ASSERT_TRUE(ConvIm2col(a, 1).ok());
    }
    if (path == ConvPath::kOnednn) {
      ASSERT_TRUE(onednn.Run(a, 1).ok());
    }
    EXPECT_TRUE(std::isnan(y[0])) << ConvPathName(path);
    EXPECT_TRUE(std::isnan(y[16])) << ConvPathName(path);
    EXPECT_TRUE(std::isinf(y[15]) || std::isnan(y[15])) << ConvPathName(path);
    EXPECT_TRUE(std::isfinite(y[5])) << ConvPathName(path);
  }
}

TEST(ConvTwins, DoubleIm2colMatchesReference) {
  std::mt19937 rng(4);
  std::normal_distribution<double> dist(0.0, 1.0);
  Problem p = RandomProblem(rng, 4);
  Result<Window> w = MakeWindow(p);
  ASSERT_TRUE(w.ok());
  ConvArgs<double> a;
  a.window = *w, a.batch = p.batch, a.in_channels = p.channels, a.out_channels = p.out_channels, a.group = p.group;
  std::vector<double> x(static_cast<size_t>(p.batch * p.channels * w->in_size()));
  std::vector<double> k(static_cast<size_t>(p.out_channels * (p.channels / p.group) * w->kernel_size()));
  std::vector<double> b(static_cast<size_t>(p.out_channels)), want(static_cast<size_t>(p.batch * p.out_channels * w->out_size()));
  std::vector<double> got(want.size());
  for (auto* v : {&x, &k, &b}) {
    for (double& e : *v) e = dist(rng);
  }
  a.x = x.data(), a.w = k.data(), a.bias = b.data(), a.y = want.data();
  ConvReference(a);
  a.y = got.data();
  ASSERT_TRUE(Conv(a, nullptr, 1).ok());
  for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-12 * (1 + std::abs(want[i])));
}

TEST(ConvTwins, PathChoiceFollowsTheMeasuredCrossover) {
  ConvArgs<float> small;
  Problem p;
  p.in = {1, 8, 8}, p.kernel = {1, 3, 3}, p.channels = 4, p.out_channels = 4;
  small.window = *MakeWindow(p);
  small.batch = 1, small.in_channels = 4, small.out_channels = 4;
  EXPECT_EQ(ChooseConvPath(small), ConvPath::kIm2col);
  ConvArgs<float> large = small;
  large.batch = 64, large.in_channels = 64, large.out_channels = 64;
  EXPECT_EQ(ChooseConvPath(large), ConvPath::kOnednn);
}

}  // namespace
}  // namespace finserve::runtime::onnx
