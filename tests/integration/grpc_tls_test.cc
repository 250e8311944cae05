// gRPC over TLS with the HTTPS certificate files, and mutual TLS where the client certificate's
// subject is the principal (the gRPC twin of tls_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "core/env.h"
#include "grpc_service.grpc.pb.h"
#include "integration/example_repository.h"
#include "integration/grpc_requests.h"
#include "testing/grpc_client.h"
#include "testing/https_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using ::grpc::StatusCode;
using ::testing::HasSubstr;

class GrpcTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("finserve-grpc-tls");
    ASSERT_TRUE(CreateCa(dir_, "ca", "/O=Test Bank/CN=Test Root CA"));
    ASSERT_TRUE(CreateCa(dir_, "other-ca", "/O=Elsewhere/CN=Other CA"));
    ASSERT_TRUE(CreateCert(dir_, "ca", "server", "/O=Test Bank/CN=localhost", true));
    ASSERT_TRUE(CreateCert(dir_, "ca", "app1", "/O=Test Bank/OU=Payments/CN=app1", false));
    ASSERT_TRUE(CreateCert(dir_, "ca", "app2", "/O=Test Bank/CN=app2", false));
    ASSERT_TRUE(CreateCert(dir_, "other-ca", "intruder", "/O=Test Bank/OU=Payments/CN=app1", false));
    repository_ = CopyExampleRepository();
    state_dir_ = MakeTempDir("finserve-grpc-tls-state") + "/state";
  }

  std::unique_ptr<ServerProcess> StartServer(bool mutual) {
    std::vector<std::string> args = {"--model-repository", repository_, "--state-dir", state_dir_,
                                     "--key-refresh-ms", "50", "--grpc-port", "0",
                                     "--tls-cert", dir_ + "/server.pem", "--tls-key", dir_ + "/server.key"};
    if (mutual) args.insert(args.end(), {"--tls-client-ca", dir_ + "/ca.pem"});
    auto server = std::make_unique<ServerProcess>(args);
    EXPECT_TRUE(server->Start()) << server->Log();
    EXPECT_GT(server->grpc_port(), 0);
    return server;
  }

  std::string Read(const std::string& name) const { return *Env::Default()->ReadFile(dir_ + "/" + name); }

  // A TLS channel trusting the test CA, optionally presenting `cert`.
  std::unique_ptr<inference::GRPCInferenceService::Stub> Stub(int port, const std::string& cert = "") const {
    ::grpc::SslCredentialsOptions options;
    options.pem_root_certs = Read("ca.pem");
    if (!cert.empty()) {
      options.pem_cert_chain = Read(cert + ".pem");
      options.pem_private_key = Read(cert + ".key");
    }
    ::grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return inference::GRPCInferenceService::NewStub(
        ::grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), ::grpc::SslCredentials(options), args));
  }

  std::string dir_, repository_, state_dir_;
};

::grpc::Status Infer(inference::GRPCInferenceService::Stub* stub, const std::map<std::string, std::string>& md = {}) {
  inference::ModelInferResponse response;
  return stub->ModelInfer(GrpcContext(md).get(), TypedExampleRequest(), &response);
}

TEST_F(GrpcTlsTest, ServesTlsWithTheHttpsFiles) {
  const std::string key = CreateKey(state_dir_, "app", "infer");
  auto server = StartServer(false);
  auto stub = Stub(server->grpc_port());
  auto s = Infer(stub.get(), {{"authorization", "Bearer " + key}});
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(Infer(stub.get()).error_code(), StatusCode::UNAUTHENTICATED);
  // A plaintext client cannot talk to the TLS port.
  auto plain = inference::GRPCInferenceService::NewStub(GrpcChannel(server->grpc_port()));
  inference::ServerLiveResponse live;
  EXPECT_EQ(plain->ServerLive(GrpcContext().get(), {}, &live).error_code(), StatusCode::UNAVAILABLE);
  EXPECT_THAT(server->Log(), HasSubstr(R"("event":"grpc_server_started")"));
}

TEST_F(GrpcTlsTest, MutualTlsMakesTheCertificateSubjectThePrincipal) {
  const std::string subject = OpensslSubject(dir_ + "/app1.pem");
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "create", "--state-dir", state_dir_, "--name", "payments",
                        "--scopes", "infer", "--subject", subject},
                       &out),
            0)
      << out;
  auto server = StartServer(true);
  auto granted = Stub(server->grpc_port(), "app1");
  auto s = Infer(granted.get());
  EXPECT_TRUE(s.ok()) << s.error_message();

  auto no_grant = Stub(server->grpc_port(), "app2");
  s = Infer(no_grant.get());
  EXPECT_EQ(s.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), HasSubstr("client certificate 'CN=app2,O=Test Bank' has no grant"));
  // No certificate, or one from another CA with the same subject: the handshake fails.
  inference::ServerLiveResponse live;
  EXPECT_EQ(Stub(server->grpc_port())->ServerLive(GrpcContext().get(), {}, &live).error_code(),
            StatusCode::UNAVAILABLE);
  EXPECT_EQ(Infer(Stub(server->grpc_port(), "intruder").get()).error_code(), StatusCode::UNAVAILABLE);
}

}  // namespace
}  // namespace finserve::testing
