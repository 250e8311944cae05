// gRPC with authentication on: the same keys, scopes, model globs and rate limits as HTTP
// (auth_test.cc), answered UNAUTHENTICATED / PERMISSION_DENIED / RESOURCE_EXHAUSTED.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "grpc_service.grpc.pb.h"
#include "integration/example_repository.h"
#include "integration/grpc_requests.h"
#include "testing/grpc_client.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using ::grpc::StatusCode;
using ::testing::HasSubstr;

std::map<std::string, std::string> Bearer(const std::string& key) {
  if (key.empty()) return {};
  return {{"authorization", "Bearer " + key}};
}

class GrpcAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    state_dir_ = MakeTempDir("finserve-grpc-auth") + "/state";
    infer_key_ = CreateKey(state_dir_, "scorer", "infer", {"--models", "credit_*"});
    admin_key_ = CreateKey(state_dir_, "ops", "admin");
    metrics_key_ = CreateKey(state_dir_, "prometheus", "metrics");
    ASSERT_FALSE(infer_key_.empty());
    ASSERT_FALSE(admin_key_.empty());
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", repository_, "--state-dir", state_dir_, "--key-refresh-ms", "50", "--grpc-port", "0"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    stub_ = inference::GRPCInferenceService::NewStub(GrpcChannel(server_->grpc_port()));
  }

  StatusCode ServerMetadata(const std::string& key) {
    inference::ServerMetadataResponse response;
    return stub_->ServerMetadata(GrpcContext(Bearer(key)).get(), {}, &response).error_code();
  }
  StatusCode ModelMetadata(const std::string& key, const std::string& model) {
    inference::ModelMetadataRequest request;
    request.set_name(model);
    inference::ModelMetadataResponse response;
    return stub_->ModelMetadata(GrpcContext(Bearer(key)).get(), request, &response).error_code();
  }
  StatusCode ModelReady(const std::string& key) {
    inference::ModelReadyRequest request;
    request.set_name("credit_gbdt");
    inference::ModelReadyResponse response;
    return stub_->ModelReady(GrpcContext(Bearer(key)).get(), request, &response).error_code();
  }
  ::grpc::Status Infer(const std::string& key, ::grpc::ClientContext* context = nullptr) {
    auto owned = GrpcContext(Bearer(key));
    inference::ModelInferResponse response;
    return stub_->ModelInfer(context ? context : owned.get(), TypedExampleRequest(), &response);
  }

  std::string repository_, state_dir_, infer_key_, admin_key_, metrics_key_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<inference::GRPCInferenceService::Stub> stub_;
};

TEST_F(GrpcAuthTest, HealthIsOpenEverythingElseNeedsTheInferScope) {
  inference::ServerLiveResponse live;
  EXPECT_TRUE(stub_->ServerLive(GrpcContext().get(), {}, &live).ok());
  inference::ServerReadyResponse ready;
  EXPECT_TRUE(stub_->ServerReady(GrpcContext().get(), {}, &ready).ok());

  // As auth_test.cc's route table: no key 401, infer key 200, admin key 403.
  EXPECT_EQ(ServerMetadata(""), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ServerMetadata(infer_key_), StatusCode::OK);
  EXPECT_EQ(ServerMetadata(admin_key_), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ModelMetadata("", "credit_gbdt"), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ModelMetadata(infer_key_, "credit_gbdt"), StatusCode::OK);
  EXPECT_EQ(ModelMetadata(admin_key_, "credit_gbdt"), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ModelReady(""), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(ModelReady(infer_key_), StatusCode::OK);
  EXPECT_EQ(Infer("").error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Infer(infer_key_).error_code(), StatusCode::OK);
  EXPECT_EQ(Infer(admin_key_).error_code(), StatusCode::PERMISSION_DENIED);
  // Outside the key's model globs: refused before the model is even looked up (not NOT_FOUND).
  EXPECT_EQ(ModelMetadata(infer_key_, "fraud_nn"), StatusCode::PERMISSION_DENIED);
}

TEST_F(GrpcAuthTest, ExplainParameterNeedsTheExplainScope) {
  auto request = TypedExampleRequest();
  (*request.mutable_parameters())["explain"].set_bool_param(true);
  inference::ModelInferResponse response;
  auto s = stub_->ModelInfer(GrpcContext(Bearer(infer_key_)).get(), request, &response);
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("does not have the scope 'explain'"));
  const std::string explainer = CreateKey(state_dir_, "explainer", "infer,explain");
  ASSERT_FALSE(explainer.empty());
  EXPECT_TRUE(WaitFor(
      [&] { return stub_->ModelInfer(GrpcContext(Bearer(explainer)).get(), request, &response).ok(); },
      std::chrono::seconds(10)));
}

TEST_F(GrpcAuthTest, BadKeysAreUnauthenticatedWithTheHttpWords) {
  auto s = Infer("fsk_not_a_real_key");
  EXPECT_EQ(s.error_code(), StatusCode::UNAUTHENTICATED);
  HttpClient http(server_->port());
  auto res = http.Post("/v2/models/credit_gbdt/infer", ExampleRequest().dump(),
                       {{"Authorization", "Bearer fsk_not_a_real_key"}});
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(s.error_message(), nlohmann::json::parse(res.body)["error"]);

  auto context = GrpcContext({{"authorization", "Basic dXNlcjpwYXNz"}});
  inference::ModelInferResponse response;
  EXPECT_EQ(stub_->ModelInfer(context.get(), TypedExampleRequest(), &response).error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(server_->Log(), HasSubstr("\"protocol\":\"grpc\""));
  // Refused before any model ran, and still counted.
  auto metrics = http.Get("/metrics", {{"Authorization", "Bearer " + metrics_key_}});
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_THAT(metrics.body, HasSubstr("finserve_grpc_responses_total{rpc=\"ModelInfer\",code=\"UNAUTHENTICATED\"} 2\n"));
  EXPECT_THAT(metrics.body, HasSubstr("finserve_http_responses_total{code=\"401\"} 1\n"));
}

TEST_F(GrpcAuthTest, RevokedKeyStopsWorking) {
  ASSERT_TRUE(Infer(infer_key_).ok());
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "revoke", "--state-dir", state_dir_, "scorer"}, &out), 0);
  EXPECT_TRUE(WaitFor([&] { return Infer(infer_key_).error_code() == StatusCode::UNAUTHENTICATED; },
                      std::chrono::seconds(10)));
}

TEST_F(GrpcAuthTest, RateLimitIsResourceExhaustedWithRetryAfter) {
  const std::string key = CreateKey(state_dir_, "batch", "infer", {"--rate", "0.01", "--burst", "2"});
  ASSERT_FALSE(key.empty());
  ASSERT_TRUE(WaitFor([&] { return Infer(key).ok(); }, std::chrono::seconds(10)));  // the server sees the new key
  ::grpc::Status limited;
  std::unique_ptr<::grpc::ClientContext> context;
  for (int i = 0; i < 3 && limited.ok(); ++i) {
    context = GrpcContext(Bearer(key));
    limited = Infer(key, context.get());
  }
  ASSERT_EQ(limited.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(limited.error_message(), HasSubstr("rate limit of 0.01 requests per second (burst 2)"));
  const auto& trailers = context->GetServerTrailingMetadata();
  auto retry = trailers.find("retry-after");
  ASSERT_NE(retry, trailers.end());
  EXPECT_GT(std::stoi(std::string(retry->second.data(), retry->second.size())), 0);
}

}  // namespace
}  // namespace finserve::testing
