// Explanations of the models finserve trains itself: linear SHAP of `model.linear.json` models
// (logistic and regression) against the sampling explainer's interventional Shapley values run
// through the model (for an additive model every order gives the exact value), and additivity
// against the model's own margin; points below maximum on a scorecard against the card's own
// `points` and `score` outputs; and the margin-space probe.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "explain/background.h"
#include "explain/linear_models.h"
#include "explain/linear_shap.h"
#include "explain/margin_space.h"
#include "explain/points_below_max.h"
#include "explain/sampling_shapley.h"
#include "runtime/linear/linear_model.h"
#include "runtime/linear/scorecard.h"

namespace finserve::explain {
namespace {

using runtime::linear::LinearSpec;
using ::testing::HasSubstr;
constexpr int32_t kFeatures = 7;

std::vector<float> RandomRows(int64_t rows, int32_t features, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> value(3.0f, 2.0f);
  std::vector<float> out(static_cast<size_t>(rows) * features);
  for (float& v : out) v = value(rng);
  return out;
}

std::unique_ptr<runtime::linear::LinearModel> MakeLinear(LinearSpec::Kind kind, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> weight(0.0, 0.7);
  LinearSpec spec;
  spec.kind = kind;
  spec.intercept = weight(rng);
  for (int32_t i = 0; i < kFeatures; ++i) {
    spec.feature_names.push_back("x" + std::to_string(i));
    spec.coefficients.push_back(weight(rng));
  }
  return runtime::linear::LinearModel::Create(spec).value();
}

std::vector<float> RunOutput(const runtime::Model& model, size_t output, const std::vector<float>& rows) {
  const int64_t n = static_cast<int64_t>(rows.size()) / model.inputs()[0].shape[1];
  const int64_t shape[2] = {n, model.inputs()[0].shape[1]};
  const TensorView input{DataType::kFp32, shape, rows.data(), rows.size() * sizeof(float), nullptr};
  std::vector<Tensor> outputs;
  EXPECT_TRUE(model.Run(std::span<const TensorView>(&input, 1), runtime::OutputSelection::All(), &outputs).ok());
  const Tensor& t = outputs.at(output);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.num_elements());
}

class LinearModelShapTest : public ::testing::TestWithParam<LinearSpec::Kind> {};

TEST_P(LinearModelShapTest, EqualsInterventionalShapleyThroughTheModelAndAddsUpToItsMargin) {
  const auto model = MakeLinear(GetParam(), 11);
  auto form = RecognizeLinearModel(*model);
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->MarginSpace(), GetParam() == LinearSpec::Kind::kLogistic ? "log_odds" : "margin");
  const std::vector<float> background = RandomRows(40, kFeatures, 5);
  BackgroundData data{40, background};
  auto linear = LinearShapExplainer::Create(kFeatures, form->weights, form->intercepts, data.ColumnMeans(kFeatures),
                                            form->MarginSpace());
  ASSERT_TRUE(linear.ok()) << linear.status().ToString();
  auto sampling = SamplingShapleyExplainer::Create(*model, form->output_index, background, {4, 9}, "margin");
  ASSERT_TRUE(sampling.ok()) << sampling.status().ToString();

  const std::vector<float> rows = RandomRows(5, kFeatures, 77);
  std::vector<float> exact(5 * (kFeatures + 1)), sampled(exact.size());
  ASSERT_TRUE((*linear)->Explain(rows.data(), 5, exact.data()).ok());
  ASSERT_TRUE((*sampling)->Explain(rows.data(), 5, sampled.data()).ok());
  const std::vector<float> margin = RunOutput(*model, form->output_index, rows);
  for (int r = 0; r < 5; ++r) {
    double sum = 0;
    for (int j = 0; j <= kFeatures; ++j) {
      const size_t at = static_cast<size_t>(r * (kFeatures + 1) + j);
      EXPECT_NEAR(exact[at], sampled[at], 1e-4) << "row " << r << " feature " << j;
      sum += exact[at];
    }
    EXPECT_NEAR(sum, margin[static_cast<size_t>(r)], 1e-5) << "additivity, row " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, LinearModelShapTest,
                         ::testing::Values(LinearSpec::Kind::kLogistic, LinearSpec::Kind::kRegression));

TEST(LinearModelShapTest, OtherModelsAreNotLinear) {
  runtime::linear::ScorecardSpec spec;
  spec.characteristics.push_back({"a", false, {}, -1.0, {{1.0, {}, 0.5, 0}, {INFINITY, {}, -0.5, 0}}, 0, 0});
  auto card = runtime::linear::ScorecardModel::Create(spec).value();
  EXPECT_EQ(RecognizeLinearModel(*card).status().code(), StatusCode::kUnimplemented);
}

// A card with a numeric characteristic (monotone bins), a categorical one and a missing bin,
// its points scaled the way the trainer scales them.
runtime::linear::ScorecardSpec MakeCard() {
  runtime::linear::ScorecardSpec spec;
  spec.intercept = -1.3;
  spec.characteristics.push_back(
      {"Income", false, {}, -0.9, {{80, {}, -0.8, 0}, {150, {}, 0.1, 0}, {INFINITY, {}, 0.7, 0}}, -0.3, 0});
  spec.characteristics.push_back({"Home", true, {"own", "rent", "other"}, -1.1, {{0, {0}, 0.6, 0}, {0, {1, 2}, -0.4, 0}}, 0.9, 0});
  spec.characteristics.push_back({"Age", false, {}, -0.5, {{30, {}, -0.2, 0}, {INFINITY, {}, 0.3, 0}}, 0, 0});
  spec.AssignPoints();
  return spec;
}

TEST(PointsBelowMaxTest, ShortfallsFromTheCardsOwnPointsAddUpToItsScore) {
  const auto spec = MakeCard();
  auto card = runtime::linear::ScorecardModel::Create(spec).value();
  auto explainer = CreatePointsBelowMaxExplainer(*card);
  ASSERT_TRUE(explainer.ok()) << explainer.status().ToString();
  EXPECT_EQ((*explainer)->method(), "points_below_max");
  EXPECT_EQ((*explainer)->space(), "points");
  EXPECT_EQ((*explainer)->positive_class_sign(), -1.0f);
  const float nan = std::nanf("");
  const std::vector<float> rows = {50, 0, 25, 200, 1, 40, nan, 2, nan, 120, nan, 31};
  std::vector<float> phi(4 * 4);
  ASSERT_TRUE((*explainer)->Explain(rows.data(), 4, phi.data()).ok());
  const std::vector<float> score = RunOutput(*card, 0, rows);
  const std::vector<float> points = RunOutput(*card, 2, rows);
  for (int r = 0; r < 4; ++r) {
    double sum = 0;
    for (int c = 0; c < 3; ++c) {
      // The card's best points for the characteristic, its missing bin included.
      const auto& ch = spec.characteristics[static_cast<size_t>(c)];
      double best = ch.missing_points;
      for (const auto& bin : ch.bins) best = std::max(best, bin.points);
      const float got = phi[static_cast<size_t>(r * 4 + c)];
      EXPECT_NEAR(got, points[static_cast<size_t>(r * 3 + c)] - best, 1e-4) << "row " << r << " characteristic " << c;
      EXPECT_LE(got, 0.0f);
      sum += got;
    }
    sum += phi[static_cast<size_t>(r * 4 + 3)];
    EXPECT_NEAR(sum, score[static_cast<size_t>(r)], 1e-3) << "additivity, row " << r;
  }
  // Row 1 (high income, renting, older) loses nothing on Income and Age.
  EXPECT_EQ(phi[4 + 0], 0.0f);
  EXPECT_EQ(phi[4 + 2], 0.0f);
}

TEST(PointsBelowMaxTest, UnknownCategoryCodeIsRefusedNamingTheCharacteristic) {
  auto card = runtime::linear::ScorecardModel::Create(MakeCard()).value();
  auto explainer = CreatePointsBelowMaxExplainer(*card).value();
  const std::vector<float> row = {50, 7, 25};
  std::vector<float> phi(4);
  const Status s = explainer->Explain(row.data(), 1, phi.data());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("Home"));
  EXPECT_EQ(CreatePointsBelowMaxExplainer(*MakeLinear(LinearSpec::Kind::kLogistic, 1)).status().code(),
            StatusCode::kUnimplemented);
}

TEST(MarginSpaceTest, LogOddsOnlyWhenTheModelsProbabilityIsTheSigmoidOfItsMargin) {
  const auto logistic = MakeLinear(LinearSpec::Kind::kLogistic, 3);
  const std::vector<float> rows = RandomRows(10, kFeatures, 8);
  EXPECT_EQ(ProbeMarginSpace(*logistic, 1, rows, 10), "log_odds");
  // A scorecard's score is no log-odds of its probability.
  auto card = runtime::linear::ScorecardModel::Create(MakeCard()).value();
  const std::vector<float> card_rows = {50, 0, 25, 200, 1, 40};
  EXPECT_EQ(ProbeMarginSpace(*card, 0, card_rows, 2), "output");
  // No probability output at all.
  EXPECT_EQ(ProbeMarginSpace(*MakeLinear(LinearSpec::Kind::kRegression, 3), 0, rows, 10), "output");
}

}  // namespace
}  // namespace finserve::explain
