#include "http/tfs_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "http/binary_tensors.h"

namespace finserve::http {
namespace {

using ::testing::HasSubstr;

serving::ModelMetadata TwoInputs() {
  serving::ModelMetadata md;
  md.name = "m";
  md.inputs = {{"x", DataType::kFp32, {-1, 2}, {}}, {"tag_bytes", DataType::kBytes, {-1}, {}}};
  return md;
}

TEST(TfsJsonTest, LiteralsAreRewrittenOnlyOutsideStrings) {
  std::string storage;
  EXPECT_EQ(RewriteTfsLiterals(R"({"a": [1, 2]})", &storage), R"({"a": [1, 2]})");
  EXPECT_EQ(RewriteTfsLiterals(R"({"NaN": [NaN, Infinity, -Infinity, "Infinity \"NaN"]})", &storage),
            R"({"NaN": [null, "\u0001+Inf", "\u0001-Inf", "Infinity \"NaN"]})");
}

TEST(TfsJsonTest, RowObjectsWithNonFiniteFloatsAndBase64) {
  serving::InferRequest request;
  TfsDecoded decoded;
  const std::string body = R"({"instances": [{"x": [NaN, Infinity], "tag_bytes": {"b64": "aGVsbG8="}},
                                             {"x": [-Infinity, 2.5], "tag_bytes": "plain"}]})";
  ASSERT_TRUE(DecodeTfsRequest(body, TfsMethod::kPredict, TwoInputs(), {}, &request, &decoded).ok());
  ASSERT_EQ(request.inputs.size(), 2u);
  const Tensor& x = request.inputs[0].tensor;
  EXPECT_EQ(x.shape(), Shape({2, 2})) << x.shape().ToString();
  EXPECT_TRUE(std::isnan(x.data<float>()[0]));
  EXPECT_EQ(x.data<float>()[1], INFINITY);
  EXPECT_EQ(x.data<float>()[2], -INFINITY);
  EXPECT_EQ(x.data<float>()[3], 2.5f);
  EXPECT_EQ(request.inputs[1].tensor.string_at(0), "hello");
  EXPECT_EQ(request.inputs[1].tensor.string_at(1), "plain");
  EXPECT_TRUE(decoded.row_format);
}

TEST(TfsJsonTest, ClassifyExamplesTakeMissingFeaturesFromContext) {
  serving::InferRequest request;
  TfsDecoded decoded;
  const std::string body = R"({"context": {"tag_bytes": "shared"}, "examples": [{"x": [1, 2]}, {"x": [3, 4]}]})";
  ASSERT_TRUE(DecodeTfsRequest(body, TfsMethod::kClassify, TwoInputs(), {}, &request, &decoded).ok());
  ASSERT_EQ(request.inputs.size(), 2u);
  EXPECT_EQ(request.inputs[0].name, "tag_bytes");
  EXPECT_EQ(request.inputs[0].tensor.string_at(1), "shared");
}

TEST(TfsJsonTest, ExplainsBadRequests) {
  auto message = [](std::string_view body) {
    serving::InferRequest request;
    TfsDecoded decoded;
    return DecodeTfsRequest(body, TfsMethod::kPredict, TwoInputs(), {}, &request, &decoded).message();
  };
  EXPECT_THAT(message(R"({"instances": [{"y": 1}]})"), HasSubstr("unknown input 'y' for model 'm'"));
  EXPECT_THAT(message(R"({"instances": [[1, 2]]})"), HasSubstr("has 2 inputs"));
  EXPECT_THAT(message(R"({"instances": [{"x": [1, 2], "tag_bytes": {"b64": "!!"}}]})"), HasSubstr("invalid base64"));
  EXPECT_THAT(message(R"({"instances": [{"x": [1, 2]}, {"x": [1]}]})"), HasSubstr("ragged"));
  EXPECT_THAT(message(R"({"instances": [{"x": [1, "a"], "tag_bytes": "t"}]})"), HasSubstr("not a number"));
  EXPECT_THAT(message(R"({"instances": [{"x": [1, 2]}, {"x": [1, 2], "tag_bytes": "t"}]})"), HasSubstr("lacks 'tag_bytes'"));
  EXPECT_THAT(message(R"({"oops": 1})"), HasSubstr("unknown field 'oops'"));
}

TEST(TfsJsonTest, AnswersUseTfServingLiteralsAndBase64ForBytesOutputs) {
  serving::InferResponse response;
  response.outputs.push_back({"score", Tensor::FromVector<float>(Shape({2}), std::vector<float>{NAN, 0.5f})});
  const std::vector<std::string> blobs = {"hi", "yo"};
  response.outputs.push_back({"id_bytes", Tensor::FromStrings(Shape({2}), std::span<const std::string>(blobs))});
  JsonWriter w;
  ASSERT_TRUE(EncodeTfsResponse(response, TfsMethod::kPredict, TfsDecoded{true}, &w).ok());
  EXPECT_EQ(w.str(), R"({"predictions":[{"score":NaN,"id_bytes":{"b64":"aGk="}},{"score":0.5,"id_bytes":{"b64":"eW8="}}]})");
  w.Clear();
  ASSERT_TRUE(EncodeTfsResponse(response, TfsMethod::kPredict, TfsDecoded{false}, &w).ok());
  EXPECT_EQ(w.str(), R"({"outputs":{"score":[NaN,0.5],"id_bytes":[{"b64":"aGk="},{"b64":"eW8="}]}})");
}

TEST(TfsJsonTest, Base64RoundTrip) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    std::string back;
    ASSERT_TRUE(Base64Decode(Base64Encode(s), &back));
    EXPECT_EQ(back, s);
  }
}

TEST(BinaryTensorsTest, BytesElementsAndSizeChecks) {
  std::string blob;
  const std::vector<std::string> values = {"ab", "", "xyz"};
  const Tensor t = Tensor::FromStrings(Shape({3}), std::span<const std::string>(values));
  AppendTensorBytes(t.view(), &blob);
  EXPECT_EQ(blob.size(), 3 * 4 + 5u);
  auto back = TensorFromBinary(DataType::kBytes, {3}, 3, blob);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->string_at(2), "xyz");
  EXPECT_THAT(TensorFromBinary(DataType::kBytes, {3}, 3, blob.substr(0, 16)).status().message(), HasSubstr("claims 3 bytes; only 2 remain"));
  EXPECT_THAT(TensorFromBinary(DataType::kFp32, {2}, 2, "abc").status().message(), HasSubstr("needs 8"));
  EXPECT_THAT(TensorFromBinary(DataType::kBool, {1}, 1, "\x02").status().message(), HasSubstr("neither 0 nor 1"));
}

}  // namespace
}  // namespace finserve::http
