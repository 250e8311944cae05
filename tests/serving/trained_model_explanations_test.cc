// Which explainer a version of finserve's own model kinds gets, through InferenceService:
// `model.linear.json` models are explained by linear SHAP against the training means of their
// statistics.json by default (and against a configured background first); without either they
// load unexplained, and an explicit `method: linear` fails the load saying what is missing;
// scorecards get points below maximum, whose reasons count the points lost; the method a config
// names must fit the model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "repository/manager.h"
#include "runtime/linear/linear_model.h"
#include "runtime/linear/scorecard.h"
#include "serving/inference_service.h"
#include "serving/model_state.h"

namespace finserve::serving {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr int kCols = 4;
const std::vector<std::string> kNames = {"a", "b", "c", "d"};

constexpr char kInputs[] = "inputs:\n  - {name: features, datatype: FP32, shape: [-1, 4], features: [a, b, c, d]}\n";
constexpr char kReasons[] = R"(explanation:
  reason_codes:
    table:
      - {code: A, features: [a], text: "a"}
      - {code: B, features: [b], text: "b"}
      - {code: C, features: [c], text: "c"}
      - {code: D, features: [d], text: "d"}
)";

class TrainedModelExplanationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = ::testing::TempDir() + "/trained-explain-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(repo_);
    std::mt19937 rng(17);
    std::normal_distribution<double> normal;
    linear_.kind = runtime::linear::LinearSpec::Kind::kLogistic;
    linear_.feature_names = kNames;
    linear_.intercept = normal(rng);
    for (int i = 0; i < kCols; ++i) linear_.coefficients.push_back(normal(rng)), means_.push_back(3 * normal(rng));
  }
  void TearDown() override { fs::remove_all(repo_); }

  void AddVersion(const std::string& name, const std::string& file, const std::string& bytes, const std::string& config,
                  bool statistics) {
    fs::create_directories(repo_ + "/" + name + "/1");
    std::ofstream(repo_ + "/" + name + "/1/" + file) << bytes;
    std::ofstream(repo_ + "/" + name + "/config.yaml") << kInputs << config;
    if (statistics) {
      std::ofstream(repo_ + "/" + name + "/1/statistics.json") << json{{"columns", kNames}, {"column_means", means_}}.dump();
    }
  }

  InferenceService& Service() {
    repository::ModelManager::Options options;
    options.repository = repo_;
    options.load.prepare = ModelStatePrepareHook();
    manager_ = std::make_unique<repository::ModelManager>(options);
    (void)manager_->ReconcileAll();
    service_ = std::make_unique<InferenceService>(manager_.get(), ServiceOptions{});
    return *service_;
  }

  std::string LoadError(const std::string& name) {
    for (const auto& s : manager_->Index()) {
      if (s.model == name) return s.reason;
    }
    return "(not in the index)";
  }

  static InferRequest Request(const std::string& model, const std::vector<float>& rows) {
    InferRequest r;
    r.model_name = model;
    const int64_t n = static_cast<int64_t>(rows.size()) / kCols;
    r.inputs.push_back({"features", DataType::kFp32, Tensor::FromVector<float>(Shape{n, kCols}, rows), {}});
    return r;
  }

  static const Tensor* Output(const InferResponse& response, const std::string& name) {
    for (const auto& o : response.outputs) {
      if (o.name == name) return &o.tensor;
    }
    return nullptr;
  }

  std::string repo_;
  runtime::linear::LinearSpec linear_;
  std::vector<double> means_;
  std::unique_ptr<repository::ModelManager> manager_;
  std::unique_ptr<InferenceService> service_;
};

TEST_F(TrainedModelExplanationsTest, LinearModelsAreExplainedAgainstTheTrainingMeansByDefault) {
  AddVersion("logistic", "model.linear.json", runtime::linear::LinearToJson(linear_), kReasons, true);
  const std::vector<float> rows = {1.5f, -2.0f, 0.25f, 4.0f, 0.0f, 1.0f, -1.0f, 2.0f};
  auto response = Service().Explain(Request("logistic", rows));
  ASSERT_TRUE(response.ok()) << response.status().ToString() << " / " << LoadError("logistic");
  EXPECT_EQ(std::get<std::string>(*response->parameters.Find("explanation_method")), "linear_shap");
  EXPECT_EQ(std::get<std::string>(*response->parameters.Find("explanation_space")), "log_odds");
  const Tensor* shap = Output(*response, "shap_values");
  const Tensor* margin = Output(*response, "margin");
  ASSERT_TRUE(shap != nullptr && margin != nullptr);
  for (int r = 0; r < 2; ++r) {
    double sum = 0, bias = linear_.intercept;
    for (int i = 0; i < kCols; ++i) {
      const float phi = shap->data<float>()[r * (kCols + 1) + i];
      EXPECT_NEAR(phi, linear_.coefficients[i] * (rows[r * kCols + i] - means_[i]), 1e-5);
      bias += linear_.coefficients[i] * means_[i];
      sum += phi;
    }
    EXPECT_NEAR(shap->data<float>()[r * (kCols + 1) + kCols], bias, 1e-5);
    EXPECT_NEAR(sum + bias, margin->data<float>()[r], 1e-5);
  }
}

TEST_F(TrainedModelExplanationsTest, ABackgroundInTheConfigComesBeforeTheTrainingMeans) {
  AddVersion("configured", "model.linear.json", runtime::linear::LinearToJson(linear_),
             "explanation: {background: {means: {a: 0, b: 0, c: 0, d: 0}}}\n", true);
  auto response = Service().Explain(Request("configured", {1, 2, 3, 4}));
  ASSERT_TRUE(response.ok()) << response.status().ToString() << " / " << LoadError("configured");
  for (int i = 0; i < kCols; ++i) {
    EXPECT_NEAR(Output(*response, "shap_values")->data<float>()[i], linear_.coefficients[i] * (i + 1), 1e-5);
  }
}

TEST_F(TrainedModelExplanationsTest, WithoutMeansALinearModelIsUnexplainedAndAnExplicitMethodFailsTheLoad) {
  AddVersion("no_means", "model.linear.json", runtime::linear::LinearToJson(linear_), "", false);
  AddVersion("asks_linear", "model.linear.json", runtime::linear::LinearToJson(linear_), "explanation: {method: linear}\n", false);
  AddVersion("card_method", "model.linear.json", runtime::linear::LinearToJson(linear_),
             "explanation: {method: points_below_max}\n", true);
  InferenceService& service = Service();
  auto unexplained = service.Explain(Request("no_means", {1, 2, 3, 4}));
  EXPECT_EQ(unexplained.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(service.Infer(Request("no_means", {1, 2, 3, 4})).ok());
  EXPECT_THAT(LoadError("asks_linear"), HasSubstr("statistics.json"));
  EXPECT_THAT(LoadError("card_method"), HasSubstr("'explanation.method: points_below_max'"));
  EXPECT_THAT(LoadError("card_method"), HasSubstr("needs a scorecard"));
}

TEST_F(TrainedModelExplanationsTest, ScorecardReasonsArePointsBelowTheMaximum) {
  runtime::linear::ScorecardSpec card;
  card.intercept = -1.0;
  for (int i = 0; i < kCols; ++i) {
    card.characteristics.push_back({kNames[i], false, {}, -0.8 - 0.1 * i,
                                    {{0.0, {}, -0.6 + 0.1 * i, 0}, {2.0, {}, 0.2, 0}, {INFINITY, {}, 0.5 - 0.2 * i, 0}},
                                    -0.1 * i, 0});
  }
  card.AssignPoints();
  AddVersion("card", "model.scorecard.json", runtime::linear::ScorecardToJson(card),
             std::string("decision: {threshold: 0.5}\n") + kReasons, false);
  auto response = Service().Explain(Request("card", {-1.0f, 1.0f, 5.0f, NAN}));
  ASSERT_TRUE(response.ok()) << response.status().ToString() << " / " << LoadError("card");
  EXPECT_EQ(std::get<std::string>(*response->parameters.Find("explanation_method")), "points_below_max");
  const float* phi = Output(*response, "shap_values")->data<float>();
  const auto reasons = json::parse(Output(*response, "reason_codes")->string_at(0));
  ASSERT_FALSE(reasons.empty());
  double previous = INFINITY;
  for (const auto& reason : reasons) {
    const int c = reason["code"].get<std::string>()[0] - 'A';
    EXPECT_NEAR(reason["contribution"].get<double>(), -phi[c], 1e-5);  // the points lost on it
    EXPECT_LE(reason["contribution"].get<double>(), previous);
    previous = reason["contribution"].get<double>();
  }
  double sum = 0;
  for (int i = 0; i <= kCols; ++i) sum += phi[i];
  EXPECT_NEAR(sum, Output(*response, "score")->data<float>()[0], 1e-3);
}

}  // namespace
}  // namespace finserve::serving
