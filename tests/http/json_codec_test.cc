#include "http/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace finserve::http {
namespace {

using ::testing::HasSubstr;

Result<serving::InferRequest> Decode(std::string_view body, DecodeLimits limits = {}) {
  serving::InferRequest request;
  FS_RETURN_IF_ERROR(DecodeInferRequest(body, limits, &request));
  return request;
}

TEST(JsonCodecTest, DecodesNestedAndFlatData) {
  auto nested = Decode(R"({"id":"r1","inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[[1,2.5],[null,4]]}]})");
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_EQ(nested->id, "r1");
  const Tensor& t = nested->inputs[0].tensor;
  EXPECT_EQ(t.shape(), Shape({2, 2}));
  EXPECT_EQ(t.data<float>()[1], 2.5f);
  EXPECT_TRUE(std::isnan(t.data<float>()[2]));
  auto flat = Decode(R"({"inputs":[{"name":"x","datatype":"INT64","shape":[2,2],"data":[1,2,3,-4]}]})");
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(flat->inputs[0].tensor.data<int64_t>()[3], -4);
}

// Flat floating-point data has a fast path; what it does not take (null, a mixed nesting, a wrong
// count) must still decode, or fail, exactly as the general walk does.
TEST(JsonCodecTest, FlatFloatingDataEqualsTheGeneralWalk) {
  auto flat = Decode(R"({"inputs":[{"name":"x","datatype":"FP32","shape":[5],"data":[1,-2.5,null,18446744073709551615,3e38]}]})");
  ASSERT_TRUE(flat.ok()) << flat.status().ToString();
  const float* x = flat->inputs[0].tensor.data<float>();
  EXPECT_EQ(x[0], 1.0f);
  EXPECT_EQ(x[1], -2.5f);
  EXPECT_TRUE(std::isnan(x[2]));
  EXPECT_EQ(x[3], static_cast<float>(18446744073709551615.0));
  EXPECT_EQ(x[4], 3e38f);
  auto f64 = Decode(R"({"inputs":[{"name":"x","datatype":"FP64","shape":[1,2],"data":[0.1,[2]]}]})");
  ASSERT_TRUE(f64.ok()) << f64.status().ToString();
  EXPECT_EQ(f64->inputs[0].tensor.data<double>()[0], 0.1);
  EXPECT_EQ(f64->inputs[0].tensor.data<double>()[1], 2.0);
  auto too_many = Decode(R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1,2]}]})");
  EXPECT_THAT(too_many.status().message(), HasSubstr("more than the 1 elements"));
  auto text = Decode(R"({"inputs":[{"name":"x","datatype":"FP32","shape":[2],"data":[1,"2"]}]})");
  EXPECT_THAT(text.status().message(), HasSubstr("element 1 is a string"));
}

TEST(JsonCodecTest, DecodesEveryDatatype) {
  auto r = Decode(R"({"inputs":[
    {"name":"b","datatype":"BOOL","shape":[2],"data":[true,false]},
    {"name":"u8","datatype":"UINT8","shape":[1],"data":[255]},
    {"name":"i32","datatype":"INT32","shape":[1],"data":[-2147483648]},
    {"name":"u64","datatype":"UINT64","shape":[1],"data":[18446744073709551615]},
    {"name":"f64","datatype":"FP64","shape":[1],"data":[0.1]},
    {"name":"f16","datatype":"FP16","shape":[1],"data":[1.5]},
    {"name":"s","datatype":"BYTES","shape":[2],"data":["a","\u00e9"]}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->inputs[0].tensor.data<uint8_t>()[0], 1);
  EXPECT_EQ(r->inputs[1].tensor.data<uint8_t>()[0], 255);
  EXPECT_EQ(r->inputs[2].tensor.data<int32_t>()[0], INT32_MIN);
  EXPECT_EQ(r->inputs[3].tensor.data<uint64_t>()[0], UINT64_MAX);
  EXPECT_EQ(r->inputs[4].tensor.data<double>()[0], 0.1);
  EXPECT_EQ(r->inputs[6].tensor.string_at(1), "\xc3\xa9");
}

TEST(JsonCodecTest, ParametersAndOutputs) {
  auto r = Decode(R"({"parameters":{"explain":true,"k":4,"w":0.5,"s":"x"},"inputs":[],
                      "outputs":[{"name":"probability","parameters":{"binary_data":false}}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(std::get<bool>(*r->parameters.Find("explain")), true);
  EXPECT_EQ(std::get<int64_t>(*r->parameters.Find("k")), 4);
  ASSERT_EQ(r->outputs.size(), 1u);
  EXPECT_EQ(r->outputs[0].name, "probability");
}

TEST(JsonCodecTest, ErrorsNameTheProblem) {
  struct Case {
    const char* body;
    const char* fragment;
  };
  const Case cases[] = {
      {"{", "malformed JSON"},
      {"[]", "must be a JSON object"},
      {R"({"inputs":{}})", "'inputs' must be an array"},
      {R"({})", "no 'inputs'"},
      {R"({"input":[]})", "unknown field 'input'"},
      {R"({"inputs":[{"datatype":"FP32","shape":[1],"data":[1]}]})", "'name' is required"},
      {R"({"inputs":[{"name":"x","datatype":"FLOAT","shape":[1],"data":[1]}]})", "unknown datatype 'FLOAT'"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[-1],"data":[1]}]})", "negative dimension"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1.5],"data":[1]}]})", "array of integers"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[4294967296,4294967296],"data":[1]}]})", "more than"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[3],"data":[1,2]}]})", "holds 3 elements but 'data' has 2"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1,2]}]})", "more than the 1 elements"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[2],"data":[1,"2"]}]})", "element 1 is a string"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[true]}]})", "is a boolean, expected a number"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[1e39]}]})", "out of range for FP32"},
      {R"({"inputs":[{"name":"x","datatype":"INT32","shape":[1],"data":[2147483648]}]})", "out of range for INT32"},
      {R"({"inputs":[{"name":"x","datatype":"UINT8","shape":[1],"data":[-1]}]})", "out of range for UINT8"},
      {R"({"inputs":[{"name":"x","datatype":"INT64","shape":[1],"data":[1.5]}]})", "not an integer"},
      {R"({"inputs":[{"name":"x","datatype":"INT64","shape":[1],"data":[null]}]})", "only floating-point"},
      {R"({"inputs":[{"name":"x","datatype":"BOOL","shape":[1],"data":[1]}]})", "expected true or false"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":[NaN]}]})", "malformed JSON"},
      {R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1]}]})", "'data' is required"},
      {R"({"inputs":[],"outputs":{"name":"p"}})", "'outputs' must be an array"},
      {R"({"inputs":[],"parameters":{"x":[1]}})", "must be a string, number or boolean"},
      {R"({"id":5,"inputs":[]})", "'id' must be a string"},
  };
  for (const Case& c : cases) {
    auto r = Decode(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.body;
    EXPECT_THAT(r.status().message(), HasSubstr(c.fragment)) << c.body;
  }
}

TEST(JsonCodecTest, DepthAndSizeLimits) {
  std::string deep = R"({"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  deep += "1";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}]}";
  auto r = Decode(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("nested deeper than 64"));
  DecodeLimits limits;
  limits.max_elements_per_tensor = 3;
  r = Decode(R"({"inputs":[{"name":"x","datatype":"FP32","shape":[2,2],"data":[1,2,3,4]}]})", limits);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("more than 3 elements"));
}

TEST(JsonCodecTest, EncodesResponse) {
  serving::InferResponse response;
  response.model_name = "m";
  response.model_version = 2;
  response.id = "r1";
  response.model_sha256 = "aa";
  response.config_sha256 = "bb";
  response.outputs.push_back({"p", Tensor::FromVector<float>(Shape{2}, std::vector<float>{0.25f, NAN})});
  JsonWriter w;
  EncodeInferResponse(response, &w);
  EXPECT_EQ(w.str(),
            R"({"model_name":"m","model_version":"2","id":"r1","parameters":{"model_sha256":"aa","config_sha256":"bb"},)"
            R"("outputs":[{"name":"p","datatype":"FP32","shape":[2],"data":[0.25,null]}]})");
}

}  // namespace
}  // namespace finserve::http
