// Trainers against real references: scikit-learn's LogisticRegression, libxgboost's own
// predictions, ONNX's checker plus an independent numpy interpreter of the exported graph.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "runtime/backend.h"
#include "runtime/linear/scorecard.h"
#include "testing/xgboost_reference.h"
#include "train/gbdt_trainer.h"
#include "train/logistic_trainer.h"
#include "train/mlp_trainer.h"
#include "train/onnx_writer.h"
#include "train/python_reference.h"
#include "train/scorecard_trainer.h"
#include "train/train_test_util.h"

namespace finserve::train {
namespace {

double MaxAbsDiff(const std::vector<double>& a, const nlohmann::json& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i].get<double>()));
  return worst;
}

std::vector<double> ServedProbabilities(const std::string& file_name, const std::string& bytes, const Matrix& x,
                                        const char* output = "probability") {
  const runtime::Backend* backend = runtime::BackendRegistry::Builtin().ForFileName(file_name);
  EXPECT_NE(backend, nullptr);
  auto model = backend->Load({"", file_name, bytes}, {});
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  const std::vector<int64_t> dims = {x.rows, x.cols};
  TensorView in{DataType::kFp32, dims, x.values.data(), x.values.size() * 4, nullptr};
  std::vector<Tensor> out;
  EXPECT_TRUE((*model)->Run(std::span<const TensorView>(&in, 1), runtime::OutputSelection::All(), &out).ok());
  for (size_t o = 0; o < (*model)->outputs().size(); ++o) {
    if ((*model)->outputs()[o].name == output) {
      return std::vector<double>(out[o].data<float>(), out[o].data<float>() + out[o].num_elements());
    }
  }
  ADD_FAILURE() << "no output " << output;
  return {};
}

class LogisticVsSklearn : public ::testing::TestWithParam<std::pair<double, double>> {};

TEST_P(LogisticVsSklearn, SameProbabilities) {
  const auto [l2, l1] = GetParam();
  const EncodedCredit d = EncodeCredit(false, CategoryEncoding::kOneHot);
  LogisticOptions o;
  o.l2 = l2;
  o.l1 = l1;
  o.tolerance = 1e-12;
  auto fit = FitLogistic(d.x, d.y, o, {});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_TRUE(fit->converged);
  const std::string csv = WriteMatrixCsv(testing::TempDir("logistic") + "/x.csv", d.x, &d.y);
  const auto ref = testing::RunPythonReference("logistic_reference.py", {csv, std::to_string(l2), std::to_string(l1)});
  EXPECT_LT(MaxAbsDiff(PredictLogistic(*fit, d.x), ref["probability"]), l1 > 0 ? 1e-4 : 1e-6);
  if (l1 > 0) {
    int zeros = 0;
    for (double c : fit->coefficients) zeros += c == 0.0;
    EXPECT_GT(zeros, 0) << "an L1 penalty this strong zeroes some coefficients";
  }
}

// Lending Club's rare positive class (5%) made undamped Newton steps overshoot and diverge.
TEST(LogisticTrainerTest, RareClassDataConvergesToScikitLearnsFit) {
  const EncodedCredit d = EncodeLendingClub(false, CategoryEncoding::kOneHot);
  LogisticOptions o;
  o.tolerance = 1e-12;
  auto fit = FitLogistic(d.x, d.y, o, {});
  ASSERT_TRUE(fit.ok());
  EXPECT_TRUE(fit->converged);
  const std::string csv = WriteMatrixCsv(testing::TempDir("logistic") + "/x.csv", d.x, &d.y);
  const auto ref = testing::RunPythonReference("logistic_reference.py", {csv, "1", "0"});
  EXPECT_LT(MaxAbsDiff(PredictLogistic(*fit, d.x), ref["probability"]), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Penalties, LogisticVsSklearn,
                         ::testing::Values(std::make_pair(1.0, 0.0), std::make_pair(50.0, 0.0), std::make_pair(0.0, 20.0)));

TEST(GbdtTrainerTest, ServedTreesMatchXgboostAndTrainingIsDeterministic) {
  const EncodedCredit d = EncodeCredit(true, CategoryEncoding::kOneHot);
  const Matrix train = Rows(d.x, 0, 3500), valid = Rows(d.x, 3500, d.x.rows);
  const std::vector<float> ty(d.y.begin(), d.y.begin() + 3500), vy(d.y.begin() + 3500, d.y.end());
  GbdtOptions o;
  o.rounds = 400;
  o.learning_rate = 0.1;
  o.early_stopping_rounds = 20;
  TrainContext ctx;
  ctx.threads = 2;
  ctx.seed = 11;
  auto fit = FitGbdt(train, ty, valid, vy, d.plan.column_names(), o, ctx);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_LT(fit->rounds, 400) << "early stopping cut the ensemble";
  EXPECT_EQ(fit->rounds, fit->best_round + 1);
  auto again = FitGbdt(train, ty, valid, vy, d.plan.column_names(), o, ctx);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->model_json, fit->model_json) << "same data, options, seed and threads give the same bytes";
  ctx.seed = 12;
  auto other = FitGbdt(train, ty, valid, vy, d.plan.column_names(), o, ctx);
  EXPECT_NE(other->model_json, fit->model_json);

  const std::string path = testing::TempDir("gbdt") + "/model.json";
  std::ofstream(path) << fit->model_json;
  const auto reference = testing::XgboostPredict(path, valid.values, static_cast<size_t>(valid.rows), static_cast<size_t>(valid.cols));
  const auto ours = ServedProbabilities("model.json", fit->model_json, valid);
  ASSERT_EQ(ours.size(), reference.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_NEAR(ours[i], reference[i], 1e-6) << "row " << i;
}

TEST(GbdtTrainerTest, MonotoneConstraintHolds) {
  const EncodedCredit d = EncodeCredit(true, CategoryEncoding::kOneHot);
  GbdtOptions o;
  o.rounds = 60;
  o.early_stopping_rounds = 0;
  o.monotone["Income"] = -1;
  auto fit = FitGbdt(d.x, d.y, Matrix{}, {}, d.plan.column_names(), o, {});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const auto& names = d.plan.column_names();
  const int income = static_cast<int>(std::find(names.begin(), names.end(), "Income") - names.begin());
  // For 20 applicants, sweep Income upwards: the probability of default never rises.
  Matrix sweep;
  sweep.cols = d.x.cols;
  for (int64_t r = 0; r < 20; ++r) {
    for (int k = 0; k < 40; ++k) {
      sweep.values.insert(sweep.values.end(), d.x.row(r * 97), d.x.row(r * 97) + d.x.cols);
      sweep.values[static_cast<size_t>(sweep.rows * sweep.cols + income)] = static_cast<float>(k * 25);
      ++sweep.rows;
    }
  }
  const auto p = ServedProbabilities("model.json", fit->model_json, sweep);
  for (int64_t r = 0; r < 20; ++r) {
    for (int k = 1; k < 40; ++k) EXPECT_LE(p[static_cast<size_t>(r * 40 + k)], p[static_cast<size_t>(r * 40 + k - 1)] + 1e-7);
  }
  o.monotone = {{"Nope", 1}};
  EXPECT_THAT(FitGbdt(d.x, d.y, Matrix{}, {}, names, o, {}).status().message(), ::testing::HasSubstr("'Nope'"));
}

TEST(ScorecardTrainerTest, MonotoneWoePointsAndScaling) {
  const EncodedCredit d = EncodeCredit(true, CategoryEncoding::kOrdinal);
  ScorecardOptions o;
  auto fit = FitScorecard(d.plan, d.x, d.y, o, {});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  const auto& spec = fit->spec;
  EXPECT_NEAR(spec.offset() + spec.factor() * std::log(50.0), 600.0, 1e-9) << "600 points = 50:1 good:bad";
  EXPECT_NEAR(spec.factor() * std::log(2.0), 20.0, 1e-12) << "20 points double the odds";
  for (const auto& c : spec.characteristics) {
    if (c.categorical) continue;
    int direction = 0;
    for (size_t b = 1; b < c.bins.size(); ++b) {
      const int step = c.bins[b].woe > c.bins[b - 1].woe ? 1 : -1;
      if (direction == 0) direction = step;
      EXPECT_EQ(step, direction) << c.name << ": WOE must be monotone across bins";
    }
  }
  // Served: the score is the sum of the points, and the probability follows from the score.
  std::vector<size_t> kept = fit->kept;
  Matrix x;
  x.cols = static_cast<int>(kept.size());
  for (int64_t r = 0; r < 200; ++r) {
    for (size_t k : kept) x.values.push_back(d.x.at(r, static_cast<int>(k)));
    ++x.rows;
  }
  const std::string bytes = runtime::linear::ScorecardToJson(spec);
  const auto score = ServedProbabilities("model.scorecard.json", bytes, x, "score");
  const auto prob = ServedProbabilities("model.scorecard.json", bytes, x, "probability");
  const auto points = ServedProbabilities("model.scorecard.json", bytes, x, "points");
  for (int64_t r = 0; r < x.rows; ++r) {
    double sum = 0;
    for (int c = 0; c < x.cols; ++c) sum += points[static_cast<size_t>(r * x.cols + c)];
    EXPECT_NEAR(sum, score[static_cast<size_t>(r)], 1e-3);
    const double odds_good = std::exp((score[static_cast<size_t>(r)] - spec.offset()) / spec.factor());
    EXPECT_NEAR(prob[static_cast<size_t>(r)], 1 / (1 + odds_good), 1e-6);
  }
}

TEST(MlpTrainerTest, OnnxExportPassesCheckerAndMatchesNumpy) {
  const EncodedCredit d = EncodeCredit(false, CategoryEncoding::kOneHot);
  const Matrix train = Rows(d.x, 0, 3500), valid = Rows(d.x, 3500, d.x.rows);
  const std::vector<float> ty(d.y.begin(), d.y.begin() + 3500), vy(d.y.begin() + 3500, d.y.end());
  MlpOptions o;
  o.max_epochs = 30;
  TrainContext ctx;
  ctx.seed = 5;
  auto fit = FitMlp(train, ty, valid, vy, o, ctx);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  auto again = FitMlp(train, ty, valid, vy, o, ctx);
  auto onnx = MlpToOnnx(*fit, d.plan.column_names());
  ASSERT_TRUE(onnx.ok()) << onnx.status().ToString();
  EXPECT_EQ(*MlpToOnnx(*again, d.plan.column_names()), *onnx) << "same seed, same bytes";
  const std::string dir = testing::TempDir("mlp");
  std::ofstream(dir + "/model.onnx", std::ios::binary) << *onnx;
  const auto ref = testing::RunPythonReference("onnx_reference.py", {dir + "/model.onnx", WriteMatrixCsv(dir + "/x.csv", valid, nullptr)});
  EXPECT_LT(MaxAbsDiff(PredictMlp(*fit, valid), ref["probability"]), 1e-5);
  EXPECT_EQ(ref["margin"].size(), static_cast<size_t>(valid.rows));
}

}  // namespace
}  // namespace finserve::train
