#include "serving/feature_rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/float16.h"
#include "repository/manager.h"
#include "repository/model_config.h"
#include "serving/inference_service.h"
#include "serving/model_state.h"

namespace finserve::serving {
namespace {

using ::testing::HasSubstr;

std::vector<repository::TensorBinding> Inputs(DataType dtype = DataType::kFp32) {
  repository::TensorBinding b;
  b.spec = {"features", dtype, {-1, 3}};
  b.features = {"Age", "Income", "Records"};
  return {b};
}

Result<FeatureRules> Rules(std::string_view yaml, DataType dtype = DataType::kFp32) {
  FS_ASSIGN_OR_RETURN(auto doc, repository::YamlToJson(yaml, "config.yaml"));
  return FeatureRules::FromConfig(doc, Inputs(dtype), "config.yaml");
}

constexpr char kRules[] = R"(
validation:
  features:
    Age: {min: 18, max: 100, type: integer, missing: refuse}
    Income: {min: 0, missing: allow}
    Records: {allowed: [0, 1]}
)";

Status CheckRows(const FeatureRules& rules, std::vector<float> values) {
  const int64_t rows = static_cast<int64_t>(values.size() / 3);
  Tensor t = Tensor::FromVector<float>(Shape({rows, 3}), values);
  return rules.Check(0, "features", t.view());
}

TEST(FeatureRulesTest, GoodRowsPass) {
  auto rules = Rules(kRules);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_TRUE(CheckRows(*rules, {18, 0, 0, 100, NAN, 1, 45, 52000.5f, 1}).ok());
}

TEST(FeatureRulesTest, ViolationsNameInputRowFeatureValueAndRule) {
  auto rules = Rules(kRules).value();
  const float nan = std::nanf("");
  struct Case {
    std::vector<float> rows;
    const char* message;
  } cases[] = {
      {{30, 1, 0, 7, 1, 0}, "input 'features' row 1 feature 'Age': value 7 is below the minimum 18"},
      {{130, 1, 0}, "row 0 feature 'Age': value 130 is above the maximum 100"},
      {{30.5f, 1, 0}, "feature 'Age': value 30.5 is not a whole number (type: integer)"},
      {{nan, 1, 0}, "feature 'Age': value is missing (null or NaN), which its rule refuses (missing: refuse)"},
      {{30, -0.01f, 0}, "feature 'Income': value -0.01 is below the minimum 0"},
      {{30, 1, 2}, "feature 'Records': value 2 is not one of the allowed values [0, 1]"},
  };
  for (const auto& c : cases) {
    Status s = CheckRows(rules, c.rows);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(s.message(), HasSubstr(c.message));
  }
}

TEST(FeatureRulesTest, WorksForEveryNumericDatatype) {
  auto rules = Rules(kRules, DataType::kFp64).value();
  Tensor t = Tensor::FromVector<double>(Shape({1, 3}), std::vector<double>{17, 1, 0});
  EXPECT_THAT(rules.Check(0, "features", t.view()).message(), HasSubstr("value 17 is below the minimum 18"));
  auto int_rules = Rules(kRules, DataType::kInt32).value();
  Tensor i = Tensor::FromVector<int32_t>(Shape({2, 3}), std::vector<int32_t>{20, 5, 1, 20, 5, 3});
  EXPECT_THAT(int_rules.Check(0, "features", i.view()).message(), HasSubstr("row 1 feature 'Records': value 3"));
  auto half_rules = Rules(kRules, DataType::kFp16).value();
  Tensor h = Tensor::Uninitialized(DataType::kFp16, Shape({1, 3}));
  h.data<uint16_t>()[0] = FloatToHalf(150);
  h.data<uint16_t>()[1] = FloatToHalf(1);
  h.data<uint16_t>()[2] = FloatToHalf(0);
  EXPECT_THAT(half_rules.Check(0, "features", h.view()).message(), HasSubstr("value 150 is above the maximum 100"));
}

TEST(FeatureRulesTest, BadRulesAreLoadErrorsNamingTheFeature) {
  struct Case {
    const char* yaml;
    const char* message;
  } cases[] = {
      {"validation:\n  features:\n    Salary: {min: 0}\n", "validation.features.Salary: the model has no feature 'Salary'"},
      {"validation:\n  features:\n    Age: {minimum: 0}\n", "validation.features.Age: unknown rule 'minimum'"},
      {"validation:\n  features:\n    Age: {min: 10, max: 5}\n", "min is greater than max"},
      {"validation:\n  features:\n    Age: {min: ten}\n", "'min' must be a number"},
      {"validation:\n  features:\n    Age: {missing: sometimes}\n", "'missing' must be allow or refuse"},
      {"validation:\n  features:\n    Age: {type: text}\n", "'type' must be number, integer or boolean"},
      {"validation:\n  features:\n    Age: {allowed: []}\n", "non-empty list"},
      {"validation:\n  rules: {}\n", "unknown key 'validation.rules'"},
      {"validation: [1]\n", "'validation' must be a map"},
  };
  for (const auto& c : cases) {
    auto r = Rules(c.yaml);
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_THAT(r.status().message(), HasSubstr(c.message)) << c.yaml;
    EXPECT_THAT(r.status().message(), HasSubstr("config.yaml")) << c.yaml;
  }
  auto bytes = Rules("validation:\n  features:\n    Age: {min: 0}\n", DataType::kBytes);
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(), HasSubstr("rules apply to numeric inputs"));
}

// Through the real loader and service: the example model with its rules, then a broken rule.
TEST(FeatureRulesTest, ServiceRefusesViolationsAndBadRulesNeverReplaceAGoodVersion) {
  namespace fs = std::filesystem;
  const std::string repo = fs::temp_directory_path() / ("finserve-rules-" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::copy(std::string(FINSERVE_SOURCE_DIR) + "/examples/model-repository", repo, fs::copy_options::recursive);
  repository::ModelManager::Options options;
  options.repository = repo;
  options.load.prepare = ModelStatePrepareHook();
  repository::ModelManager manager(options);
  InferenceService service(&manager, ServiceOptions{});
  ASSERT_TRUE(service.LoadModel("credit_gbdt").ok());

  InferRequest request;
  request.model_name = "credit_gbdt";
  std::vector<float> row(25, 0.0f);
  row[0] = 3;      // Seniority
  row[1] = 1;      // Home=rent
  row[7] = 36;     // Time
  row[8] = 16;     // Age: too young
  row[11] = 1;     // Marital=single
  row[15] = 1;     // Job=fixed
  row[19] = 50;    // Expenses
  row[20] = 100;   // Income
  row[23] = 1000;  // Amount
  row[24] = 1500;  // Price
  request.inputs.push_back({"features", DataType::kFp32, Tensor::FromVector<float>(Shape({1, 25}), row), {}});
  auto refused = service.Infer(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "input 'features' row 0 feature 'Age': value 16 is below the minimum 18");
  request.inputs[0].tensor.data<float>()[8] = 30;
  ASSERT_TRUE(service.Infer(request).ok());

  // A config naming a feature the model does not have fails to load; version 1 keeps serving.
  const std::string config_path = repo + "/credit_gbdt/config.yaml";
  std::ifstream config_in(config_path);
  std::string config((std::istreambuf_iterator<char>(config_in)), std::istreambuf_iterator<char>());
  const std::string rules = "validation:\n  features:\n";
  ASSERT_NE(config.find(rules), std::string::npos);
  config.insert(config.find(rules) + rules.size(), "    Salary: {min: 0}\n");
  std::ofstream(config_path, std::ios::trunc) << config;
  EXPECT_THAT(service.LoadModel("credit_gbdt").message(), HasSubstr("no feature 'Salary'"));
  EXPECT_TRUE(service.Infer(request).ok());
  fs::remove_all(repo);
}

}  // namespace
}  // namespace finserve::serving
