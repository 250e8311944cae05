#include "cli/server_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace finserve::cli {
namespace {

using ::testing::HasSubstr;

TEST(ServerConfigTest, EverySettingTypeFromYaml) {
  ServeSettings s;
  Status st = ApplyServerConfig(R"(
model-repository: /srv/models
http-port: 8443
insecure-no-auth: true
load-model: [credit_gbdt, fraud]
model-control: explicit
max-body-bytes: 1048576
tls-cert: /etc/finserve/server.pem
)",
                                "server.yaml", {}, &s);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(s.model_repository, "/srv/models");
  EXPECT_EQ(s.http_port, 8443);
  EXPECT_TRUE(s.insecure_no_auth);
  EXPECT_EQ(s.load_models, (std::vector<std::string>{"credit_gbdt", "fraud"}));
  EXPECT_EQ(s.model_control, "explicit");
  EXPECT_EQ(s.max_body_bytes, 1 << 20);
  EXPECT_EQ(s.tls_cert, "/etc/finserve/server.pem");
  EXPECT_EQ(s.http_address, "127.0.0.1");  // untouched settings keep their value
}

TEST(ServerConfigTest, FlagsGivenOnTheCommandLineWin) {
  ServeSettings s;
  s.http_port = 9000;  // as parsed from --http-port 9000
  ASSERT_TRUE(ApplyServerConfig("http-port: 8443\nthreads: 4\n", "server.yaml", {"http-port"}, &s).ok());
  EXPECT_EQ(s.http_port, 9000);
  EXPECT_EQ(s.threads, 4);
}

TEST(ServerConfigTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"http-port: 1\nhttp-prot: 2\n", "server.yaml:2: unknown setting 'http-prot'"},
      {"\n\nhttp-port: eighty\n", "server.yaml:3: 'http-port' must be an integer, got 'eighty'"},
      {"max-in-flight: 0\n", "server.yaml:1: max-in-flight is 0; the minimum is 1"},
      {"insecure-no-auth: yes\n", "server.yaml:1: 'insecure-no-auth' must be true or false"},
      {"model-control: sometimes\n", "server.yaml:1: model-control is 'sometimes'; expected one of poll, explicit"},
      {"http-port: [1, 2]\n", "server.yaml:1: 'http-port' must be a single value"},
      {"threads: 1\nthreads: 2\n", "server.yaml:2: 'threads' appears twice"},
      {"config: other.yaml\n", "server.yaml:1: unknown setting 'config'"},
      {"- a\n- b\n", "server.yaml: must be a map"},
      {"http-port: [\n", "server.yaml:2: invalid YAML"},
      {"http-port: 99999999999999999999\n", "must be an integer"},
  };
  for (const auto& c : cases) {
    ServeSettings s;
    const ServeSettings before = s;
    Status st = ApplyServerConfig(c.yaml, "server.yaml", {}, &s);
    ASSERT_FALSE(st.ok()) << c.yaml;
    EXPECT_THAT(st.message(), HasSubstr(c.message)) << c.yaml;
    EXPECT_EQ(s.http_port, before.http_port) << "a refused file changes nothing";
    EXPECT_EQ(s.threads, before.threads);
  }
}

TEST(ServerConfigTest, EmptyFileChangesNothing) {
  ServeSettings s;
  EXPECT_TRUE(ApplyServerConfig("", "server.yaml", {}, &s).ok());
  EXPECT_TRUE(ApplyServerConfig("# only a comment\n", "server.yaml", {}, &s).ok());
  EXPECT_EQ(s.http_port, 8000);
}

}  // namespace
}  // namespace finserve::cli
