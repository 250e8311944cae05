#include "core/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>
#include <algorithm>

#include "core/float16.h"

namespace finserve {
namespace {

TEST(DataTypeTest, NamesRoundTrip) {
  for (DataType t : {DataType::kBool, DataType::kUint8, DataType::kUint16, DataType::kUint32, DataType::kUint64,
                     DataType::kInt8, DataType::kInt16, DataType::kInt32, DataType::kInt64, DataType::kFp16,
                     DataType::kBf16, DataType::kFp32, DataType::kFp64, DataType::kBytes}) {
    EXPECT_EQ(DataTypeFromName(DataTypeName(t)), t);
  }
  EXPECT_EQ(DataTypeFromName("fp32"), DataType::kInvalid);  // case-sensitive, as in the protocol
  EXPECT_EQ(DataTypeSize(DataType::kFp64), 8u);
  EXPECT_EQ(DataTypeSize(DataType::kBytes), 0u);
}

TEST(ShapeTest, CheckedElementCount) {
  const std::vector<int64_t> ok = {2, 3, 4};
  EXPECT_EQ(*Shape::CheckedElementCount(ok, 100), 24);
  const std::vector<int64_t> negative = {2, -1};
  EXPECT_FALSE(Shape::CheckedElementCount(negative, 100).ok());
  const std::vector<int64_t> huge = {1LL << 40, 1LL << 40};
  auto r = Shape::CheckedElementCount(huge, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(r.ok());
  const std::vector<int64_t> declared = {-1, 3};
  const std::vector<int64_t> actual = {7, 3};
  const std::vector<int64_t> wrong = {7, 4};
  EXPECT_TRUE(Shape::Matches(declared, actual));
  EXPECT_FALSE(Shape::Matches(declared, wrong));
  EXPECT_EQ(Shape({2, 3}).ToString(), "[2,3]");
}

// Dims live in the Shape up to kInlineRank and on the heap beyond; both must behave alike.
TEST(ShapeTest, InlineAndHeapDimsBehaveAlike) {
  for (size_t rank : {size_t{0}, size_t{1}, Shape::kInlineRank, Shape::kInlineRank + 1, size_t{9}}) {
    Shape built;
    std::vector<int64_t> expected;
    for (size_t i = 0; i < rank; ++i) {
      built.push_back(static_cast<int64_t>(i + 2));
      expected.push_back(static_cast<int64_t>(i + 2));
    }
    const Shape from_vector(expected);
    ASSERT_EQ(built.rank(), rank);
    EXPECT_EQ(built, from_vector);
    EXPECT_TRUE(std::equal(built.dims().begin(), built.dims().end(), expected.begin(), expected.end()));
    Shape copy = built;
    if (rank > 0) copy[rank - 1] = 100;
    EXPECT_EQ(built, from_vector) << "a copy shares no storage";
    EXPECT_EQ(copy == built, rank == 0);
    Shape moved = std::move(copy);
    EXPECT_EQ(moved.rank(), rank);
    EXPECT_EQ(copy.rank(), 0u) << "moved-from shape is empty";  // NOLINT(bugprone-use-after-move)
    copy = built;  // a moved-from shape can be assigned again
    EXPECT_EQ(copy, built);
    int64_t product = 1;
    for (int64_t d : expected) product *= d;
    EXPECT_EQ(built.num_elements(), product);
  }
  EXPECT_EQ(Shape({2, 3}).ToString(), "[2,3]");
  EXPECT_FALSE(Shape({2, 3}) == Shape({2, 3, 1}));
}

TEST(TensorTest, NumericStorageIsAlignedAndShared) {
  Tensor t = Tensor::Zeros(DataType::kFp32, Shape{2, 3});
  EXPECT_EQ(t.num_elements(), 6);
  EXPECT_EQ(t.byte_size(), 24u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
  t.data<float>()[5] = 1.5f;
  Tensor shared = t;
  EXPECT_EQ(shared.data<float>()[5], 1.5f);
  Tensor deep = t.Clone();
  t.data<float>()[5] = 2.5f;
  EXPECT_EQ(shared.data<float>()[5], 2.5f);
  EXPECT_EQ(deep.data<float>()[5], 1.5f);
  Tensor flat = t.Reshaped(Shape{6});
  EXPECT_EQ(flat.view().num_elements(), 6);
  EXPECT_EQ(flat.raw_data(), t.raw_data());
}

// Every size gets a 64-byte-aligned buffer it can fill completely (ASan checks the bounds), which
// outlives the tensor while a view of its storage is shared.
TEST(TensorTest, EverySizeIsAlignedAndWritable) {
  for (int64_t n = 0; n <= 300; ++n) {
    Tensor t = Tensor::Uninitialized(DataType::kUint8, Shape{n});
    ASSERT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u) << n;
    if (n > 0) std::memset(t.raw_data(), 0xab, static_cast<size_t>(n));
  }
  Tensor kept;
  {
    Tensor t = Tensor::Zeros(DataType::kFp64, Shape{1000});
    t.data<double>()[999] = 4.0;
    kept = t;
  }
  EXPECT_EQ(kept.data<double>()[999], 4.0);
}

TEST(TensorTest, BytesElements) {
  std::vector<std::string> values = {"a", "", "hello"};
  Tensor t = Tensor::FromStrings(Shape{3}, std::span<const std::string>(values));
  EXPECT_EQ(t.dtype(), DataType::kBytes);
  EXPECT_EQ(t.byte_size(), 6u);
  EXPECT_EQ(t.string_at(0), "a");
  EXPECT_EQ(t.string_at(1), "");
  EXPECT_EQ(t.string_at(2), "hello");
  Tensor copy = Tensor::CopyOf(t.view());
  EXPECT_EQ(copy.string_at(2), "hello");
}

TEST(Float16Test, RoundTripsAndRounds) {
  for (float f : {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.960464477539063e-08f}) {
    EXPECT_EQ(HalfToFloat(FloatToHalf(f)), f) << f;
  }
  EXPECT_TRUE(std::isinf(HalfToFloat(FloatToHalf(1e6f))));
  EXPECT_TRUE(std::isnan(HalfToFloat(FloatToHalf(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(HalfToFloat(FloatToHalf(1.0f + 1.0f / 4096)), 1.0f);  // ties to even
  // Every half value survives half -> float -> half.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = HalfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    ASSERT_EQ(FloatToHalf(f), h) << h;
  }
  EXPECT_EQ(Bfloat16ToFloat(FloatToBfloat16(1.5f)), 1.5f);
}

}  // namespace
}  // namespace finserve
