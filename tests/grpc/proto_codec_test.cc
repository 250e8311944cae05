#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "grpc/proto_codec.h"

namespace finserve::grpc {
namespace {

using ::testing::HasSubstr;
using Message = inference::ModelInferRequest;

Message OneInput(const std::string& datatype, std::vector<int64_t> shape) {
  Message m;
  m.set_model_name("credit_gbdt");
  auto* in = m.add_inputs();
  in->set_name("features");
  in->set_datatype(datatype);
  for (int64_t d : shape) in->add_shape(d);
  return m;
}

std::string RawFloats(const std::vector<float>& values) {
  std::string raw(values.size() * 4, '\0');
  std::memcpy(raw.data(), values.data(), raw.size());
  return raw;
}

Status Decode(const Message& m, serving::InferRequest* out, DecodeLimits limits = {}) {
  return DecodeInferRequest(m, limits, out);
}

std::string DecodeError(const Message& m, DecodeLimits limits = {}) {
  serving::InferRequest r;
  Status s = Decode(m, &r, limits);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  return s.message();
}

TEST(ProtoDecodeTest, TypedAndRawContentsGiveTheSameTensor) {
  const std::vector<float> values = {1.5f, -2.0f, std::nanf(""), 4.0f, 0.0f, 7.25f};
  Message typed = OneInput("FP32", {2, 3});
  for (float v : values) typed.mutable_inputs(0)->mutable_contents()->add_fp32_contents(v);
  typed.set_id("req-1");
  typed.set_model_version("1");
  Message raw = OneInput("FP32", {2, 3});
  raw.add_raw_input_contents(RawFloats(values));

  serving::InferRequest a, b;
  ASSERT_TRUE(Decode(typed, &a).ok());
  ASSERT_TRUE(Decode(raw, &b).ok());
  EXPECT_EQ(a.model_name, "credit_gbdt");
  EXPECT_EQ(a.model_version, "1");
  EXPECT_EQ(a.id, "req-1");
  ASSERT_EQ(a.inputs.size(), 1u);
  EXPECT_EQ(a.inputs[0].dtype, DataType::kFp32);
  EXPECT_EQ(a.inputs[0].tensor.shape().ToString(), "[2,3]");
  ASSERT_EQ(a.inputs[0].tensor.byte_size(), b.inputs[0].tensor.byte_size());
  EXPECT_EQ(std::memcmp(a.inputs[0].tensor.raw_data(), b.inputs[0].tensor.raw_data(), 24), 0);
  EXPECT_TRUE(std::isnan(a.inputs[0].tensor.data<float>()[2]));  // NaN = a missing value
  EXPECT_FALSE(WantsRawOutputs(typed));
  EXPECT_TRUE(WantsRawOutputs(raw));
}

TEST(ProtoDecodeTest, CountMismatchNamesInputShapeAndField) {
  Message m = OneInput("FP32", {2, 25});
  for (int i = 0; i < 49; ++i) m.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1.0f);
  EXPECT_EQ(DecodeError(m), "input 'features': shape [2,25] holds 50 elements but fp32_contents has 49");
}

TEST(ProtoDecodeTest, WrongTypedFieldForDatatype) {
  Message m = OneInput("FP32", {1});
  m.mutable_inputs(0)->mutable_contents()->add_int64_contents(3);
  EXPECT_EQ(DecodeError(m), "input 'features': datatype FP32 takes fp32_contents, but int64_contents is set");
}

TEST(ProtoDecodeTest, HalfPrecisionOnlyRaw) {
  Message typed = OneInput("FP16", {1});
  typed.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1.0f);
  EXPECT_THAT(DecodeError(typed), HasSubstr("has no typed contents field; send it in raw_input_contents"));
  Message raw = OneInput("FP16", {2});
  raw.add_raw_input_contents(std::string("\x00\x3c\x00\xc0", 4));  // 1.0, -2.0
  serving::InferRequest r;
  ASSERT_TRUE(Decode(raw, &r).ok());
  EXPECT_EQ(r.inputs[0].tensor.data<uint16_t>()[0], 0x3c00);
  Message inf = OneInput("FP16", {1});
  inf.add_raw_input_contents(std::string("\x00\x7c", 2));
  EXPECT_THAT(DecodeError(inf), HasSubstr("element 0 is infinite"));
}

TEST(ProtoDecodeTest, RawSizeAndCountProblems) {
  Message size = OneInput("FP32", {2, 2});
  size.add_raw_input_contents(std::string(15, '\0'));
  EXPECT_EQ(DecodeError(size), "input 'features': raw_input_contents has 15 bytes but shape [2,2] of FP32 needs 16");

  Message count = OneInput("FP32", {1});
  count.add_raw_input_contents(RawFloats({1}));
  count.add_raw_input_contents(RawFloats({2}));
  EXPECT_THAT(DecodeError(count), HasSubstr("raw_input_contents has 2 entries but the request has 1 inputs"));

  Message both = OneInput("FP32", {1});
  both.mutable_inputs(0)->mutable_contents()->add_fp32_contents(1.0f);
  both.add_raw_input_contents(RawFloats({1}));
  EXPECT_THAT(DecodeError(both), HasSubstr("'contents' is set although the request uses raw_input_contents"));
}

TEST(ProtoDecodeTest, RawBytesElements) {
  Message m = OneInput("BYTES", {2});
  m.add_raw_input_contents(std::string("\x03\x00\x00\x00" "abc" "\x00\x00\x00\x00", 11));
  serving::InferRequest r;
  ASSERT_TRUE(Decode(m, &r).ok());
  EXPECT_EQ(r.inputs[0].tensor.string_at(0), "abc");
  EXPECT_EQ(r.inputs[0].tensor.string_at(1), "");

  Message truncated = OneInput("BYTES", {1});
  truncated.add_raw_input_contents(std::string("\xff\xff\xff\x7f" "ab", 6));
  EXPECT_THAT(DecodeError(truncated), HasSubstr("element 0 claims 2147483647 bytes but only 2 remain"));
  Message trailing = OneInput("BYTES", {1});
  trailing.add_raw_input_contents(std::string("\x01\x00\x00\x00" "a" "zz", 7));
  EXPECT_THAT(DecodeError(trailing), HasSubstr("has 2 bytes after the 1 elements"));
  Message short_length = OneInput("BYTES", {1});
  short_length.add_raw_input_contents(std::string("\x01\x00", 2));
  EXPECT_THAT(DecodeError(short_length), HasSubstr("ends before its 4-byte length"));
}

TEST(ProtoDecodeTest, ValueChecks) {
  Message int8 = OneInput("INT8", {2});
  int8.mutable_inputs(0)->mutable_contents()->add_int_contents(5);
  int8.mutable_inputs(0)->mutable_contents()->add_int_contents(300);
  EXPECT_EQ(DecodeError(int8), "input 'features': element 1 (300) is out of range for INT8");

  Message inf = OneInput("FP64", {1});
  inf.mutable_inputs(0)->mutable_contents()->add_fp64_contents(std::numeric_limits<double>::infinity());
  EXPECT_THAT(DecodeError(inf), HasSubstr("element 0 is infinite; send finite numbers (NaN marks a missing value)"));

  Message boolean = OneInput("BOOL", {2});
  boolean.add_raw_input_contents(std::string("\x01\x02", 2));
  EXPECT_EQ(DecodeError(boolean), "input 'features': element 1 is not a BOOL byte (0 or 1)");
}

TEST(ProtoDecodeTest, ShapeDatatypeAndLimits) {
  EXPECT_THAT(DecodeError(OneInput("FP42", {1})), HasSubstr("unknown datatype 'FP42'"));
  EXPECT_THAT(DecodeError(OneInput("", {1})), HasSubstr("'datatype' is required"));
  EXPECT_THAT(DecodeError(OneInput("FP32", {-1, 2})), HasSubstr("negative dimension (-1)"));
  EXPECT_THAT(DecodeError(OneInput("FP32", {1 << 20, 1 << 20})), HasSubstr("input 'features'"));

  DecodeLimits small;
  small.max_inputs = 1;
  Message two = OneInput("FP32", {0});
  *two.add_inputs() = two.inputs(0);
  EXPECT_EQ(DecodeError(two, small), "request has 2 inputs; the limit is 1");

  Message no_name = OneInput("FP32", {0});
  no_name.clear_model_name();
  EXPECT_EQ(DecodeError(no_name), "'model_name' is required");
  Message no_inputs;
  no_inputs.set_model_name("m");
  EXPECT_EQ(DecodeError(no_inputs), "inference request has no 'inputs'");
  Message unnamed = OneInput("FP32", {0});
  unnamed.mutable_inputs(0)->clear_name();
  EXPECT_THAT(DecodeError(unnamed), HasSubstr("inputs[0]: 'name' is required"));
}

TEST(ProtoDecodeTest, ParametersAndOutputs) {
  Message m = OneInput("FP32", {0});
  (*m.mutable_parameters())["b"].set_int64_param(-3);
  (*m.mutable_parameters())["a"].set_string_param("x");
  (*m.mutable_parameters())["c"].set_uint64_param(7);
  auto* out = m.add_outputs();
  out->set_name("probability");
  (*out->mutable_parameters())["binary_data"].set_bool_param(true);
  serving::InferRequest r;
  ASSERT_TRUE(Decode(m, &r).ok());
  ASSERT_EQ(r.parameters.items().size(), 3u);
  EXPECT_EQ(r.parameters.items()[0].first, "a");  // sorted by name
  EXPECT_EQ(std::get<int64_t>(*r.parameters.Find("b")), -3);
  EXPECT_EQ(std::get<int64_t>(*r.parameters.Find("c")), 7);
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].name, "probability");
  EXPECT_EQ(std::get<bool>(*r.outputs[0].parameters.Find("binary_data")), true);

  Message big = OneInput("FP32", {0});
  (*big.mutable_parameters())["n"].set_uint64_param(std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(DecodeError(big), "'parameters'.n is out of range");
  Message unset = OneInput("FP32", {0});
  (*unset.mutable_parameters())["n"];
  EXPECT_THAT(DecodeError(unset), HasSubstr("'parameters'.n has no value"));
  Message nameless = OneInput("FP32", {0});
  nameless.add_outputs();
  EXPECT_EQ(DecodeError(nameless), "outputs[0]: 'name' is required and must be a non-empty string");
}

serving::InferResponse SampleResponse() {
  serving::InferResponse r;
  r.model_name = "credit_gbdt";
  r.model_version = 3;
  r.id = "req-9";
  r.model_sha256 = std::string(64, 'a');
  r.config_sha256 = std::string(64, 'b');
  r.parameters.Set("decision", std::string("approve"));
  r.outputs.push_back({"probability", Tensor::FromVector<float>(Shape({2}), std::vector<float>{0.25f, 0.5f})});
  const std::vector<std::string> labels = {"good", "bad"};
  r.outputs.push_back({"label", Tensor::FromStrings(Shape({2}), std::span<const std::string>(labels))});
  return r;
}

TEST(ProtoEncodeTest, TypedAnswer) {
  inference::ModelInferResponse m;
  EncodeInferResponse(SampleResponse(), false, &m);
  EXPECT_EQ(m.model_name(), "credit_gbdt");
  EXPECT_EQ(m.model_version(), "3");
  EXPECT_EQ(m.id(), "req-9");
  EXPECT_EQ(m.parameters().at("model_sha256").string_param(), std::string(64, 'a'));
  EXPECT_EQ(m.parameters().at("config_sha256").string_param(), std::string(64, 'b'));
  EXPECT_EQ(m.parameters().at("decision").string_param(), "approve");
  ASSERT_EQ(m.outputs_size(), 2);
  EXPECT_EQ(m.raw_output_contents_size(), 0);
  EXPECT_EQ(m.outputs(0).datatype(), "FP32");
  EXPECT_EQ(m.outputs(0).shape(0), 2);
  EXPECT_EQ(m.outputs(0).contents().fp32_contents(1), 0.5f);
  EXPECT_EQ(m.outputs(1).contents().bytes_contents(0), "good");
}

TEST(ProtoEncodeTest, RawAnswerAndHalfPrecisionForcesRaw) {
  inference::ModelInferResponse m;
  EncodeInferResponse(SampleResponse(), true, &m);
  ASSERT_EQ(m.raw_output_contents_size(), 2);
  EXPECT_FALSE(m.outputs(0).has_contents());
  EXPECT_EQ(m.raw_output_contents(0), RawFloats({0.25f, 0.5f}));
  EXPECT_EQ(m.raw_output_contents(1), std::string("\x04\x00\x00\x00" "good" "\x03\x00\x00\x00" "bad", 15));

  serving::InferResponse half = SampleResponse();
  Tensor fp16 = Tensor::Uninitialized(DataType::kFp16, Shape({1}));
  fp16.data<uint16_t>()[0] = 0x3c00;  // 1.0
  half.outputs.push_back({"h", fp16});
  inference::ModelInferResponse h;
  EncodeInferResponse(half, false, &h);
  EXPECT_EQ(h.raw_output_contents_size(), 3);
  EXPECT_EQ(h.raw_output_contents(2), std::string("\x00\x3c", 2));
}

TEST(ProtoEncodeTest, Metadata) {
  serving::ModelMetadata md;
  md.name = "credit_gbdt";
  md.versions = {"1", "2"};
  md.platform = "xgboost_json";
  md.inputs.push_back({"features", DataType::kFp32, {-1, 25}, {}});
  md.outputs.push_back({"probability", DataType::kFp32, {-1}, {}});
  inference::ModelMetadataResponse m;
  EncodeModelMetadata(md, &m);
  EXPECT_EQ(m.versions_size(), 2);
  EXPECT_EQ(m.inputs(0).datatype(), "FP32");
  EXPECT_EQ(m.inputs(0).shape(0), -1);
  EXPECT_EQ(m.inputs(0).shape(1), 25);
  EXPECT_EQ(m.outputs(0).name(), "probability");
}

}  // namespace
}  // namespace finserve::grpc
