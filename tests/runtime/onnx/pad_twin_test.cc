// Twin test: PadFast (row copies and fills) against PadReference (one element at a time) on
// random shapes of rank 0-4 with pads in [-2, 3] (negative pads crop), all three modes, FP32 and
// BYTES (strings are assigned, not memcpy'd), plus empty inner dims and all-zero pads (one
// copy). Pad moves elements without arithmetic, so the twins must agree exactly.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/shape.h"
#include "runtime/onnx/kernels/pad.h"
#include "runtime/onnx/kernels/reference/pad_ref.h"

namespace finserve::runtime::onnx {
namespace {

template <typename T>
T Value(int64_t i) {
  if constexpr (std::is_same_v<T, std::string>) {
    return "s" + std::to_string(i);
  } else {
    return static_cast<T>(i) * T(0.5);
  }
}

template <typename T>
void Trial(std::mt19937& rng, DataType dtype, PadMode mode, size_t rank, bool allow_empty, bool zero_pads) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Dims in(rank, 0), out(rank, 0);
  std::vector<int64_t> pads(2 * rank);
  for (size_t d = 0; d < rank; ++d) {
    in[d] = pick(allow_empty && mode == PadMode::kConstant ? 0 : 1, 5);
    for (int64_t* p : {&pads[d], &pads[d + rank]}) *p = pick(mode == PadMode::kReflect ? -1 : -2, 3);
    if (mode == PadMode::kReflect) {  // reflect pads may not exceed the dim minus one in ONNX
      pads[d] = std::min<int64_t>(pads[d], in[d] - 1), pads[d + rank] = std::min<int64_t>(pads[d + rank], in[d] - 1);
    }
    if (zero_pads) pads[d] = pads[d + rank] = 0;
    if (in[d] + pads[d] + pads[d + rank] < 0) pads[d] = -in[d] - pads[d + rank];
    out[d] = in[d] + pads[d] + pads[d + rank];
  }
  Result<OwnedTensor> x = OwnedTensor::Allocate(dtype, in);
  Result<OwnedTensor> y_fast = OwnedTensor::Allocate(dtype, out), y_ref = OwnedTensor::Allocate(dtype, out);
  ASSERT_TRUE(x.ok() && y_fast.ok() && y_ref.ok());
  for (int64_t i = 0; i < x->data().size(); ++i) x->data().template mutable_data_as<T>()[i] = Value<T>(i + 1);
  const T constant = Value<T>(-7);
  PadArgs a{mode, &x->data(), pads, &constant, &y_fast->data()};
  PadFast(a);
  a.y = &y_ref->data();
  PadReference(a);
  for (int64_t i = 0; i < y_ref->data().size(); ++i) {
    ASSERT_EQ(y_fast->data().template data_as<T>()[i], y_ref->data().template data_as<T>()[i])
        << "rank " << rank << " element " << i << " in " << DimsToString(std::span<const int64_t>(in.begin(), in.end()));
  }
}

TEST(PadTwins, RandomShapesModesAndTypes) {
  std::mt19937 rng(3);
  for (int trial = 0; trial < 400; ++trial) {
    const size_t rank = static_cast<size_t>(trial % 5);
    const auto mode = static_cast<PadMode>(trial % 3);
    if (trial % 2 == 0) {
      Trial<float>(rng, DataType::kFp32, mode, rank, trial % 7 == 0, trial % 10 == 0);
    } else {
      Trial<std::string>(rng, DataType::kBytes, mode, rank, trial % 7 == 0, trial % 10 == 1);
    }
  }
}

}  // namespace
}  // namespace finserve::runtime::onnx
