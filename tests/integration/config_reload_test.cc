// The server config file (--config) and SIGHUP reloads, against the real server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>

#include "core/env.h"
#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    config_ = MakeTempDir("finserve-config") + "/server.yaml";
  }
  void WriteConfig(const std::string& extra) {
    ASSERT_TRUE(Env::Default()
                    ->WriteFileAtomic(config_, "# finserve server config\nmodel-repository: " + repository_ +
                                                   "\ninsecure-no-auth: true\n" + extra)
                    .ok());
  }
  // Waits until the log has `count` occurrences of `text`.
  bool WaitForLog(const ServerProcess& server, const std::string& text, size_t count) {
    return WaitFor(
        [&] {
          const std::string log = server.Log();
          size_t n = 0;
          for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
          return n >= count;
        },
        std::chrono::seconds(10));
  }
  std::string repository_, config_;
};

TEST_F(ConfigTest, FileSetsWhatFlagsDoNotAndFlagsWin) {
  WriteConfig("max-body-bytes: 1000\nmax-header-bytes: 4096\n");
  ServerProcess server({"--config", config_, "--max-header-bytes", "65536"});
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient client(server.port());
  auto big = client.Post("/v2/models/credit_gbdt/infer", std::string(2000, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_THAT(big.body, HasSubstr("limit of 1000 bytes"));
  // 8 KiB of headers: over the file's 4096, under the flag's 65536.
  EXPECT_EQ(client.Get("/v2/health/live", {{"X-Padding", std::string(8000, 'p')}}).status, 200);
}

TEST_F(ConfigTest, SighupAppliesNewLimitsAndKeepsConnectionsOpen) {
  WriteConfig("max-url-bytes: 200\n");
  ServerProcess server({"--config", config_});
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient client(server.port());
  const std::string long_target = "/v2/health/live?" + std::string(300, 'q');
  auto refused = client.Get(long_target);
  EXPECT_EQ(refused.status, 414);
  EXPECT_THAT(refused.body, HasSubstr("exceeds the limit of 200"));

  WriteConfig("max-url-bytes: 1000\nthreads: 3\n");
  kill(server.pid(), SIGHUP);
  ASSERT_TRUE(WaitForLog(server, R"("event":"setting_changed","applied":"now","setting":"max-url-bytes","from":"200","to":"1000")", 1))
      << server.Log();
  EXPECT_THAT(server.Log(), HasSubstr(R"("applied":"after a restart","setting":"threads","from":"0","to":"3")"));
  EXPECT_EQ(client.Get(long_target).status, 200);
  EXPECT_EQ(client.connects(), 1) << "the keep-alive connection survived the reload";

  // A broken file changes nothing.
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(config_, "max-url-bytes: [\n").ok());
  kill(server.pid(), SIGHUP);
  ASSERT_TRUE(WaitForLog(server, R"("event":"reload_refused")", 1)) << server.Log();
  EXPECT_EQ(client.Get(long_target).status, 200);
  EXPECT_EQ(client.Get("/v2/health/ready").status, 200);
  EXPECT_EQ(client.connects(), 1);
}

TEST_F(ConfigTest, SighupReloadsTheKeyStore) {
  const std::string state_dir = MakeTempDir("finserve-config-state") + "/state";
  const std::string key = CreateKey(state_dir, "app", "infer");
  ASSERT_TRUE(Env::Default()
                  ->WriteFileAtomic(config_, "model-repository: " + repository_ + "\nkey-refresh-ms: 3600000\n")
                  .ok());
  ServerProcess server({"--config", config_, "--state-dir", state_dir});
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient client(server.port());
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + key}};
  EXPECT_EQ(client.Get("/v2/models/credit_gbdt", auth).status, 200);
  // With the background refresh an hour away, SIGHUP is what picks up the revocation.
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "revoke", "--state-dir", state_dir, "app"}, &out), 0);
  kill(server.pid(), SIGHUP);
  ASSERT_TRUE(WaitForLog(server, R"("reason":"SIGHUP","active":0,"added":"","revoked":"app")", 1)) << server.Log();
  EXPECT_EQ(client.Get("/v2/models/credit_gbdt", auth).status, 401);
}

TEST_F(ConfigTest, UnknownSettingStopsTheStartNamingFileAndLine) {
  WriteConfig("max-body-bytes: 1000\nmax-bodybytes: 5\n");
  std::string out, err;
  EXPECT_EQ(RunCommand({FinserveBinary(), "serve", "--config", config_, "--http-port", "0"}, &out, &err), 2);
  EXPECT_THAT(err, HasSubstr(config_ + ":5: unknown setting 'max-bodybytes'"));
}

}  // namespace
}  // namespace finserve::testing
