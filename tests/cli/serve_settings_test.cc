#include "cli/serve_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace finserve::cli {
namespace {

using ::testing::HasSubstr;

std::string ReadDoc() {
  std::ifstream in(std::string(FINSERVE_SOURCE_DIR) + "/docs/configuration.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// docs/configuration.md holds the table generated from the settings table, so the two cannot
// drift: change a setting, and this test prints the table to paste.
TEST(ServeSettingsTest, ConfigurationDocListsEverySettingWithItsDefault) {
  const std::string doc = ReadDoc();
  const std::string begin = "<!-- settings table: generated from src/cli/serve_settings.cc -->\n";
  const std::string end = "<!-- end of settings table -->";
  const size_t from = doc.find(begin);
  const size_t to = doc.find(end);
  ASSERT_NE(from, std::string::npos) << "docs/configuration.md lacks the marker: " << begin;
  ASSERT_NE(to, std::string::npos);
  const std::string table = doc.substr(from + begin.size(), to - from - begin.size());
  EXPECT_EQ(table, SettingsMarkdownTable()) << "update docs/configuration.md with:\n" << SettingsMarkdownTable();
}

TEST(ServeSettingsTest, NamesAreUniqueFlagStyle) {
  std::set<std::string> names;
  for (const auto& spec : ServeSettingSpecs()) {
    EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
    for (char c : std::string(spec.name)) EXPECT_TRUE((c >= 'a' && c <= 'z') || c == '-') << spec.name;
    EXPECT_EQ(FindSetting(spec.name), &spec);
  }
  EXPECT_EQ(FindSetting("nope"), nullptr);
}

TEST(ServeSettingsTest, CrossChecks) {
  ServeSettings s;
  EXPECT_THAT(ValidateServeSettings(s).message(), HasSubstr("--model-repository is required"));
  s.model_repository = "/models";
  EXPECT_TRUE(ValidateServeSettings(s).ok());
  ServeSettings t = s;
  t.tls_cert = "cert.pem";
  EXPECT_THAT(ValidateServeSettings(t).message(), HasSubstr("--tls-cert and --tls-key go together"));
  t = s;
  t.tls_client_ca = "ca.pem";
  EXPECT_THAT(ValidateServeSettings(t).message(), HasSubstr("--tls-client-ca needs --tls-cert"));
  t = s;
  t.max_url_bytes = t.max_header_bytes + 1;
  EXPECT_THAT(ValidateServeSettings(t).message(), HasSubstr("must not exceed --max-header-bytes"));
  t = s;
  t.max_in_flight = 0;
  EXPECT_THAT(ValidateServeSettings(t).message(), HasSubstr("max-in-flight is 0; the minimum is 1"));
  t = s;
  t.log_level = "loud";
  EXPECT_THAT(ValidateServeSettings(t).message(), HasSubstr("expected one of debug"));
}

TEST(ServeSettingsTest, ValuesAsText) {
  ServeSettings s;
  s.load_models = {"a", "b"};
  s.insecure_no_auth = true;
  EXPECT_EQ(SettingValueText(*FindSetting("load-model"), s), "a,b");
  EXPECT_EQ(SettingValueText(*FindSetting("insecure-no-auth"), s), "true");
  EXPECT_EQ(SettingValueText(*FindSetting("http-port"), s), "8000");
}

}  // namespace
}  // namespace finserve::cli
