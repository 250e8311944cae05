// Twin test: SoftmaxRowsFp32 (Eigen's vectorised float exp, float sums) against SoftmaxLoop
// (std::exp and sums in double) for Softmax and LogSoftmax on random rows of 1 to 300 values
// with spreads up to +-60 (so exp underflows for part of the row), constant rows, and rows with
// NaN or +-inf. Tolerance: Eigen's float exp is within 2 ulp and a float sum of n terms within
// n * eps relative, so |fast - ref| <= 1e-6 + 4e-7 * n * |ref| covers both kinds of output.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "runtime/onnx/kernels/softmax.h"

namespace finserve::runtime::onnx {
namespace {

void ExpectTwins(SoftmaxKind kind, const std::vector<float>& x, int64_t rows, int64_t n) {
  std::vector<float> fast(x.size()), ref(x.size());
  SoftmaxRowsFp32(kind, x.data(), fast.data(), rows, n);
  SoftmaxLoop<float>(kind, x.data(), ref.data(), rows, n, 1);
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(ref[i])) {
      ASSERT_TRUE(std::isnan(fast[i])) << "element " << i << " of a row with n " << n;
      continue;
    }
    if (std::isinf(ref[i])) {  // LogSoftmax of -inf
      ASSERT_EQ(fast[i], ref[i]) << "element " << i << " n " << n;
      continue;
    }
    const double tol = 1e-6 + 4e-7 * static_cast<double>(n) * std::abs(ref[i]);
    ASSERT_NEAR(fast[i], ref[i], tol) << "element " << i << " n " << n << " kind " << static_cast<int>(kind);
  }
}

TEST(SoftmaxTwins, RandomRows) {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t n = std::uniform_int_distribution<int64_t>(1, 300)(rng);
    const int64_t rows = std::uniform_int_distribution<int64_t>(1, 4)(rng);
    const double spread = trial % 3 == 0 ? 60.0 : trial % 3 == 1 ? 5.0 : 0.5;
    std::uniform_real_distribution<double> dist(-spread, spread);
    std::vector<float> x(static_cast<size_t>(rows * n));
    for (float& v : x) v = static_cast<float>(dist(rng));
    ExpectTwins(trial % 2 == 0 ? SoftmaxKind::kSoftmax : SoftmaxKind::kLogSoftmax, x, rows, n);
  }
}

// Many short rows: SoftmaxRowsFp32 runs them in blocks of 16 KiB (one exp call per block), so
// these cover several blocks, a partial last block, rows wider than a block, and a NaN row
// between finite ones (it must stay in its own row).
TEST(SoftmaxTwins, ManyRowsInBlocks) {
  std::mt19937 rng(6);
  std::uniform_real_distribution<double> dist(-8.0, 8.0);
  for (auto [rows, n] : {std::pair<int64_t, int64_t>{2048, 32}, {300, 100}, {7, 4095}, {3, 5000}, {129, 33}}) {
    std::vector<float> x(static_cast<size_t>(rows * n));
    for (float& v : x) v = static_cast<float>(dist(rng));
    if (rows > 2) x[static_cast<size_t>(n + 1)] = std::numeric_limits<float>::quiet_NaN();
    ExpectTwins(SoftmaxKind::kSoftmax, x, rows, n);
    ExpectTwins(SoftmaxKind::kLogSoftmax, x, rows, n);
  }
}

TEST(SoftmaxTwins, EdgeRows) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::vector<float>> rows = {
      {3, 3, 3, 3}, {1e30f, -1e30f, 0, 1}, {nan, 1, 2, 3}, {1, 2, nan, 3}, {inf, 1, 2, 3}, {-inf, 1, 2, 3},
      {-inf, -inf, 0, 0}, {88, 89, 90, 91}, {-100, -101, -102, -103}};
  for (const auto& row : rows) {
    ExpectTwins(SoftmaxKind::kSoftmax, row, 1, static_cast<int64_t>(row.size()));
    ExpectTwins(SoftmaxKind::kLogSoftmax, row, 1, static_cast<int64_t>(row.size()));
  }
}

}  // namespace
}  // namespace finserve::runtime::onnx
