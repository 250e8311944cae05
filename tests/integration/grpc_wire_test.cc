// gRPC against bytes encoded by hand from the published OIP v2 field numbers (no .proto of ours
// involved on the client side: testing/proto_wire.h writes and reads the wire format, and
// grpc::GenericStub frames it), so a wrong field number in src/grpc/proto/grpc_service.proto
// fails here. Also: malformed protobuf is refused with a status and the server stays up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "integration/example_repository.h"
#include "testing/grpc_client.h"
#include "testing/proto_wire.h"
#include "testing/server_process.h"
#include "testing/xgboost_reference.h"

namespace finserve::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Contains;

constexpr char kService[] = "/inference.GRPCInferenceService/";

// Published numbers (kserve/open-inference-protocol open_inference_grpc.proto).
namespace field {
constexpr int kInferModelName = 1, kInferModelVersion = 2, kInferId = 3, kInferParameters = 4, kInferInputs = 5,
              kInferOutputs = 6, kRawInputContents = 7, kRawOutputContents = 6;
constexpr int kTensorName = 1, kTensorDatatype = 2, kTensorShape = 3, kTensorContents = 5;
constexpr int kFp32Contents = 6;
constexpr int kStringParam = 3;
constexpr int kMapKey = 1, kMapValue = 2;
}  // namespace field

std::string Text(const WireField& f) { return f.bytes; }

class GrpcWireTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"--model-repository", repository_, "--insecure-no-auth", "--grpc-port", "0"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    channel_ = GrpcChannel(server_->grpc_port());
    values_ = ExampleRows(ExampleRequest(), &rows_, &cols_);
  }

  RawCallResult Call(const std::string& rpc, const std::string& bytes) {
    return RawUnaryCall(channel_, kService + rpc, bytes);
  }

  // InferInputTensor "features", FP32, [rows, cols], with a shape written packed or unpacked.
  ProtoWriter FeaturesTensor(bool packed_shape) const {
    ProtoWriter tensor;
    tensor.Bytes(field::kTensorName, "features").Bytes(field::kTensorDatatype, "FP32");
    const std::vector<int64_t> shape = {static_cast<int64_t>(rows_), static_cast<int64_t>(cols_)};
    if (packed_shape) {
      tensor.PackedVarints(field::kTensorShape, shape);
    } else {
      for (int64_t d : shape) tensor.Varint(field::kTensorShape, static_cast<uint64_t>(d));
    }
    return tensor;
  }

  std::vector<float> Reference(XgboostOutput output) const {
    return XgboostPredict(repository_ + "/credit_gbdt/1/model.json", values_, rows_, cols_, output);
  }

  std::string repository_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<::grpc::Channel> channel_;
  std::vector<float> values_;
  size_t rows_ = 0, cols_ = 0;
};

std::vector<float> Floats(const std::string& bytes) {
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

TEST_F(GrpcWireTest, HealthAndMetadataByHand) {
  auto live = Call("ServerLive", "");
  ASSERT_TRUE(live.status.ok()) << live.status.error_message();
  auto fields = ParseWire(live.body);
  ASSERT_TRUE(fields);
  ASSERT_EQ(fields->size(), 1u);
  EXPECT_EQ((*fields)[0].number, 1);  // ServerLiveResponse.live
  EXPECT_EQ((*fields)[0].value, 1u);

  auto md = Call("ServerMetadata", "");
  ASSERT_TRUE(md.status.ok());
  fields = ParseWire(md.body);
  ASSERT_TRUE(fields);
  EXPECT_EQ(Text(FieldsNumbered(*fields, 1).at(0)), "finserve");  // name
  std::vector<std::string> extensions;
  for (const auto& f : FieldsNumbered(*fields, 3)) extensions.push_back(f.bytes);
  EXPECT_THAT(extensions, Contains("model_repository"));

  auto ready = Call("ModelReady", ProtoWriter().Bytes(1, "credit_gbdt").Bytes(2, "1").bytes());
  ASSERT_TRUE(ready.status.ok()) << ready.status.error_message();
  fields = ParseWire(ready.body);
  ASSERT_TRUE(fields);
  EXPECT_EQ(FieldsNumbered(*fields, 1).at(0).value, 1u);

  auto model = Call("ModelMetadata", ProtoWriter().Bytes(1, "credit_gbdt").bytes());
  ASSERT_TRUE(model.status.ok()) << model.status.error_message();
  fields = ParseWire(model.body);
  ASSERT_TRUE(fields);
  EXPECT_EQ(Text(FieldsNumbered(*fields, 1).at(0)), "credit_gbdt");
  EXPECT_EQ(Text(FieldsNumbered(*fields, 2).at(0)), "1");             // versions
  EXPECT_EQ(Text(FieldsNumbered(*fields, 3).at(0)), "xgboost_json");  // platform
  auto input = ParseWire(FieldsNumbered(*fields, 4).at(0).bytes);     // inputs[0]
  ASSERT_TRUE(input);
  EXPECT_EQ(Text(FieldsNumbered(*input, 1).at(0)), "features");
  EXPECT_EQ(Text(FieldsNumbered(*input, 2).at(0)), "FP32");
  EXPECT_EQ(UnpackVarints(FieldsNumbered(*input, 3).at(0).bytes), (std::vector<int64_t>{-1, 25}));
  EXPECT_EQ(FieldsNumbered(*fields, 5).size(), 2u);  // outputs
}

// The standard health service (grpc.health.v1.Health/Check, HealthCheckResponse.status = 1 SERVING).
TEST_F(GrpcWireTest, StandardHealthCheckServes) {
  auto check = RawUnaryCall(channel_, "/grpc.health.v1.Health/Check", "");
  ASSERT_TRUE(check.status.ok()) << check.status.error_message();
  auto fields = ParseWire(check.body);
  ASSERT_TRUE(fields);
  ASSERT_EQ(FieldsNumbered(*fields, 1).size(), 1u);
  EXPECT_EQ(FieldsNumbered(*fields, 1)[0].value, 1u);
}

TEST_F(GrpcWireTest, TypedInferByHand) {
  ProtoWriter contents;
  contents.PackedFloats(field::kFp32Contents, values_);
  ProtoWriter tensor = FeaturesTensor(false);
  tensor.Message(field::kTensorContents, contents);
  ProtoWriter parameter;
  parameter.Bytes(field::kStringParam, "loan-origination");
  ProtoWriter entry;
  entry.Bytes(field::kMapKey, "caller").Message(field::kMapValue, parameter);
  ProtoWriter request;
  request.Bytes(field::kInferModelName, "credit_gbdt")
      .Bytes(field::kInferModelVersion, "1")
      .Bytes(field::kInferId, "wire-1")
      .Message(field::kInferParameters, entry)
      .Message(field::kInferInputs, tensor)
      .Message(field::kInferOutputs, ProtoWriter().Bytes(1, "probability"));

  auto result = Call("ModelInfer", request.bytes());
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  auto fields = ParseWire(result.body);
  ASSERT_TRUE(fields);
  EXPECT_EQ(Text(FieldsNumbered(*fields, 1).at(0)), "credit_gbdt");
  EXPECT_EQ(Text(FieldsNumbered(*fields, 2).at(0)), "1");
  EXPECT_EQ(Text(FieldsNumbered(*fields, 3).at(0)), "wire-1");
  bool saw_sha = false;
  for (const auto& e : FieldsNumbered(*fields, 4)) {  // map<string, InferParameter>
    auto kv = ParseWire(e.bytes);
    ASSERT_TRUE(kv);
    if (Text(FieldsNumbered(*kv, field::kMapKey).at(0)) != "model_sha256") continue;
    auto value = ParseWire(FieldsNumbered(*kv, field::kMapValue).at(0).bytes);
    ASSERT_TRUE(value);
    EXPECT_EQ(FieldsNumbered(*value, field::kStringParam).at(0).bytes.size(), 64u);
    saw_sha = true;
  }
  EXPECT_TRUE(saw_sha);
  const auto outputs = FieldsNumbered(*fields, 5);
  ASSERT_EQ(outputs.size(), 1u);
  auto out = ParseWire(outputs[0].bytes);
  ASSERT_TRUE(out);
  EXPECT_EQ(Text(FieldsNumbered(*out, 1).at(0)), "probability");
  EXPECT_EQ(Text(FieldsNumbered(*out, 2).at(0)), "FP32");
  EXPECT_EQ(UnpackVarints(FieldsNumbered(*out, 3).at(0).bytes), (std::vector<int64_t>{static_cast<int64_t>(rows_)}));
  auto answer_contents = ParseWire(FieldsNumbered(*out, 5).at(0).bytes);
  ASSERT_TRUE(answer_contents);
  const auto got = Floats(FieldsNumbered(*answer_contents, field::kFp32Contents).at(0).bytes);
  const auto want = Reference(XgboostOutput::kValue);
  ASSERT_EQ(got.size(), rows_);
  for (size_t r = 0; r < rows_; ++r) EXPECT_NEAR(got[r], want[r], 1e-6);
}

TEST_F(GrpcWireTest, RawInferByHand) {
  ProtoWriter request;
  request.Bytes(field::kInferModelName, "credit_gbdt")
      .Message(field::kInferInputs, FeaturesTensor(true))
      .Bytes(field::kRawInputContents,
             std::string_view(reinterpret_cast<const char*>(values_.data()), values_.size() * sizeof(float)));
  auto result = Call("ModelInfer", request.bytes());
  ASSERT_TRUE(result.status.ok()) << result.status.error_message();
  auto fields = ParseWire(result.body);
  ASSERT_TRUE(fields);
  const auto outputs = FieldsNumbered(*fields, 5);
  const auto raw = FieldsNumbered(*fields, field::kRawOutputContents);
  ASSERT_EQ(outputs.size(), 2u);
  ASSERT_EQ(raw.size(), 2u);
  for (size_t i = 0; i < outputs.size(); ++i) {
    auto out = ParseWire(outputs[i].bytes);
    ASSERT_TRUE(out);
    const std::string name = Text(FieldsNumbered(*out, 1).at(0));
    EXPECT_TRUE(FieldsNumbered(*out, 5).empty()) << "raw answers carry no typed contents";
    const auto want = Reference(name == "probability" ? XgboostOutput::kValue : XgboostOutput::kMargin);
    const auto got = Floats(raw[i].bytes);
    ASSERT_EQ(got.size(), rows_) << name;
    for (size_t r = 0; r < rows_; ++r) EXPECT_NEAR(got[r], want[r], 1e-6) << name;
  }
}

TEST_F(GrpcWireTest, MalformedProtobufIsRefusedAndServerStaysUp) {
  const std::string valid_prefix = ProtoWriter().Bytes(field::kInferModelName, "credit_gbdt").bytes();
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"garbage", std::string("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11)},
      {"truncated length-delimited field", valid_prefix.substr(0, valid_prefix.size() - 3)},
      {"length beyond the message", std::string("\x0a\xff\xff\xff\x0f" "abc", 8)},
      {"field number 0", std::string("\x02\x01x", 3)},
      {"invalid UTF-8 in a string", ProtoWriter().Bytes(field::kInferModelName, "\xc3\x28").bytes()},
      {"end-group without start", std::string("\x0c", 1)},
  };
  for (const auto& [what, bytes] : cases) {
    auto result = Call("ModelInfer", bytes);
    EXPECT_EQ(result.status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT) << what;
    EXPECT_THAT(result.status.error_message(), HasSubstr("is not a valid inference.ModelInferRequest protobuf message"))
        << what;
  }
  // A known field with the wrong wire type parses as an unknown field: the request has no model.
  auto wrong_type = Call("ModelInfer", ProtoWriter().Varint(field::kInferModelName, 7).bytes());
  EXPECT_EQ(wrong_type.status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wrong_type.status.error_message(), "'model_name' is required");

  auto unknown_rpc = Call("ModelStreamInfer", "");
  EXPECT_EQ(unknown_rpc.status.error_code(), ::grpc::StatusCode::UNIMPLEMENTED);

  auto garbage_live = Call("ServerLive", std::string("\xff", 1));
  EXPECT_EQ(garbage_live.status.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  auto live = Call("ServerLive", "");
  EXPECT_TRUE(live.status.ok()) << server_->Log();
  // protobuf's own complaints (invalid UTF-8) stay out of the log at the default level.
  EXPECT_THAT(server_->Log(), ::testing::Not(HasSubstr("libprotobuf"))) << server_->Log();
}

}  // namespace
}  // namespace finserve::testing
