// Explanations through InferenceService on repositories built here (models trained with the real
// XGBoost): a multiclass model (one set of contributions per class, reasons for the adverse
// class), a binary model whose adverse class is 0, the sampling method from a background CSV, and
// configs that must fail the load with the file, key and feature named.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include "repository/manager.h"
#include "runtime/onnx/onnx_test_util.h"
#include "runtime/tree/xgboost_c_api_util.h"
#include "serving/inference_service.h"
#include "serving/model_state.h"
#include "testing/xgboost_reference.h"

namespace finserve::serving {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using runtime::tree::testing::DenseData;
using runtime::tree::testing::XgbBooster;

constexpr int kCols = 5;

DenseData MakeData(int64_t rows, uint32_t seed, int classes) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  DenseData d{rows, kCols, {}, {}};
  for (int64_t i = 0; i < rows * kCols; ++i) d.values.push_back(unit(rng) < 0.1f ? NAN : normal(rng));
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = &d.values[r * kCols];
    auto v = [&](int i) { return std::isnan(x[i]) ? 0.0f : x[i]; };
    const float s = v(0) - v(1) + 0.5f * v(2) * v(3) + 0.3f * normal(rng);
    d.labels.push_back(classes == 3 ? (s < -0.5f ? 0.0f : s < 0.5f ? 1.0f : 2.0f) : (s > 0 ? 1.0f : 0.0f));
  }
  return d;
}

constexpr char kFeatures[] = R"(inputs:
  - {name: x, datatype: FP32, shape: [-1, 5], features: [a, b, c, d, e]}
features:
  a: {type: numeric, missing: nan}
  b: {type: numeric, missing: nan}
  c: {type: numeric, missing: nan}
  d: {type: numeric, missing: nan}
  e: {type: numeric, missing: nan}
)";

constexpr char kReasons[] = R"(  reason_codes:
    default_k: 2
    table:
      - {code: A, features: [a], text: "a"}
      - {code: B, features: [b], text: "b"}
      - {code: C, features: [c, d], text: "c and d"}
      - {code: E, features: [e], text: "e"}
)";

class ExplanationServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = ::testing::TempDir() + "/explain-repo-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::remove_all(repo_);
  }

  // Trains a model into <repo>/<name>/1/model.json and writes <repo>/<name>/config.yaml.
  void AddModel(const std::string& name, int classes, const std::string& config) {
    fs::create_directories(repo_ + "/" + name + "/1");
    XgbBooster booster;
    std::vector<std::pair<std::string, std::string>> params = {{"max_depth", "4"}, {"eta", "0.3"}};
    if (classes == 3) {
      params.insert(params.end(), {{"objective", "multi:softprob"}, {"num_class", "3"}});
    } else {
      params.emplace_back("objective", "binary:logistic");
    }
    ASSERT_TRUE(booster.Train(MakeData(1500, 1, classes), params, 25));
    ASSERT_TRUE(booster.Save(repo_ + "/" + name + "/1/model.json"));
    std::ofstream(repo_ + "/" + name + "/config.yaml") << config;
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

  InferRequest Request(const std::string& model, const std::vector<float>& rows) {
    InferRequest r;
    r.model_name = model;
    const int64_t n = static_cast<int64_t>(rows.size()) / kCols;
    r.inputs.push_back({"x", DataType::kFp32, Tensor::FromVector<float>(Shape{n, kCols}, rows), {}});
    return r;
  }

  static const Tensor* Output(const InferResponse& response, const std::string& name) {
    for (const auto& o : response.outputs) {
      if (o.name == name) return &o.tensor;
    }
    return nullptr;
  }

  std::string repo_;
  std::unique_ptr<repository::ModelManager> manager_;
  std::unique_ptr<InferenceService> service_;
};

TEST_F(ExplanationServiceTest, MulticlassGivesOneSetPerClassAndReasonsForTheAdverseClass) {
  AddModel("multi", 3, std::string(kFeatures) +
                           "decision: {classes: [low, mid, high], adverse_class: high, threshold: 0.4}\n"
                           "explanation:\n" + kReasons);
  InferenceService& service = Service();
  const DenseData test = MakeData(20, 9, 3);
  auto response = service.Explain(Request("multi", test.values));
  ASSERT_TRUE(response.ok()) << response.status().ToString() << " / " << LoadError("multi");
  const Tensor* shap = Output(*response, "shap_values");
  ASSERT_NE(shap, nullptr);
  EXPECT_EQ(shap->shape(), (Shape{20, 3, kCols + 1}));
  const auto want = finserve::testing::XgboostPredict(repo_ + "/multi/1/model.json", test.values, 20, kCols,
                                                      finserve::testing::XgboostOutput::kContributions);
  ASSERT_EQ(static_cast<size_t>(shap->num_elements()), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(shap->data<float>()[i], want[i], 1e-5) << i;
  // Reasons rank the adverse class's (class 2's) contributions.
  const Tensor* reasons = Output(*response, "reason_codes");
  ASSERT_NE(reasons, nullptr);
  for (int r = 0; r < 20; ++r) {
    const auto list = nlohmann::json::parse(reasons->string_at(r));
    const float* high = shap->data<float>() + (r * 3 + 2) * (kCols + 1);
    double best = 0;
    for (double v : {double(high[0]), double(high[1]), double(high[2]) + high[3], double(high[4])}) best = std::max(best, v);
    if (best > 0) {
      ASSERT_FALSE(list.empty());
      EXPECT_NEAR(list[0]["contribution"].get<double>(), best, 1e-5);
    } else {
      EXPECT_TRUE(list.empty());
    }
  }
  ScoreRequest score{"multi", "", "s1", {{"a", 2.0}, {"b", -1.0}, {"c", RawValue()}, {"d", 0.5}, {"e", 0.1}}, 3, nullptr};
  auto scored = service.Score(score);
  ASSERT_TRUE(scored.ok()) << scored.status().ToString();
  const std::vector<float> row = {2.0f, -1.0f, NAN, 0.5f, 0.1f};
  auto probabilities = service.Infer(Request("multi", row));
  ASSERT_TRUE(probabilities.ok());
  EXPECT_FLOAT_EQ(static_cast<float>(scored->probability), Output(*probabilities, "probability")->data<float>()[2]);
  EXPECT_EQ(scored->decision, scored->probability >= 0.4 ? "decline" : "approve");
  EXPECT_EQ(scored->adverse_class, "high");
  EXPECT_LE(scored->reasons.size(), 3u);
}

TEST_F(ExplanationServiceTest, AdverseClassZeroNegatesContributions) {
  AddModel("good_is_adverse", 2, std::string(kFeatures) +
                                     "decision: {adverse_class: 0, threshold: 0.5}\nexplanation:\n" + kReasons);
  InferenceService& service = Service();
  const std::vector<float> row = {1.5f, -2.0f, 0.3f, NAN, 0.0f};
  ScoreRequest score{"good_is_adverse", "", "", {{"a", 1.5}, {"b", -2.0}, {"c", 0.3}, {"d", RawValue()}, {"e", 0.0}}, 4, nullptr};
  auto scored = service.Score(score);
  ASSERT_TRUE(scored.ok()) << scored.status().ToString() << " / " << LoadError("good_is_adverse");
  auto explained = service.Explain(Request("good_is_adverse", row));
  ASSERT_TRUE(explained.ok());
  const float* phi = Output(*explained, "shap_values")->data<float>();
  const float p1 = Output(*explained, "probability")->data<float>()[0];
  EXPECT_NEAR(scored->probability, 1.0 - p1, 1e-6);
  for (const Reason& reason : scored->reasons) {
    double sum = 0;
    for (const auto& f : reason.features) sum -= phi[f[0] - 'a'];  // toward class 0
    if (reason.code == "C") sum = -(phi[2] + phi[3]);
    EXPECT_NEAR(reason.contribution, sum, 1e-5) << reason.code;
    EXPECT_GT(reason.contribution, 0);
  }
}

TEST_F(ExplanationServiceTest, SamplingMethodFromABackgroundCsvIsAdditiveAndDeterministic) {
  AddModel("sampled", 2, std::string(kFeatures) +
                             "explanation:\n  method: sampling\n  samples: 8\n  seed: 5\n"
                             "  background: {csv: background.csv, max_rows: 20}\n");
  std::ofstream csv(repo_ + "/sampled/1/background.csv");
  csv << "e,d,c,b,a\n";
  const DenseData bg = MakeData(30, 4, 2);
  for (int64_t r = 0; r < 30; ++r) {
    for (int c = kCols - 1; c >= 0; --c) {
      const float v = bg.values[r * kCols + c];
      if (!std::isnan(v)) csv << v;
      csv << (c > 0 ? "," : "\n");
    }
  }
  csv.close();
  InferenceService& service = Service();
  const DenseData test = MakeData(3, 8, 2);
  auto a = service.Explain(Request("sampled", test.values));
  ASSERT_TRUE(a.ok()) << a.status().ToString() << " / " << LoadError("sampled");
  auto b = service.Explain(Request("sampled", test.values));
  ASSERT_TRUE(b.ok());
  const Tensor* phi = Output(*a, "shap_values");
  const Tensor* margin = Output(*a, "margin");
  EXPECT_EQ(std::vector<float>(phi->data<float>(), phi->data<float>() + phi->num_elements()),
            std::vector<float>(Output(*b, "shap_values")->data<float>(),
                               Output(*b, "shap_values")->data<float>() + phi->num_elements()));
  for (int r = 0; r < 3; ++r) {
    double sum = 0;
    for (int j = 0; j <= kCols; ++j) sum += phi->data<float>()[r * (kCols + 1) + j];
    EXPECT_NEAR(sum, margin->data<float>()[r], 1e-5);
  }
  const DenseData many = MakeData(17, 8, 2);
  EXPECT_THAT(service.Explain(Request("sampled", many.values)).status().message(),
              HasSubstr("at most 16 rows (explanation.max_batch), got 17"));
  const ParameterValue* method = a->parameters.Find("explanation_method");
  ASSERT_NE(method, nullptr);
  EXPECT_EQ(std::get<std::string>(*method), "sampling_shapley");
}

TEST_F(ExplanationServiceTest, ConfigsThatCannotBeServedFailTheLoad) {
  AddModel("no_background", 2, std::string(kFeatures) + "explanation: {method: sampling}\n");
  AddModel("linear", 2, std::string(kFeatures) + "explanation: {method: linear}\n");
  AddModel("bad_output", 2, std::string(kFeatures) + "decision: {output: proba, threshold: 0.5}\n");
  AddModel("bad_class", 2, std::string(kFeatures) + "decision: {adverse_class: 3, threshold: 0.5}\n");
  AddModel("bad_csv", 2, std::string(kFeatures) + "explanation: {method: sampling, background: {csv: nope.csv}}\n");
  AddModel("multi_no_decision", 3, std::string(kFeatures) + "explanation:\n" + kReasons);
  AddModel("plain", 2, "");  // no sections: explained by TreeSHAP with the model's own column names
  InferenceService& service = Service();
  EXPECT_THAT(LoadError("no_background"), HasSubstr("'explanation.background.csv' is required for method sampling"));
  EXPECT_THAT(LoadError("linear"), HasSubstr("'explanation.method: linear' needs a linear or logistic model"));
  EXPECT_THAT(LoadError("bad_output"), HasSubstr("'decision.output' is 'proba', which the model does not have"));
  EXPECT_THAT(LoadError("bad_class"), HasSubstr("needs class 3 of FP32 probabilities"));
  EXPECT_THAT(LoadError("bad_csv"), HasSubstr("nope.csv"));
  EXPECT_THAT(LoadError("multi_no_decision"), HasSubstr("with 3 classes needs 'decision.adverse_class'"));
  for (const char* name : {"no_background", "linear", "bad_output", "bad_class", "bad_csv"}) {
    EXPECT_THAT(LoadError(name), HasSubstr("/" + std::string(name) + "/config.yaml")) << name;
  }
  InferRequest plain;
  plain.model_name = "plain";
  plain.inputs.push_back({"features", DataType::kFp32, Tensor::FromVector<float>(Shape{1, kCols}, std::vector<float>(kCols, 0.5f)), {}});
  auto explained = service.Explain(plain);
  ASSERT_TRUE(explained.ok()) << explained.status().ToString();
  EXPECT_EQ(Output(*explained, "reason_codes"), nullptr);  // no table, no reasons
  EXPECT_EQ(Output(*explained, "shap_values")->shape(), (Shape{1, kCols + 1}));
  ScoreRequest score{"plain", "", "", {{"f0", 1.0}}, std::nullopt, nullptr};
  EXPECT_THAT(service.Score(score).status().message(), HasSubstr("has no named features"));
  plain.parameters.Set("reason_codes", int64_t{2});
  EXPECT_THAT(service.Explain(plain).status().message(), HasSubstr("has no reason table"));
}

}  // namespace
}  // namespace finserve::serving

namespace finserve::serving {
namespace {

using ::onnx::TensorProto;
using runtime::onnx::testing::ModelBuilder;
using runtime::onnx::testing::SetAttr;

const std::vector<float> kWeights = {0.8f, -1.5f, 0.25f, 2.0f, -0.6f};

// An ONNX logistic regression over the five columns: Gemm (transB) + Sigmoid.
std::string LogisticOnnx() {
  ModelBuilder b;
  b.Input("x", TensorProto::FLOAT, {"N", kCols}).Output("p", TensorProto::FLOAT, {"N", 1});
  b.Initializer("w", kWeights, {1, kCols}).Initializer("c", {-0.3f}, {1});
  SetAttr(b.Node("Gemm", {"x", "w", "c"}, {"z"}), "transB", int64_t{1});
  b.Node("Sigmoid", {"z"}, {"p"});
  return b.Bytes();
}

std::string MlpOnnx() {
  ModelBuilder b;
  b.Input("x", TensorProto::FLOAT, {"N", kCols}).Output("p", TensorProto::FLOAT, {"N", 1});
  b.Initializer("w1", {1, 0, 0, 1, -1, 1, 0.5f, 0, 1, 1}, {kCols, 2}).Initializer("w2", {1, -1}, {2, 1});
  b.Node("MatMul", {"x", "w1"}, {"h"});
  b.Node("Relu", {"h"}, {"r"});
  b.Node("MatMul", {"r", "w2"}, {"z"});
  b.Node("Sigmoid", {"z"}, {"p"});
  return b.Bytes();
}

class OnnxExplanationTest : public ExplanationServiceTest {
 protected:
  void AddOnnx(const std::string& name, const std::string& bytes, const std::string& config) {
    fs::create_directories(repo_ + "/" + name + "/1");
    std::ofstream(repo_ + "/" + name + "/1/model.onnx", std::ios::binary) << bytes;
    std::ofstream(repo_ + "/" + name + "/config.yaml") << config;
  }
  void AddBackgroundCsv(const std::string& name) {
    std::ofstream csv(repo_ + "/" + name + "/background.csv");
    csv << "a,b,c,d,e\n1,2,3,4,5\n3,2,1,0,-1\n";  // means 2, 2, 2, 2, 2
  }
};

TEST_F(OnnxExplanationTest, LogisticOnnxModelGetsExactLinearShapAndReasons) {
  AddOnnx("logit", LogisticOnnx(), std::string(kFeatures) +
          "decision: {output: p, threshold: 0.5}\n"
          "explanation:\n  method: linear\n  background: {means: {a: 0.5, b: 0, c: -1, d: 0.25, e: 1}}\n" + kReasons);
  AddOnnx("auto", LogisticOnnx(), std::string(kFeatures) + "explanation: {background: {csv: background.csv}}\n");
  AddBackgroundCsv("auto");
  AddOnnx("mlp", MlpOnnx(), std::string(kFeatures));
  AddOnnx("mlp_sampled", MlpOnnx(), std::string(kFeatures) +
          "explanation: {method: sampling, samples: 16, background: {csv: background.csv}}\n");
  AddBackgroundCsv("mlp_sampled");
  InferenceService& service = Service();
  const std::vector<double> means = {0.5, 0, -1, 0.25, 1};
  const std::vector<float> row = {1.0f, -0.5f, 2.0f, 0.0f, 3.0f};
  auto explained = service.Explain(Request("logit", row));
  ASSERT_TRUE(explained.ok()) << explained.status().ToString() << " / " << LoadError("logit");
  EXPECT_EQ(std::get<std::string>(*explained->parameters.Find("explanation_method")), "linear_shap");
  EXPECT_EQ(std::get<std::string>(*explained->parameters.Find("explanation_space")), "log_odds");
  const float* phi = Output(*explained, "shap_values")->data<float>();
  const double p = Output(*explained, "p")->data<float>()[0];
  double sum = 0;
  for (int i = 0; i <= kCols; ++i) sum += phi[i];
  EXPECT_NEAR(sum, std::log(p / (1 - p)), 1e-4);
  for (int i = 0; i < kCols; ++i) EXPECT_NEAR(phi[i], kWeights[i] * (row[i] - means[i]), 1e-5) << i;

  ScoreRequest score{"logit", "", "", {{"a", 1.0}, {"b", -0.5}, {"c", 2.0}, {"d", 0.0}, {"e", 3.0}}, 4, nullptr};
  auto scored = service.Score(score);
  ASSERT_TRUE(scored.ok()) << scored.status().ToString();
  EXPECT_NEAR(scored->probability, p, 1e-7);
  EXPECT_EQ(scored->method, "linear_shap");
  ASSERT_FALSE(scored->reasons.empty());
  // w_i (x_i - mean_i): a 0.4, b 0.75, c + d 0.75 - 0.5 = 0.25, e -1.2 (favourable).
  ASSERT_EQ(scored->reasons.size(), 3u);
  EXPECT_EQ(scored->reasons[0].code, "B");
  EXPECT_NEAR(scored->reasons[0].contribution, 0.75, 1e-6);
  EXPECT_EQ(scored->reasons[1].code, "A");
  EXPECT_NEAR(scored->reasons[1].contribution, 0.4, 1e-6);
  EXPECT_EQ(scored->reasons[2].code, "C");
  EXPECT_NEAR(scored->reasons[2].contribution, 0.25, 1e-6);

  auto automatic = service.Explain(Request("auto", row));
  ASSERT_TRUE(automatic.ok()) << automatic.status().ToString() << " / " << LoadError("auto");
  EXPECT_EQ(std::get<std::string>(*automatic->parameters.Find("explanation_method")), "linear_shap");
  EXPECT_NEAR(Output(*automatic, "shap_values")->data<float>()[0], kWeights[0] * (1.0 - 2.0), 1e-5);

  EXPECT_THAT(service.Explain(Request("mlp", row)).status().message(),
              HasSubstr("cannot be explained: it is not a tree model; configure"));
  auto sampled = service.Explain(Request("mlp_sampled", row));
  ASSERT_TRUE(sampled.ok()) << sampled.status().ToString() << " / " << LoadError("mlp_sampled");
  EXPECT_EQ(std::get<std::string>(*sampled->parameters.Find("explanation_method")), "sampling_shapley");
  EXPECT_EQ(std::get<std::string>(*sampled->parameters.Find("explanation_space")), "output");
}

}  // namespace
}  // namespace finserve::serving
