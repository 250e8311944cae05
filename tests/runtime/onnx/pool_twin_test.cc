// Twin tests: PoolFast and GlobalPool against PoolReference on random 1-D/2-D/3-D windows
// (kernel, strides, dilations, pads, ceil_mode, count_include_pad, Indices in both storage
// orders) for fp32, fp64, int8 and uint8, and edge cases (NaN skipped by max, windows of only
// NaNs, -inf and the type's lowest value, single-pixel inputs). Both sides sum in double in the
// same tap order, so the results must be identical.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "runtime/onnx/kernels/pool.h"
#include "runtime/onnx/kernels/reference/pool_ref.h"

namespace finserve::runtime::onnx {
namespace {

template <typename T>
struct Case {
  PoolArgs<T> args;
  std::vector<T> x, y_fast, y_ref;
  std::vector<int64_t> i_fast, i_ref;
};

WindowAttrs RandomAttrs(std::mt19937& rng, int rank, bool average) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  WindowAttrs a;
  a.pads_below_kernel = true;
  a.ceil_mode = pick(0, 1) == 1;
  for (int d = 0; d < rank; ++d) {
    a.kernel_shape.push_back(pick(1, 4));
    a.strides.push_back(pick(1, 3));
    a.dilations.push_back(average ? 1 : pick(1, 2));
  }
  for (int d = 0; d < 2 * rank; ++d) {
    const int64_t extent = (a.kernel_shape[d % rank] - 1) * a.dilations[d % rank] + 1;
    a.pads.push_back(pick(0, static_cast<int>(extent - 1)));
  }
  return a;
}

template <typename T>
T RandomValue(std::mt19937& rng) {
  if constexpr (std::is_floating_point_v<T>) {
    return static_cast<T>(std::normal_distribution<double>(0, 1)(rng));
  } else {
    return static_cast<T>(std::uniform_int_distribution<int>(std::numeric_limits<T>::min(), std::numeric_limits<T>::max())(rng));
  }
}

template <typename T>
void RunBoth(Case<T>& c) {
  PoolArgs<T> a = c.args;
  a.x = c.x.data();
  a.y = c.y_fast.data(), a.indices = a.indices ? c.i_fast.data() : nullptr;
  PoolFast(a);
  a.y = c.y_ref.data(), a.indices = a.indices ? c.i_ref.data() : nullptr;
  PoolReference(a);
}

template <typename T>
bool Same(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a) && std::isnan(b)) return true;
  }
  return a == b;
}

template <typename T>
void RandomTrials(PoolKind kind, int trials, uint32_t seed) {
  std::mt19937 rng(seed);
  for (int trial = 0; trial < trials; ++trial) {
    const int rank = 1 + trial % 3;
    const WindowAttrs attrs = RandomAttrs(rng, rank, kind == PoolKind::kAverage);
    std::vector<int64_t> in;
    for (int d = 0; d < rank; ++d) {
      const int64_t extent = (attrs.kernel_shape[d] - 1) * attrs.dilations[d] + 1;
      in.push_back(std::uniform_int_distribution<int64_t>(extent, extent + (rank == 3 ? 3 : 8))(rng));
    }
    Result<Window> w = PlanWindow(attrs, in, attrs.kernel_shape);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    Case<T> c;
    c.args.window = *w, c.args.kind = kind, c.args.batch = 2, c.args.channels = 3;
    c.args.count_include_pad = trial % 2 == 0;
    c.args.column_major_indices = trial % 4 == 1;
    c.x.resize(static_cast<size_t>(6 * w->in_size()));
    for (T& v : c.x) v = RandomValue<T>(rng);
    const size_t out = static_cast<size_t>(6 * w->out_size());
    c.y_fast.resize(out), c.y_ref.resize(out), c.i_fast.resize(out), c.i_ref.resize(out);
    int64_t marker = 1;  // non-null: ask for Indices
    c.args.indices = kind == PoolKind::kMax ? &marker : nullptr;
    RunBoth(c);
    for (size_t i = 0; i < out; ++i) {
      ASSERT_TRUE(Same(c.y_fast[i], c.y_ref[i])) << "trial " << trial << " at " << i << ": " << +c.y_fast[i] << " vs " << +c.y_ref[i];
      if (kind == PoolKind::kMax) {
        ASSERT_EQ(c.i_fast[i], c.i_ref[i]) << "trial " << trial << " at " << i;
      }
    }
  }
}

TEST(PoolTwins, MaxRandomWindows) {
  RandomTrials<float>(PoolKind::kMax, 120, 1);
  RandomTrials<double>(PoolKind::kMax, 30, 2);
  RandomTrials<int8_t>(PoolKind::kMax, 30, 3);
  RandomTrials<uint8_t>(PoolKind::kMax, 30, 4);
}

// 2-D, no dilation, no Indices: PoolFast's row-combining max path (and the tap-order average),
// with NaNs and infinities sprinkled in so the "-inf: redo" rule and NaN skipping are exercised.
template <typename T>
void Plain2dTrials(PoolKind kind, int trials, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < trials; ++trial) {
    WindowAttrs attrs = RandomAttrs(rng, 2, true);  // dilations 1
    std::vector<int64_t> in = {pick(static_cast<int>(attrs.kernel_shape[0]), 12),
                               pick(static_cast<int>(attrs.kernel_shape[1]), 12)};
    Result<Window> w = PlanWindow(attrs, in, attrs.kernel_shape);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    Case<T> c;
    c.args.window = *w, c.args.kind = kind, c.args.batch = 2, c.args.channels = 2;
    c.args.count_include_pad = trial % 2 == 0;
    c.x.resize(static_cast<size_t>(4 * w->in_size()));
    for (T& v : c.x) {
      const int r = pick(0, 19);
      v = r == 0 ? std::numeric_limits<T>::quiet_NaN() : r == 1 ? -std::numeric_limits<T>::infinity()
          : r == 2 ? std::numeric_limits<T>::infinity() : RandomValue<T>(rng);
    }
    if (trial % 5 == 0) std::fill(c.x.begin(), c.x.begin() + in[1] * 2, std::numeric_limits<T>::quiet_NaN());
    const size_t out = static_cast<size_t>(4 * w->out_size());
    c.y_fast.resize(out), c.y_ref.resize(out), c.i_fast.resize(out), c.i_ref.resize(out);
    RunBoth(c);
    for (size_t i = 0; i < out; ++i) {
      ASSERT_TRUE(Same(c.y_fast[i], c.y_ref[i])) << "trial " << trial << " at " << i << ": " << c.y_fast[i] << " vs " << c.y_ref[i];
    }
  }
}

TEST(PoolTwins, Plain2dWindowsWithoutIndices) {
  Plain2dTrials<float>(PoolKind::kMax, 200, 11);
  Plain2dTrials<double>(PoolKind::kMax, 50, 12);
  Plain2dTrials<float>(PoolKind::kAverage, 200, 13);
  Plain2dTrials<double>(PoolKind::kAverage, 50, 14);
}

TEST(PoolTwins, AverageRandomWindows) {
  RandomTrials<float>(PoolKind::kAverage, 120, 5);
  RandomTrials<double>(PoolKind::kAverage, 30, 6);
}

template <typename T>
Case<T> Single(std::vector<T> x, std::vector<int64_t> in, std::vector<int64_t> kernel, PoolKind kind,
               std::vector<int64_t> strides = {}) {
  WindowAttrs attrs;
  attrs.kernel_shape = kernel;
  attrs.strides = std::move(strides);
  Case<T> c;
  c.args.window = *PlanWindow(attrs, in, kernel);
  c.args.kind = kind, c.args.batch = 1, c.args.channels = 1;
  c.x = std::move(x);
  const size_t out = static_cast<size_t>(c.args.window.out_size());
  c.y_fast.resize(out), c.y_ref.resize(out), c.i_fast.resize(out), c.i_ref.resize(out);
  static int64_t marker = 1;
  c.args.indices = &marker;
  return c;
}

TEST(PoolTwins, MaxSkipsNanAndTakesTheFirstMaximum) {
  const float nan = std::nanf(""), inf = std::numeric_limits<float>::infinity();
  Case<float> c = Single<float>({nan, 2, 7, 7, nan, 5, nan, nan, -inf, -inf, 1, 1}, {12}, {2}, PoolKind::kMax, {2});
  RunBoth(c);
  const std::vector<float> want = {2, 7, 5, std::numeric_limits<float>::lowest(), -inf, 1};
  const std::vector<int64_t> want_index = {1, 2, 5, 6, 8, 10};  // ties: the first; only NaNs: the first tap
  EXPECT_EQ(c.y_fast, want);
  EXPECT_EQ(c.y_ref, want);
  EXPECT_EQ(c.i_fast, want_index);
  EXPECT_EQ(c.i_ref, want_index);
}

TEST(PoolTwins, LowestIntegerValuesGetTheirIndex) {
  Case<int8_t> c = Single<int8_t>({-128, -128, -128, -128}, {2, 2}, {2, 2}, PoolKind::kMax);
  RunBoth(c);
  EXPECT_EQ(c.y_fast[0], -128);
  EXPECT_EQ(c.i_fast[0], 0);
  EXPECT_EQ(c.i_ref[0], 0);
}

TEST(PoolTwins, GlobalPoolsMatchAWindowOverTheWholeInput) {
  std::mt19937 rng(8);
  for (int rank = 1; rank <= 3; ++rank) {
    std::vector<int64_t> in;
    for (int d = 0; d < rank; ++d) in.push_back(std::uniform_int_distribution<int64_t>(1, 7)(rng));
    for (PoolKind kind : {PoolKind::kMax, PoolKind::kAverage}) {
      Case<float> c = Single<float>({}, in, in, kind);
      c.args.batch = 2, c.args.channels = 3, c.args.indices = nullptr;
      c.x.resize(static_cast<size_t>(6 * c.args.window.in_size()));
      for (float& v : c.x) v = RandomValue<float>(rng);
      c.y_fast.resize(6), c.y_ref.resize(6);
      RunBoth(c);
      std::vector<float> global(6);
      GlobalPool(kind, c.x.data(), 6, c.args.window.in_size(), global.data());
      EXPECT_EQ(global, c.y_ref) << "rank " << rank;
    }
  }
}

TEST(PoolTwins, GlobalMaxPropagatesNan) {
  const std::vector<float> x = {1, std::nanf(""), 3, 4, 5, 6};
  std::vector<float> y(2);
  GlobalPool(PoolKind::kMax, x.data(), 2, 3, y.data());
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_EQ(y[1], 6.0f);
}

}  // namespace
}  // namespace finserve::runtime::onnx
