#include "train/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>

#include "train/python_reference.h"

namespace finserve::train {
namespace {

struct Sample {
  std::vector<double> scores;
  std::vector<float> labels;
};

// Scores informative of the label, rounded to 2 decimals so that many ties occur.
Sample MakeSample(int n, uint64_t seed, double shift) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  Sample s;
  for (int i = 0; i < n; ++i) {
    const float y = rng() % 3 == 0 ? 1.0f : 0.0f;
    const double margin = (y > 0 ? 0.9 : -0.6) + shift + noise(rng);
    s.scores.push_back(std::round(100.0 / (1.0 + std::exp(-margin))) / 100.0);
    s.labels.push_back(y);
  }
  return s;
}

std::string WriteCsv(const std::string& dir, const std::string& name, const Sample& s) {
  const std::string path = dir + "/" + name;
  std::ofstream out(path);
  out.precision(17);
  for (size_t i = 0; i < s.scores.size(); ++i) out << s.scores[i] << "," << s.labels[i] << "\n";
  return path;
}

TEST(MetricsTest, BinaryMetricsMatchScikitLearn) {
  const Sample train = MakeSample(3000, 1, 0.0), test = MakeSample(1500, 2, 0.3);
  const std::string dir = testing::TempDir("metrics");
  const double threshold = 0.4;
  const auto ref = testing::RunPythonReference(
      "metrics_reference.py", {WriteCsv(dir, "test.csv", test), std::to_string(threshold), WriteCsv(dir, "train.csv", train)});
  ASSERT_FALSE(ref.contains("error"));
  const Histogram expected = MakeHistogram(train.scores, QuantileEdges(train.scores, 10));
  const BinaryReport r = EvaluateBinary(test.scores, test.labels, threshold, &expected);
  EXPECT_NEAR(r.auc, ref["auc"].get<double>(), 1e-12);
  EXPECT_NEAR(r.gini, 2 * ref["auc"].get<double>() - 1, 1e-12);
  EXPECT_NEAR(r.ks, ref["ks"].get<double>(), 1e-12);
  EXPECT_NEAR(r.log_loss, ref["log_loss"].get<double>(), 1e-12);
  EXPECT_NEAR(r.brier, ref["brier"].get<double>(), 1e-12);
  EXPECT_NEAR(r.confusion.accuracy(), ref["accuracy"].get<double>(), 1e-12);
  EXPECT_NEAR(r.confusion.precision(), ref["precision"].get<double>(), 1e-12);
  EXPECT_NEAR(r.confusion.recall(), ref["recall"].get<double>(), 1e-12);
  EXPECT_NEAR(r.confusion.f1(), ref["f1"].get<double>(), 1e-12);
  EXPECT_EQ(std::vector<int64_t>({r.confusion.tn, r.confusion.fp, r.confusion.fn, r.confusion.tp}),
            ref["confusion"].get<std::vector<int64_t>>());
  ASSERT_EQ(r.calibration.size(), ref["calibration_observed"].size());
  for (size_t b = 0; b < r.calibration.size(); ++b) {
    EXPECT_NEAR(r.calibration[b].positive_rate, ref["calibration_observed"][b].get<double>(), 1e-12) << "bin " << b;
    EXPECT_NEAR(r.calibration[b].mean_score, ref["calibration_predicted"][b].get<double>(), 1e-12) << "bin " << b;
  }
  EXPECT_NEAR(r.psi, ref["psi"].get<double>(), 1e-12);
  EXPECT_GT(r.psi, 0.01);  // the test sample was shifted
}

TEST(MetricsTest, RegressionMetricsMatchScikitLearn) {
  const Sample s = MakeSample(500, 3, 0.0);
  const auto ref = testing::RunPythonReference("metrics_reference.py", {WriteCsv(testing::TempDir("metrics"), "s.csv", s), "0.5"});
  EXPECT_NEAR(Rmse(s.scores, s.labels), ref["rmse"].get<double>(), 1e-12);
  EXPECT_NEAR(Mae(s.scores, s.labels), ref["mae"].get<double>(), 1e-12);
  EXPECT_NEAR(RSquared(s.scores, s.labels), ref["r2"].get<double>(), 1e-12);
}

TEST(MetricsTest, Invariants) {
  const std::vector<double> perfect = {0.1, 0.2, 0.8, 0.9};
  const std::vector<float> labels = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(RocAuc(perfect, labels), 1.0);
  EXPECT_DOUBLE_EQ(KsStatistic(perfect, labels), 1.0);
  const std::vector<double> constant = {0.5, 0.5, 0.5, 0.5};
  EXPECT_DOUBLE_EQ(RocAuc(constant, labels), 0.5);  // all tied: half credit
  EXPECT_DOUBLE_EQ(KsStatistic(constant, labels), 0.0);
  const Histogram h = MakeHistogram(perfect, QuantileEdges(perfect, 10));
  EXPECT_DOUBLE_EQ(Psi(h, h), 0.0);
  auto back = Histogram::FromJson(h.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->counts, h.counts);
  EXPECT_FALSE(Histogram::FromJson({{"edges", {1, 0}}, {"counts", {1, 2, 3}}}).ok());
}

}  // namespace
}  // namespace finserve::train
