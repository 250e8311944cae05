// Starts the real finserve binary with --grpc-port 0 and talks gRPC to it with a C++ client built
// from our .proto, next to HTTP on the same server: every RPC, typed and raw contents, answers
// equal to HTTP's and to the real XGBoost, validation errors equal to HTTP's, the message size
// limit, unknown models, and a clean SIGTERM.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "core/env.h"
#include "core/sha256.h"
#include "grpc_service.grpc.pb.h"
#include "integration/example_repository.h"
#include "integration/grpc_requests.h"
#include "testing/grpc_client.h"
#include "testing/http_client.h"
#include "testing/server_process.h"
#include "testing/xgboost_reference.h"

namespace finserve::testing {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::HasSubstr;

class GrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", repository_, "--insecure-no-auth", "--poll-interval-s", "1", "--threads", "2",
        "--grpc-port", "0", "--grpc-max-message-bytes", "200000"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    ASSERT_GT(server_->grpc_port(), 0) << server_->Log();
    stub_ = inference::GRPCInferenceService::NewStub(GrpcChannel(server_->grpc_port()));
    http_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string ModelFile() const { return repository_ + "/credit_gbdt/1/model.json"; }

  // gRPC ModelInfer, returning the status and filling `response`.
  ::grpc::Status Infer(const inference::ModelInferRequest& request, inference::ModelInferResponse* response) {
    return stub_->ModelInfer(GrpcContext().get(), request, response);
  }

  std::string repository_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
  std::unique_ptr<HttpClient> http_;
};

TEST_F(GrpcTest, HealthAndServerMetadataMatchHttp) {
  inference::ServerLiveResponse live;
  ASSERT_TRUE(stub_->ServerLive(GrpcContext().get(), {}, &live).ok());
  EXPECT_TRUE(live.live());
  inference::ServerReadyResponse ready;
  ASSERT_TRUE(stub_->ServerReady(GrpcContext().get(), {}, &ready).ok());
  EXPECT_TRUE(ready.ready());

  inference::ServerMetadataResponse md;
  ASSERT_TRUE(stub_->ServerMetadata(GrpcContext().get(), {}, &md).ok());
  const json http = json::parse(http_->Get("/v2").body);
  EXPECT_EQ(md.name(), http["name"]);
  EXPECT_EQ(md.version(), http["version"]);
  std::vector<std::string> extensions(md.extensions().begin(), md.extensions().end());
  EXPECT_EQ(extensions, http["extensions"].get<std::vector<std::string>>());
  EXPECT_THAT(extensions, Contains("model_repository"));
}

TEST_F(GrpcTest, ModelMetadataAndReadyMatchHttp) {
  inference::ModelMetadataRequest request;
  request.set_name("credit_gbdt");
  inference::ModelMetadataResponse md;
  ASSERT_TRUE(stub_->ModelMetadata(GrpcContext().get(), request, &md).ok());
  const json http = json::parse(http_->Get("/v2/models/credit_gbdt").body);
  EXPECT_EQ(md.name(), "credit_gbdt");
  EXPECT_EQ(md.platform(), http["platform"]);
  EXPECT_EQ(std::vector<std::string>(md.versions().begin(), md.versions().end()),
            http["versions"].get<std::vector<std::string>>());
  ASSERT_EQ(md.inputs_size(), static_cast<int>(http["inputs"].size()));
  ASSERT_EQ(md.outputs_size(), static_cast<int>(http["outputs"].size()));
  for (int i = 0; i < md.inputs_size(); ++i) {
    EXPECT_EQ(md.inputs(i).name(), http["inputs"][i]["name"]);
    EXPECT_EQ(md.inputs(i).datatype(), http["inputs"][i]["datatype"]);
    EXPECT_EQ(std::vector<int64_t>(md.inputs(i).shape().begin(), md.inputs(i).shape().end()),
              http["inputs"][i]["shape"].get<std::vector<int64_t>>());
  }
  for (int i = 0; i < md.outputs_size(); ++i) EXPECT_EQ(md.outputs(i).name(), http["outputs"][i]["name"]);

  inference::ModelReadyRequest ready_request;
  ready_request.set_name("credit_gbdt");
  inference::ModelReadyResponse ready;
  ASSERT_TRUE(stub_->ModelReady(GrpcContext().get(), ready_request, &ready).ok());
  EXPECT_TRUE(ready.ready());
  ready_request.set_version("1");
  ASSERT_TRUE(stub_->ModelReady(GrpcContext().get(), ready_request, &ready).ok());
  EXPECT_TRUE(ready.ready());
}

TEST_F(GrpcTest, UnknownModelsAndVersions) {
  inference::ModelReadyRequest ready_request;
  ready_request.set_name("no_such_model");
  inference::ModelReadyResponse ready;
  auto s = stub_->ModelReady(GrpcContext().get(), ready_request, &ready);
  EXPECT_EQ(s.error_code(), ::grpc::StatusCode::NOT_FOUND);
  const json http = json::parse(http_->Get("/v2/models/no_such_model/ready").body);
  EXPECT_EQ(s.error_message(), http["error"]);

  inference::ModelMetadataRequest md_request;
  md_request.set_name("credit_gbdt");
  md_request.set_version("99");
  inference::ModelMetadataResponse md;
  EXPECT_EQ(stub_->ModelMetadata(GrpcContext().get(), md_request, &md).error_code(), ::grpc::StatusCode::NOT_FOUND);
  md_request.set_version("latest");
  EXPECT_EQ(stub_->ModelMetadata(GrpcContext().get(), md_request, &md).error_code(),
            ::grpc::StatusCode::INVALID_ARGUMENT);
  md_request.clear_name();
  EXPECT_EQ(stub_->ModelMetadata(GrpcContext().get(), md_request, &md).error_code(),
            ::grpc::StatusCode::INVALID_ARGUMENT);

  auto request = TypedExampleRequest();
  request.set_model_name("no_such_model");
  inference::ModelInferResponse response;
  s = Infer(request, &response);
  EXPECT_EQ(s.error_code(), ::grpc::StatusCode::NOT_FOUND);
  auto http_infer = http_->Post("/v2/models/no_such_model/infer", ExampleRequest().dump());
  EXPECT_EQ(http_infer.status, 404);
  EXPECT_EQ(s.error_message(), json::parse(http_infer.body)["error"]);
}

TEST_F(GrpcTest, TypedAnswerEqualsHttpAndRealXgboost) {
  inference::ModelInferResponse response;
  auto s = Infer(TypedExampleRequest(), &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  auto http = http_->Post("/v2/models/credit_gbdt/infer", ExampleRequest().dump());
  ASSERT_EQ(http.status, 200) << http.body;
  const json answer = json::parse(http.body);

  EXPECT_EQ(response.model_name(), "credit_gbdt");
  EXPECT_EQ(response.model_version(), "1");
  EXPECT_EQ(response.id(), "example-1");
  auto bytes = Env::Default()->ReadFile(ModelFile());
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(response.parameters().at("model_sha256").string_param(), Sha256Hex(*bytes));
  EXPECT_EQ(response.parameters().at("config_sha256").string_param(), answer["parameters"]["config_sha256"]);
  EXPECT_EQ(response.raw_output_contents_size(), 0);

  size_t rows = 0, cols = 0;
  const auto matrix = ExampleRows(ExampleRequest(), &rows, &cols);
  const auto probability = XgboostPredict(ModelFile(), matrix, rows, cols, XgboostOutput::kValue);
  const auto margin = XgboostPredict(ModelFile(), matrix, rows, cols, XgboostOutput::kMargin);
  ASSERT_EQ(response.outputs_size(), static_cast<int>(answer["outputs"].size()));
  for (int i = 0; i < response.outputs_size(); ++i) {
    const auto& out = response.outputs(i);
    EXPECT_EQ(out.name(), answer["outputs"][i]["name"]);
    EXPECT_EQ(out.datatype(), "FP32");
    ASSERT_EQ(out.shape_size(), 1);
    EXPECT_EQ(out.shape(0), static_cast<int64_t>(rows));
    const auto values = OutputFloats(response, i);
    EXPECT_EQ(values, HttpOutputFloats(answer, out.name())) << out.name();  // bit for bit
    const auto& want = out.name() == "probability" ? probability : margin;
    for (size_t r = 0; r < rows; ++r) EXPECT_NEAR(values[r], want[r], 1e-6) << out.name();
  }
}

TEST_F(GrpcTest, RawContentsAnswerRawAndEqualTyped) {
  inference::ModelInferResponse typed, raw;
  ASSERT_TRUE(Infer(TypedExampleRequest(), &typed).ok());
  auto s = Infer(RawExampleRequest(), &raw);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(raw.outputs_size(), typed.outputs_size());
  ASSERT_EQ(raw.raw_output_contents_size(), raw.outputs_size());
  for (int i = 0; i < raw.outputs_size(); ++i) {
    EXPECT_FALSE(raw.outputs(i).has_contents());
    EXPECT_EQ(raw.raw_output_contents(i).size(), 2 * sizeof(float));
    EXPECT_EQ(OutputFloats(raw, i), OutputFloats(typed, i)) << raw.outputs(i).name();
  }
}

TEST_F(GrpcTest, OutputSelectionVersionAndRequestId) {
  auto request = TypedExampleRequest();
  request.set_model_version("1");
  request.add_outputs()->set_name("margin");
  inference::ModelInferResponse response;
  auto context = GrpcContext({{"x-request-id", "trace-42"}});
  auto s = stub_->ModelInfer(context.get(), request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(response.outputs_size(), 1);
  EXPECT_EQ(response.outputs(0).name(), "margin");
  auto id = context->GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(id, context->GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(id->second.data(), id->second.size()), "trace-42");
}

// "explain": true travels as an InferParameter (bool_param) and the explanation outputs
// (shap_values, reason_codes) come back as ordinary outputs, equal to HTTP's.
TEST_F(GrpcTest, ExplainParameterAnswersEqualHttp) {
  auto request = TypedExampleRequest();
  (*request.mutable_parameters())["explain"].set_bool_param(true);
  (*request.mutable_parameters())["reason_codes"].set_int64_param(2);
  inference::ModelInferResponse response;
  auto s = Infer(request, &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  json body = ExampleRequest();
  body["parameters"] = {{"explain", true}, {"reason_codes", 2}};
  auto http = http_->Post("/v2/models/credit_gbdt/infer", body.dump());
  ASSERT_EQ(http.status, 200) << http.body;
  const json answer = json::parse(http.body);
  ASSERT_EQ(response.outputs_size(), static_cast<int>(answer["outputs"].size()));
  std::vector<std::string> names;
  for (int i = 0; i < response.outputs_size(); ++i) {
    const auto& out = response.outputs(i);
    const json& want = answer["outputs"][i];
    names.push_back(out.name());
    ASSERT_EQ(out.name(), want["name"]);
    ASSERT_EQ(out.datatype(), want["datatype"]) << out.name();
    EXPECT_EQ(std::vector<int64_t>(out.shape().begin(), out.shape().end()), want["shape"].get<std::vector<int64_t>>());
    if (out.datatype() == "FP32") {
      EXPECT_EQ(OutputFloats(response, i), HttpOutputFloats(answer, out.name())) << out.name();
    } else if (out.datatype() == "FP64") {
      EXPECT_EQ(std::vector<double>(out.contents().fp64_contents().begin(), out.contents().fp64_contents().end()),
                want["data"].get<std::vector<double>>());
    } else if (out.datatype() == "BYTES") {
      EXPECT_EQ(std::vector<std::string>(out.contents().bytes_contents().begin(), out.contents().bytes_contents().end()),
                want["data"].get<std::vector<std::string>>());
    }
  }
  EXPECT_THAT(names, Contains("shap_values"));
  EXPECT_THAT(names, Contains("reason_codes"));
}

// The same wrong request over HTTP and gRPC: the same code class and the same words.
TEST_F(GrpcTest, ValidationErrorsEqualHttp) {
  struct Case {
    const char* what;
    std::function<void(json*, inference::ModelInferRequest*)> change;
  } cases[] = {
      {"wrong input name",
       [](json* j, inference::ModelInferRequest* m) {
         (*j)["inputs"][0]["name"] = "feature";
         m->mutable_inputs(0)->set_name("feature");
       }},
      {"wrong datatype",
       [](json* j, inference::ModelInferRequest* m) {
         (*j)["inputs"][0]["datatype"] = "FP64";
         m->mutable_inputs(0)->set_datatype("FP64");
         auto* c = m->mutable_inputs(0)->mutable_contents();
         for (float v : c->fp32_contents()) c->add_fp64_contents(v);
         c->clear_fp32_contents();
       }},
      {"wrong width",
       [](json* j, inference::ModelInferRequest* m) {
         (*j)["inputs"][0]["shape"] = json::array({1, 50});
         (*j)["inputs"][0]["data"] = json::array({(*j)["inputs"][0]["data"][0], (*j)["inputs"][0]["data"][1]});
         m->mutable_inputs(0)->set_shape(0, 1);
         m->mutable_inputs(0)->set_shape(1, 50);
       }},
      {"unknown output",
       [](json* j, inference::ModelInferRequest* m) {
         (*j)["outputs"] = json::array({{{"name", "score"}}});
         m->add_outputs()->set_name("score");
       }},
      {"unknown version",
       [](json*, inference::ModelInferRequest* m) { m->set_model_version("7"); }},
  };
  for (const Case& c : cases) {
    json body = ExampleRequest();
    auto message = TypedExampleRequest();
    c.change(&body, &message);
    const std::string target =
        message.model_version().empty() ? "/v2/models/credit_gbdt/infer"
                                        : "/v2/models/credit_gbdt/versions/" + message.model_version() + "/infer";
    auto http = http_->Post(target, body.dump());
    inference::ModelInferResponse response;
    auto s = Infer(message, &response);
    ASSERT_FALSE(s.ok()) << c.what;
    const int expected_http = s.error_code() == ::grpc::StatusCode::NOT_FOUND ? 404 : 400;
    EXPECT_EQ(http.status, expected_http) << c.what << ": " << http.body;
    EXPECT_EQ(s.error_message(), json::parse(http.body)["error"]) << c.what;
  }
}

TEST_F(GrpcTest, DecodeErrorsAreInvalidArgument) {
  auto short_data = TypedExampleRequest();
  short_data.mutable_inputs(0)->mutable_contents()->mutable_fp32_contents()->RemoveLast();
  inference::ModelInferResponse response;
  auto s = Infer(short_data, &response);
  EXPECT_EQ(s.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "input 'features': shape [2,25] holds 50 elements but fp32_contents has 49");

  auto raw = RawExampleRequest();
  raw.mutable_raw_input_contents(0)->pop_back();
  s = Infer(raw, &response);
  EXPECT_EQ(s.error_code(), ::grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("raw_input_contents has 199 bytes but shape [2,25] of FP32 needs 200"));
}

// The serving layer records gRPC requests in the same metrics as HTTP's, labelled protocol="grpc";
// a request that does not decode counts too.
TEST_F(GrpcTest, RequestsAreCountedInMetricsWithProtocolGrpc) {
  inference::ModelInferResponse response;
  ASSERT_TRUE(Infer(TypedExampleRequest(), &response).ok());
  auto raw = RawExampleRequest();
  raw.mutable_raw_input_contents(0)->pop_back();
  EXPECT_FALSE(Infer(raw, &response).ok());
  EXPECT_TRUE(http_->Post("/v2/models/credit_gbdt/infer", ExampleRequest().dump()).status == 200);
  const std::string metrics = http_->Get("/metrics").body;
  EXPECT_THAT(metrics, HasSubstr("finserve_inference_requests_total{model=\"credit_gbdt\",version=\"1\",protocol=\"grpc\","
                                 "code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("finserve_inference_requests_total{model=\"credit_gbdt\",version=\"\",protocol=\"grpc\","
                                 "code=\"INVALID_ARGUMENT\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("finserve_inference_requests_total{model=\"credit_gbdt\",version=\"1\",protocol=\"http\","
                                 "code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("finserve_inference_in_flight{protocol=\"grpc\"} 0\n"));
  EXPECT_THAT(metrics, HasSubstr("finserve_grpc_responses_total{rpc=\"ModelInfer\",code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("finserve_grpc_responses_total{rpc=\"ModelInfer\",code=\"INVALID_ARGUMENT\"} 1\n"));
}

TEST_F(GrpcTest, OversizedMessageIsResourceExhaustedAndServerStaysUp) {
  auto big = RawExampleRequest();
  big.mutable_inputs(0)->set_shape(0, 4000);
  big.mutable_raw_input_contents(0)->assign(4000 * 25 * sizeof(float), '\0');  // 400 kB > 200000
  inference::ModelInferResponse response;
  auto s = Infer(big, &response);
  EXPECT_EQ(s.error_code(), ::grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  inference::ServerLiveResponse live;
  EXPECT_TRUE(stub_->ServerLive(GrpcContext().get(), {}, &live).ok());
  EXPECT_TRUE(Infer(RawExampleRequest(), &response).ok());
}

TEST_F(GrpcTest, SigtermStopsBothFrontEndsCleanly) {
  inference::ModelInferResponse response;
  ASSERT_TRUE(Infer(TypedExampleRequest(), &response).ok());
  EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  EXPECT_THAT(server_->Log(), HasSubstr("server_stopped"));
}

// SIGHUP applies a changed --max-inputs / --max-tensor-elements to gRPC calls without a restart.
TEST(GrpcReloadTest, SighupAppliesDecodeLimits) {
  const std::string repository = CopyExampleRepository();
  const std::string config = MakeTempDir("finserve-grpc-config") + "/server.yaml";
  const auto write = [&](int max_tensor_elements) {
    ASSERT_TRUE(Env::Default()
                    ->WriteFileAtomic(config, "model-repository: " + repository + "\ninsecure-no-auth: true\n" +
                                                  "max-tensor-elements: " + std::to_string(max_tensor_elements) + "\n")
                    .ok());
  };
  write(1000);
  ServerProcess server({"--config", config, "--grpc-port", "0"});
  ASSERT_TRUE(server.Start()) << server.Log();
  auto stub = inference::GRPCInferenceService::NewStub(GrpcChannel(server.grpc_port()));
  inference::ModelInferResponse response;
  ASSERT_TRUE(stub->ModelInfer(GrpcContext().get(), TypedExampleRequest(), &response).ok());
  write(40);  // the example's 50 elements are now too many
  kill(server.pid(), SIGHUP);
  ::grpc::Status refused;
  EXPECT_TRUE(WaitFor(
      [&] {
        refused = stub->ModelInfer(GrpcContext().get(), TypedExampleRequest(), &response);
        return refused.error_code() == ::grpc::StatusCode::INVALID_ARGUMENT;
      },
      std::chrono::seconds(10)))
      << server.Log();
  EXPECT_THAT(refused.error_message(), HasSubstr("input 'features'"));
}

TEST(GrpcOffTest, NoGrpcPortByDefault) {
  const std::string repository = CopyExampleRepository();
  ServerProcess server({"--model-repository", repository, "--insecure-no-auth"});
  ASSERT_TRUE(server.Start()) << server.Log();
  EXPECT_EQ(server.grpc_port(), 0);
  EXPECT_THAT(server.Log(), ::testing::Not(HasSubstr("grpc_server_started")));
}

}  // namespace
}  // namespace finserve::testing
