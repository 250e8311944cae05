// Twin test of the broadcasting walker (kernels/broadcast.h), which merges dims into long runs
// for the elementwise kernels, against the obvious per-element index arithmetic: for random
// shapes of rank 0-5 with random size-1 (broadcast) and size-0 dims, both must visit the same
// input offsets for every output element, in row-major order.
#include <gtest/gtest.h>

#include <random>

#include "core/shape.h"
#include "runtime/onnx/kernels/broadcast.h"

namespace finserve::runtime::onnx {
namespace {

// Reference: for output element o, the offset of the matching element of `in` (numpy rules).
int64_t NaiveOffset(const Dims& out, const Dims& in, int64_t o) {
  const size_t pad = out.size() - in.size();
  int64_t offset = 0, stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    const int64_t index = o % out[d];
    o /= out[d];
    if (d < pad) continue;
    const int64_t dim = in[d - pad];
    offset += (dim == 1 ? 0 : index) * stride;
    stride *= dim;
  }
  return offset;
}

Dims RandomShape(std::mt19937& rng, const Dims& base) {
  // A shape that broadcasts to `base`: drop leading dims, set some dims to 1.
  std::uniform_int_distribution<size_t> drop(0, base.size());
  std::bernoulli_distribution one(0.35);
  Dims s(base.begin() + static_cast<std::ptrdiff_t>(drop(rng)), base.end());
  for (int64_t& d : s) d = one(rng) ? 1 : d;
  return s;
}

TEST(BroadcastTwins, RunsVisitTheSameOffsetsAsPerElementArithmetic) {
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> rank_dist(0, 5), dim_dist(1, 4);
  std::bernoulli_distribution zero(0.03);
  for (int trial = 0; trial < 2000; ++trial) {
    Dims out;
    const int rank = rank_dist(rng);
    for (int d = 0; d < rank; ++d) out.push_back(zero(rng) ? 0 : dim_dist(rng));
    const Dims a = RandomShape(rng, out), b = RandomShape(rng, out);
    const Dims* shapes[] = {&a, &b};
    auto merged = BroadcastShape(shapes);
    ASSERT_TRUE(merged.ok());
    const Dims full = *merged;  // may be smaller than `out` where both inputs dropped dims
    const int64_t total = Shape::CheckedElementCount(full, 1 << 20).value();
    std::vector<std::array<int64_t, 2>> got(static_cast<size_t>(total), {-1, -1});
    int64_t visited = 0;
    ForEachRun<2>(full, {&a, &b}, [&](int64_t o, const std::array<int64_t, 2>& off, int64_t n,
                                     const std::array<int64_t, 2>& step) {
      for (int64_t i = 0; i < n; ++i) {
        ASSERT_LT(o + i, total);
        got[static_cast<size_t>(o + i)] = {off[0] + step[0] * i, off[1] + step[1] * i};
      }
      visited += n;
    });
    ASSERT_EQ(visited, total) << "out " << DimsToString(full);
    for (int64_t o = 0; o < total; ++o) {
      ASSERT_EQ(got[static_cast<size_t>(o)][0], NaiveOffset(full, a, o))
          << "a " << DimsToString(a) << " out " << DimsToString(full) << " at " << o;
      ASSERT_EQ(got[static_cast<size_t>(o)][1], NaiveOffset(full, b, o))
          << "b " << DimsToString(b) << " out " << DimsToString(full) << " at " << o;
    }
  }
}

TEST(BroadcastTwins, IncompatibleShapesAreAnErrorNamingBoth) {
  const Dims a{2, 3}, b{4, 3};
  const Dims* shapes[] = {&a, &b};
  auto merged = BroadcastShape(shapes);
  ASSERT_FALSE(merged.ok());
  EXPECT_NE(merged.status().message().find("[2,3] and [4,3]"), std::string::npos) << merged.status().message();
}

}  // namespace
}  // namespace finserve::runtime::onnx
