// Twin test of ReduceSum/ReduceMean's row path (one run of adjacent reduced axes, float and
// double): the kernels run through OnnxModel on random shapes and axis sets, against a plain
// reference written here (each output's terms summed in double in row-major order, then divided
// and rounded once), the order ReduceLoop uses. Both paths must agree bit for bit, including
// axis sets that are not one run (the odometer path), keepdims 0/1 and NaN/Inf inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/onnx/onnx_test_util.h"

namespace finserve::runtime::onnx {
namespace {

using testing::ModelBuilder;

template <typename T>
std::vector<T> Reference(const std::vector<T>& x, const std::vector<int64_t>& dims, const std::vector<bool>& reduce,
                         bool mean) {
  const size_t rank = dims.size();
  std::vector<int64_t> out_dims;
  int64_t count = 1;
  for (size_t d = 0; d < rank; ++d) {
    if (reduce[d]) {
      count *= dims[d];
    } else {
      out_dims.push_back(dims[d]);
    }
  }
  int64_t outputs = 1;
  for (int64_t d : out_dims) outputs *= d;
  std::vector<double> acc(static_cast<size_t>(outputs), 0.0);
  std::vector<int64_t> index(rank, 0);
  for (size_t i = 0; i < x.size(); ++i) {  // row-major: each output's terms arrive in order
    int64_t o = 0;
    for (size_t d = 0; d < rank; ++d) {
      if (!reduce[d]) o = o * dims[d] + index[d];
    }
    acc[static_cast<size_t>(o)] += static_cast<double>(x[i]);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < dims[d]) break;
      index[d] = 0;
    }
  }
  std::vector<T> out;
  for (double a : acc) out.push_back(static_cast<T>(mean ? a / static_cast<double>(count) : a));
  return out;
}

template <typename T>
void ExpectTwins(std::mt19937& rng, int trial) {
  const int elem = std::is_same_v<T, float> ? ::onnx::TensorProto::FLOAT : ::onnx::TensorProto::DOUBLE;
  const size_t rank = 1 + rng() % 4;
  std::vector<int64_t> dims;
  for (size_t d = 0; d < rank; ++d) dims.push_back(1 + static_cast<int64_t>(rng() % 7));
  std::vector<bool> reduce(rank, false);
  std::vector<int64_t> axes;
  if (trial % 3 == 0 && rank > 2) {  // not one run: first and last axes
    reduce.front() = reduce.back() = true;
  } else {  // one run [first, last]
    const size_t first = rng() % rank, last = first + rng() % (rank - first);
    for (size_t d = first; d <= last; ++d) reduce[d] = true;
  }
  for (size_t d = 0; d < rank; ++d) {
    if (reduce[d]) axes.push_back(trial % 2 == 0 ? static_cast<int64_t>(d) : static_cast<int64_t>(d) - static_cast<int64_t>(rank));
  }
  const bool mean = trial % 4 < 2, keepdims = trial % 5 != 0;
  ModelBuilder b(11);
  std::vector<testing::Dim> in_dims(dims.begin(), dims.end());
  std::vector<testing::Dim> out_dims;
  static const char* kNames[] = {"o0", "o1", "o2", "o3"};
  for (size_t d = 0; d < rank; ++d) {
    if (keepdims || !reduce[d]) out_dims.emplace_back(kNames[d]);
  }
  b.Input("x", elem, in_dims).Output("y", elem, out_dims);
  ::onnx::NodeProto& n = b.Node(mean ? "ReduceMean" : "ReduceSum", {"x"}, {"y"});
  testing::SetAttr(n, "axes", axes);
  testing::SetAttr(n, "keepdims", static_cast<int64_t>(keepdims));
  Result<std::unique_ptr<OnnxModel>> model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  int64_t size = 1;
  for (int64_t d : dims) size *= d;
  std::normal_distribution<double> dist(0.0, 100.0);
  std::vector<T> x(static_cast<size_t>(size));
  for (T& v : x) v = static_cast<T>(dist(rng));
  if (trial % 7 == 6) x[0] = std::numeric_limits<T>::quiet_NaN();
  if (trial % 11 == 10) x.back() = std::numeric_limits<T>::infinity();
  Result<std::vector<Tensor>> out = testing::RunModel(**model, {Tensor::FromVector<T>(Shape(dims), x)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const std::vector<T> got = testing::Values<T>((*out)[0]), want = Reference(x, dims, reduce, mean);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    ASSERT_TRUE(got[i] == want[i] || (std::isnan(got[i]) && std::isnan(want[i])))
        << "trial " << trial << " output " << i << ": " << got[i] << " vs " << want[i];
  }
}

TEST(ReduceTwins, SumAndMeanMatchTheOrderedDoubleSumExactly) {
  std::mt19937 rng(31);
  for (int trial = 0; trial < 300; ++trial) {
    ExpectTwins<float>(rng, trial);
    ExpectTwins<double>(rng, trial);
  }
}

}  // namespace
}  // namespace finserve::runtime::onnx
