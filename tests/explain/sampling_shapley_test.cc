// Model-agnostic Shapley values: against the exact interventional Shapley values computed by
// enumerating every coalition (a real XGBoost-trained tree model, 6 features), against linear SHAP
// on a linear model (where every order gives the exact value), exact additivity, determinism for a
// seed, and the standard error it reports. Linear SHAP and the background CSV reader too.
#include "explain/sampling_shapley.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "explain/background.h"
#include "explain/linear_shap.h"
#include "explain/model_explainers.h"
#include "runtime/tree/tree_model.h"
#include "runtime/tree/xgboost_c_api_util.h"
#include "runtime/tree/xgboost_json_import.h"

namespace finserve::explain {
namespace {

using ::testing::HasSubstr;
constexpr int32_t kFeatures = 6;

// margin = b + w.x: a linear model as a runtime::Model (the runtime has no linear backend yet).
class LinearModel final : public runtime::Model {
 public:
  LinearModel(std::vector<double> w, double b) : w_(std::move(w)), b_(b) {
    inputs_ = {{"features", DataType::kFp32, {-1, static_cast<int64_t>(w_.size())}}};
    outputs_ = {{"margin", DataType::kFp32, {-1}}};
  }
  std::string_view platform() const override { return "test_linear"; }
  const std::vector<runtime::TensorSpec>& inputs() const override { return inputs_; }
  const std::vector<runtime::TensorSpec>& outputs() const override { return outputs_; }
  Status Run(std::span<const TensorView> inputs, const runtime::OutputSelection&,
             std::vector<Tensor>* outputs) const override {
    const int64_t n = inputs[0].shape[0];
    Tensor out = Tensor::Uninitialized(DataType::kFp32, Shape{n});
    for (int64_t r = 0; r < n; ++r) {
      double m = b_;
      for (size_t i = 0; i < w_.size(); ++i) m += w_[i] * inputs[0].data_as<float>()[r * w_.size() + i];
      out.data<float>()[r] = static_cast<float>(m);
    }
    outputs->assign(1, out);
    return Status::Ok();
  }

 private:
  std::vector<double> w_;
  double b_;
  std::vector<runtime::TensorSpec> inputs_, outputs_;
};

std::vector<float> RandomRows(int64_t n, uint32_t seed, bool with_missing) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  std::vector<float> rows(static_cast<size_t>(n) * kFeatures);
  for (float& v : rows) v = with_missing && unit(rng) < 0.1f ? NAN : normal(rng);
  return rows;
}

std::unique_ptr<runtime::tree::TreeModel> TrainTreeModel() {
  runtime::tree::testing::DenseData data{2000, kFeatures, RandomRows(2000, 1, true), {}};
  for (int64_t r = 0; r < data.rows; ++r) {
    const float* x = &data.values[r * kFeatures];
    auto v = [&](int i) { return std::isnan(x[i]) ? 0.0f : x[i]; };
    data.labels.push_back(v(0) + v(1) * v(2) - 0.5f * v(3) > 0 ? 1.0f : 0.0f);
  }
  runtime::tree::testing::XgbBooster booster;
  if (!booster.Train(data, {{"objective", "binary:logistic"}, {"max_depth", "3"}, {"eta", "0.3"}}, 20)) return nullptr;
  const std::string path = runtime::tree::testing::TempJsonPath("sampling");
  if (!booster.Save(path)) return nullptr;
  auto imported = runtime::tree::ImportXgboostJson(runtime::tree::testing::ReadFileOrDie(path));
  if (!imported.ok()) return nullptr;
  auto model = runtime::tree::TreeModel::Create(std::move(imported).value(), {});
  return model.ok() ? std::move(model).value() : nullptr;
}

// Exact interventional Shapley values of the margin by enumerating all 2^6 coalitions.
std::vector<double> ExactShapley(const runtime::tree::TreeModel& model, const float* x,
                                 const std::vector<float>& background) {
  const int64_t nb = static_cast<int64_t>(background.size()) / kFeatures;
  std::vector<double> value(1u << kFeatures);
  std::vector<float> hybrid(background.size());
  std::vector<float> margins(nb);
  for (uint32_t s = 0; s < value.size(); ++s) {
    for (int64_t b = 0; b < nb; ++b) {
      for (int32_t i = 0; i < kFeatures; ++i) {
        hybrid[b * kFeatures + i] = (s >> i & 1u) ? x[i] : background[b * kFeatures + i];
      }
    }
    model.PredictMargins(hybrid.data(), nb, margins.data());
    double mean = 0;
    for (float m : margins) mean += m;
    value[s] = mean / nb;
  }
  std::vector<double> phi(kFeatures + 1, 0.0);
  auto factorial = [](int n) { double f = 1; for (int i = 2; i <= n; ++i) f *= i; return f; };
  for (int i = 0; i < kFeatures; ++i) {
    for (uint32_t s = 0; s < value.size(); ++s) {
      if (s >> i & 1u) continue;
      const int size = __builtin_popcount(s);
      phi[i] += factorial(size) * factorial(kFeatures - size - 1) / factorial(kFeatures) * (value[s | (1u << i)] - value[s]);
    }
  }
  phi[kFeatures] = value[0];
  return phi;
}

TEST(SamplingShapleyTest, MatchesExactInterventionalShapleyWithinItsStandardError) {
  auto model = TrainTreeModel();
  ASSERT_NE(model, nullptr);
  const std::vector<float> background = RandomRows(25, 2, true);
  const int margin = MarginOutputIndex(*model);
  ASSERT_GE(margin, 0);
  auto sampler = SamplingShapleyExplainer::Create(*model, static_cast<size_t>(margin), background, {512, 7}, "log_odds");
  ASSERT_TRUE(sampler.ok()) << sampler.status().ToString();
  const std::vector<float> rows = RandomRows(6, 3, true);
  std::vector<float> phi(rows.size() / kFeatures * (kFeatures + 1)), se(phi.size());
  ASSERT_TRUE((*sampler)->ExplainWithError(rows.data(), 6, phi.data(), se.data()).ok());
  std::vector<float> margins(6);
  model->PredictMargins(rows.data(), 6, margins.data());
  for (int r = 0; r < 6; ++r) {
    const std::vector<double> exact = ExactShapley(*model, &rows[r * kFeatures], background);
    double sum = 0;
    for (int i = 0; i <= kFeatures; ++i) {
      const float got = phi[r * (kFeatures + 1) + i];
      sum += got;
      // 5 standard errors (plus float slack) is a bound this test misses with probability ~1e-6.
      EXPECT_NEAR(got, exact[i], 5 * se[r * (kFeatures + 1) + i] + 1e-5) << "row " << r << " feature " << i;
    }
    EXPECT_NEAR(sum, margins[r], 1e-5) << "additivity, row " << r;
  }
}

TEST(SamplingShapleyTest, DeterministicForASeed) {
  auto model = TrainTreeModel();
  ASSERT_NE(model, nullptr);
  const std::vector<float> background = RandomRows(10, 2, false);
  const std::vector<float> rows = RandomRows(3, 4, true);
  auto run = [&](uint64_t seed) {
    auto e = SamplingShapleyExplainer::Create(*model, MarginOutputIndex(*model), background, {16, seed}, "log_odds");
    EXPECT_TRUE(e.ok());
    std::vector<float> out(3 * (kFeatures + 1));
    EXPECT_TRUE((*e)->Explain(rows.data(), 3, out.data()).ok());
    return out;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
  // Each row's values do not depend on the other rows of the batch.
  auto e = SamplingShapleyExplainer::Create(*model, MarginOutputIndex(*model), background, {16, 11}, "log_odds");
  std::vector<float> one(kFeatures + 1);
  ASSERT_TRUE((*e)->Explain(&rows[2 * kFeatures], 1, one.data()).ok());
  const std::vector<float> batch = run(11);
  EXPECT_EQ(one, std::vector<float>(batch.begin() + 2 * (kFeatures + 1), batch.end()));
}

TEST(SamplingShapleyTest, EqualsLinearShapOnALinearModel) {
  const std::vector<double> w = {0.5, -1.25, 2.0, 0.0, 0.75, -0.3};
  const LinearModel model(w, -0.4);
  const std::vector<float> background = RandomRows(30, 5, false);
  BackgroundData data{30, background};
  auto linear = LinearShapExplainer::Create(kFeatures, w, {-0.4}, data.ColumnMeans(kFeatures), "log_odds");
  ASSERT_TRUE(linear.ok()) << linear.status().ToString();
  auto sampler = SamplingShapleyExplainer::Create(model, 0, background, {8, 1}, "log_odds");
  ASSERT_TRUE(sampler.ok()) << sampler.status().ToString();
  const std::vector<float> rows = RandomRows(5, 6, false);
  std::vector<float> a(5 * (kFeatures + 1)), b(a.size()), se(a.size());
  ASSERT_TRUE((*linear)->Explain(rows.data(), 5, a.data()).ok());
  ASSERT_TRUE((*sampler)->ExplainWithError(rows.data(), 5, b.data(), se.data()).ok());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(a[i], b[i], 1e-5) << i;
    EXPECT_LT(se[i], 1e-5) << i;  // every order gives the same credits
  }
  for (int r = 0; r < 5; ++r) {
    double margin = -0.4, sum = 0;
    for (int i = 0; i < kFeatures; ++i) margin += w[i] * rows[r * kFeatures + i];
    for (int i = 0; i <= kFeatures; ++i) sum += a[r * (kFeatures + 1) + i];
    EXPECT_NEAR(sum, margin, 1e-5);
    EXPECT_NEAR(a[r * (kFeatures + 1) + 1], -1.25 * (rows[r * kFeatures + 1] - data.ColumnMeans(kFeatures)[1]), 1e-6);
  }
}

TEST(LinearShapTest, RefusesMissingValuesAndBadShapes) {
  auto linear = LinearShapExplainer::Create(2, {1.0, 2.0}, {0.0}, {0.0, 0.0}, "log_odds");
  ASSERT_TRUE(linear.ok());
  const std::vector<float> row = {1.0f, NAN};
  std::vector<float> out(3);
  EXPECT_THAT((*linear)->Explain(row.data(), 1, out.data()).message(), HasSubstr("row 0, feature 1 is missing"));
  EXPECT_FALSE(LinearShapExplainer::Create(2, {1.0}, {0.0}, {0.0, 0.0}, "x").ok());
  EXPECT_FALSE(LinearShapExplainer::Create(2, {1.0, 2.0}, {0.0}, {0.0}, "x").ok());
}

TEST(BackgroundCsvTest, MapsColumnsByHeaderAndReadsMissingCells) {
  auto data = ParseBackgroundCsv("b,a\n1,2\n,4\n\n5,6\n", {"a", "b"}, 2, "bg.csv");
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  ASSERT_EQ(data->num_rows, 2);  // max_rows
  EXPECT_EQ(data->rows[0], 2.0f);
  EXPECT_EQ(data->rows[1], 1.0f);
  EXPECT_EQ(data->rows[2], 4.0f);
  EXPECT_TRUE(std::isnan(data->rows[3]));
  EXPECT_EQ(data->ColumnMeans(2), (std::vector<double>{3.0, 1.0}));
  EXPECT_THAT(ParseBackgroundCsv("a,c\n1,2\n", {"a", "b"}, 10, "bg.csv").status().message(),
              HasSubstr("bg.csv: line 1: column 'c' is not an input column of the model"));
  EXPECT_THAT(ParseBackgroundCsv("a,b\n1,x\n", {"a", "b"}, 10, "bg.csv").status().message(),
              HasSubstr("bg.csv: line 2: column 'b': 'x' is not a number"));
  EXPECT_THAT(ParseBackgroundCsv("a\n1\n", {"a", "b"}, 10, "bg.csv").status().message(),
              HasSubstr("the header lacks column 'b'"));
  EXPECT_THAT(ParseBackgroundCsv("a,b\n1\n", {"a", "b"}, 10, "bg.csv").status().message(), HasSubstr("1 cells"));
}

}  // namespace
}  // namespace finserve::explain
