#include "repository/model_config.h"

#include <gtest/gtest.h>
#include <gmock/gmock.h>

namespace finserve::repository {
namespace {

using ::testing::HasSubstr;

Result<ModelConfig> Parse(std::string_view yaml) {
  FS_ASSIGN_OR_RETURN(auto doc, YamlToJson(yaml, "config.yaml"));
  return ParseModelConfig(doc, "config.yaml");
}

TEST(ModelConfigTest, ParsesFullConfig) {
  auto config = Parse(R"(
name: credit
platform: xgboost_json
description: default model
owner: risk@example.com
version_policy: {specific: [1, 3]}
inputs:
  - name: x
    source: features
    datatype: FP32
    shape: [-1, 2]
    features: [Age, Income]
outputs:
  - {name: p, source: probability}
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->name, "credit");
  EXPECT_EQ(config->version_policy.kind, VersionPolicy::Kind::kSpecific);
  ASSERT_EQ(config->inputs.size(), 1u);
  EXPECT_EQ(config->inputs[0].source, "features");
  EXPECT_EQ(config->inputs[0].dtype, DataType::kFp32);
  EXPECT_EQ(*config->inputs[0].shape, (std::vector<int64_t>{-1, 2}));
  EXPECT_EQ(config->inputs[0].features, (std::vector<std::string>{"Age", "Income"}));
  EXPECT_EQ(config->outputs[0].name, "p");
  EXPECT_EQ(config->sha256.size(), 64u);
}

TEST(ModelConfigTest, EmptyConfigHasDefaults) {
  auto config = Parse("");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->version_policy.kind, VersionPolicy::Kind::kLatest);
  EXPECT_EQ(config->version_policy.latest, 1);
}

TEST(ModelConfigTest, HashIgnoresKeyOrderAndFormattingButNotValues) {
  auto a = Parse("description: x\nowner: y\n");
  auto b = Parse("owner:   y\ndescription: 'x'\n");
  auto c = Parse("owner: y\ndescription: z\n");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_NE(a->sha256, c->sha256);
}

TEST(ModelConfigTest, QuotedScalarsStayStrings) {
  auto doc = YamlToJson("a: 1\nb: '1'\nc: true\nd: 1.5\ne: ~\n", "f");
  ASSERT_TRUE(doc.ok());
  EXPECT_TRUE((*doc)["a"].is_number_integer());
  EXPECT_TRUE((*doc)["b"].is_string());
  EXPECT_TRUE((*doc)["c"].is_boolean());
  EXPECT_TRUE((*doc)["d"].is_number_float());
  EXPECT_TRUE((*doc)["e"].is_null());
}

TEST(ModelConfigTest, RejectsWithClearMessages) {
  struct Case {
    const char* yaml;
    const char* fragment;
  };
  const Case cases[] = {
      {"nmae: x\n", "unknown key 'nmae'"},
      {"version_policy: {latest: 0}\n", "version_policy.latest"},
      {"version_policy: {newest: 1}\n", "unknown version_policy 'newest'"},
      {"version_policy: {specific: []}\n", "non-empty"},
      {"inputs: {name: x}\n", "'inputs' must be a list"},
      {"inputs:\n  - datatype: FP32\n", "inputs[0].name' is required"},
      {"inputs:\n  - {name: x, datatype: float32}\n", "not an OIP datatype"},
      {"inputs:\n  - {name: x, shape: [-2]}\n", "dims >= -1"},
      {"inputs:\n  - {name: x, features: [a, a]}\n", "names 'a' twice"},
      {"inputs:\n  - {name: x}\n  - {name: x}\n", "two inputs are named 'x'"},
      {"inputs:\n  - {name: x, colour: red}\n", "unknown key 'inputs[0].colour'"},
      {"a: [1, 2\n", "invalid YAML at line"},
      {"a: 1\na: 2\n", "duplicate key 'a'"},
      {"- 1\n- 2\n", "a map of settings"},
  };
  for (const Case& c : cases) {
    auto config = Parse(c.yaml);
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_THAT(config.status().message(), HasSubstr(c.fragment)) << c.yaml;
    EXPECT_THAT(config.status().message(), HasSubstr("config.yaml")) << c.yaml;
  }
}

TEST(ModelConfigTest, AliasExpansionIsBounded) {
  std::string bomb = "a: &a [1,1,1,1,1,1,1,1,1,1]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? "," : "") + "*" + prev;
    bomb += "]\n";
  }
  auto doc = YamlToJson(bomb, "bomb.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), HasSubstr("too large"));
}

TEST(ModelConfigTest, MergeOverridesKeyByKey) {
  auto base = YamlToJson("description: a\ninputs: [{name: x}]\nparameters: {p: 1, q: 2}\n", "m");
  auto over = YamlToJson("description: b\nparameters: {q: 3}\n", "v");
  ASSERT_TRUE(base.ok() && over.ok());
  auto merged = MergeConfigDocuments(*base, *over);
  EXPECT_EQ(merged["description"], "b");
  EXPECT_EQ(merged["parameters"]["p"], 1);
  EXPECT_EQ(merged["parameters"]["q"], 3);
  EXPECT_EQ(merged["inputs"].size(), 1u);
}

TEST(VersionPolicyTest, Selects) {
  VersionPolicy latest2{VersionPolicy::Kind::kLatest, 2, {}};
  EXPECT_EQ(latest2.Select({3, 1, 7, 5}), (std::vector<int64_t>{5, 7}));
  VersionPolicy all{VersionPolicy::Kind::kAll, 1, {}};
  EXPECT_EQ(all.Select({2, 1}), (std::vector<int64_t>{1, 2}));
  VersionPolicy specific{VersionPolicy::Kind::kSpecific, 1, {1, 9}};
  EXPECT_EQ(specific.Select({1, 2, 3}), (std::vector<int64_t>{1}));
}

}  // namespace
}  // namespace finserve::repository

namespace finserve::repository {
namespace {

TEST(ModelConfigTest, InvalidUtf8IsRefusedWithLine) {
  auto doc = YamlToJson("description: ok\nowner: \"\xff\xfe\"\n", "config.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_THAT(doc.status().message(), ::testing::HasSubstr("line 2"));
  EXPECT_THAT(doc.status().message(), ::testing::HasSubstr("not valid UTF-8"));
}

}  // namespace
}  // namespace finserve::repository
