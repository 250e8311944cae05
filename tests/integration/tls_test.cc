// TLS and mutual TLS with certificates the test makes with the openssl command-line tool.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <signal.h>

#include <filesystem>

#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/https_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kInfer[] = "/v2/models/credit_gbdt/infer";

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("finserve-tls");
    ASSERT_TRUE(CreateCa(dir_, "ca", "/O=Test Bank/CN=Test Root CA"));
    ASSERT_TRUE(CreateCa(dir_, "other-ca", "/O=Elsewhere/CN=Other CA"));
    ASSERT_TRUE(CreateCert(dir_, "ca", "server", "/O=Test Bank/CN=localhost", true));
    ASSERT_TRUE(CreateCert(dir_, "ca", "app1", "/O=Test Bank/OU=Payments/CN=app1", false));
    ASSERT_TRUE(CreateCert(dir_, "ca", "app2", "/O=Test Bank/CN=app2", false));
    ASSERT_TRUE(CreateCert(dir_, "other-ca", "intruder", "/O=Test Bank/OU=Payments/CN=app1", false));
    repository_ = CopyExampleRepository();
    state_dir_ = MakeTempDir("finserve-tls-state") + "/state";
  }

  std::vector<std::string> ServerArgs(bool mutual) const {
    std::vector<std::string> args = {"--model-repository", repository_, "--state-dir", state_dir_,
                                     "--key-refresh-ms", "50", "--tls-cert", dir_ + "/server.pem",
                                     "--tls-key", dir_ + "/server.key"};
    if (mutual) {
      args.push_back("--tls-client-ca");
      args.push_back(dir_ + "/ca.pem");
    }
    return args;
  }

  TlsClientOptions Client(const std::string& cert = "") const {
    TlsClientOptions o;
    o.ca_file = dir_ + "/ca.pem";
    if (!cert.empty()) {
      o.cert_file = dir_ + "/" + cert + ".pem";
      o.key_file = dir_ + "/" + cert + ".key";
    }
    return o;
  }

  std::string dir_, repository_, state_dir_;
};

TEST_F(TlsTest, ServesHttpsVerifiableAgainstTheCa) {
  const std::string key = CreateKey(state_dir_, "app", "infer");
  ServerProcess server(ServerArgs(false));
  ASSERT_TRUE(server.Start()) << server.Log();
  auto res = HttpsRequest(server.port(), Client(), "POST", kInfer, ExampleRequest().dump(),
                          {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(res.http.status, 200) << res.http.error << res.http.body;
  EXPECT_EQ(json::parse(res.http.body)["model_name"], "credit_gbdt");
  EXPECT_EQ(res.server_subject, OpensslSubject(dir_ + "/server.pem"));
  EXPECT_EQ(HttpsRequest(server.port(), Client(), "POST", kInfer, ExampleRequest().dump()).http.status, 401);
  // Plain HTTP on the TLS port gets no HTTP answer.
  EXPECT_EQ(HttpClient(server.port()).Get("/v2/health/live").status, 0);
  EXPECT_THAT(server.Log(), HasSubstr(R"("tls":true)"));
}

TEST_F(TlsTest, RefusesTls11AndOlder) {
  ServerProcess server(ServerArgs(false));
  ASSERT_TRUE(server.Start()) << server.Log();
  TlsClientOptions old = Client();
  old.max_version = TLS1_1_VERSION;
  old.cipher_list = "DEFAULT:@SECLEVEL=0";  // the client would accept TLS 1.1; the server must not
  auto res = HttpsRequest(server.port(), old, "GET", "/v2/health/live");
  EXPECT_EQ(res.http.status, 0);
  EXPECT_FALSE(res.http.error.empty());
  TlsClientOptions tls12 = Client();
  tls12.max_version = TLS1_2_VERSION;
  EXPECT_EQ(HttpsRequest(server.port(), tls12, "GET", "/v2/health/live").http.status, 200);
  EXPECT_EQ(HttpsRequest(server.port(), Client(), "GET", "/v2/health/live").http.status, 200);  // TLS 1.3
}

TEST_F(TlsTest, MutualTlsMakesTheCertificateSubjectThePrincipal) {
  const std::string subject = OpensslSubject(dir_ + "/app1.pem");
  ASSERT_EQ(subject, "CN=app1,OU=Payments,O=Test Bank");
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "create", "--state-dir", state_dir_, "--name", "payments",
                        "--scopes", "infer", "--subject", subject},
                       &out),
            0)
      << out;
  ServerProcess server(ServerArgs(true));
  ASSERT_TRUE(server.Start()) << server.Log();
  const std::string body = ExampleRequest().dump();

  auto granted = HttpsRequest(server.port(), Client("app1"), "POST", kInfer, body);
  ASSERT_EQ(granted.http.status, 200) << granted.http.error << granted.http.body;
  auto no_grant = HttpsRequest(server.port(), Client("app2"), "POST", kInfer, body);
  EXPECT_EQ(no_grant.http.status, 403);
  EXPECT_THAT(no_grant.http.body, HasSubstr("client certificate 'CN=app2,O=Test Bank' has no grant"));
  auto scope = HttpsRequest(server.port(), Client("app1"), "POST", "/v2/repository/index", "{}");
  EXPECT_EQ(scope.http.status, 403);
  EXPECT_THAT(scope.http.body, HasSubstr("client certificate 'CN=app1,OU=Payments,O=Test Bank' does not have the scope 'admin'"));
  // No certificate, or one from another CA with the same subject: the handshake fails.
  EXPECT_EQ(HttpsRequest(server.port(), Client(), "GET", "/v2/health/live").http.status, 0);
  EXPECT_EQ(HttpsRequest(server.port(), Client("intruder"), "POST", kInfer, body).http.status, 0);
  // Revoking the grant stops the certificate without a restart.
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "revoke", "--state-dir", state_dir_, "payments"}, &out), 0);
  ASSERT_TRUE(WaitFor([&] { return HttpsRequest(server.port(), Client("app1"), "POST", kInfer, body).http.status == 403; },
                      std::chrono::seconds(10)));
}

TEST_F(TlsTest, SighupRotatesTheCertificateForNewConnections) {
  ServerProcess server(ServerArgs(false));
  ASSERT_TRUE(server.Start()) << server.Log();
  EXPECT_EQ(HttpsRequest(server.port(), Client(), "GET", "/v2/health/live").server_subject,
            "CN=localhost,O=Test Bank");
  ASSERT_TRUE(CreateCert(dir_, "ca", "renewed", "/O=Test Bank/OU=Renewed/CN=localhost", true));
  std::filesystem::copy_file(dir_ + "/renewed.pem", dir_ + "/server.pem", std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(dir_ + "/renewed.key", dir_ + "/server.key", std::filesystem::copy_options::overwrite_existing);
  kill(server.pid(), SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return server.Log().find(R"("event":"tls_reloaded")") != std::string::npos; },
                      std::chrono::seconds(10)))
      << server.Log();
  auto res = HttpsRequest(server.port(), Client(), "GET", "/v2/health/live");
  EXPECT_EQ(res.http.status, 200);
  EXPECT_EQ(res.server_subject, "CN=localhost,OU=Renewed,O=Test Bank");
}

TEST_F(TlsTest, BadCertificateFilesStopTheStartWithTheFileNamed) {
  std::string out, err;
  const int code = RunCommand({FinserveBinary(), "serve", "--model-repository", repository_, "--state-dir", state_dir_,
                               "--http-port", "0", "--tls-cert", dir_ + "/server.pem", "--tls-key", dir_ + "/app1.key"},
                              &out, &err);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(err, HasSubstr("--tls-key '" + dir_ + "/app1.key': does not match the certificate"));
}

}  // namespace
}  // namespace finserve::testing
