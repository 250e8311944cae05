// Parity with the real XGBoost: train small models with libxgboost's C API (hist, one thread) on
// synthetic data with missing values, save them as JSON, load them with our importer, and compare
// our answers with XGBoost's own predictions on inputs with NaNs: probabilities and predictions
// within 1e-6, margins bit for bit, for every supported objective, row by row and in batches.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/tree/tree_model.h"
#include "runtime/tree/xgboost_c_api_util.h"
#include "runtime/tree/xgboost_json_import.h"

namespace finserve::runtime::tree {
namespace {

using testing::DenseData;
using testing::XgbBooster;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double kTolerance = 1e-6;

enum class Label { kBinary, kProbability, kReal, kCount, kClass3 };

struct ParityCase {
  std::string objective;
  Label label;
  std::vector<std::pair<std::string, std::string>> extra_params;
};

void PrintTo(const ParityCase& c, std::ostream* os) { *os << c.objective; }

float MakeLabel(Label kind, const float* x, std::mt19937& rng) {
  auto v = [&](int i) { return std::isnan(x[i]) ? 0.0f : x[i]; };
  std::normal_distribution<float> noise(0.0f, 0.3f);
  const float score = v(0) + 0.5f * v(1) - v(2) + 0.25f * v(3) * v(4) + noise(rng);
  switch (kind) {
    case Label::kBinary: return score > 0 ? 1.0f : 0.0f;
    case Label::kProbability: return 1.0f / (1.0f + std::exp(-score));
    case Label::kReal: return 2.0f * score + 1.0f;
    case Label::kCount: return static_cast<float>(std::poisson_distribution<int>(std::exp(0.5f * score))(rng));
    case Label::kClass3: return score < -0.5f ? 0.0f : (score < 0.5f ? 1.0f : 2.0f);
  }
  return 0;
}

// Standard normal features, 15% missing; values repeat (rounded to 1/64) so that inputs often sit
// exactly on split conditions.
DenseData MakeData(int64_t rows, int64_t cols, Label label, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  DenseData data{rows, cols, {}, {}};
  for (int64_t i = 0; i < rows * cols; ++i) {
    data.values.push_back(unit(rng) < 0.15f ? kNaN : std::round(normal(rng) * 64.0f) / 64.0f);
  }
  for (int64_t r = 0; r < rows; ++r) data.labels.push_back(MakeLabel(label, &data.values[r * cols], rng));
  return data;
}

std::unique_ptr<TreeModel> SaveAndImport(const XgbBooster& booster, const std::string& stem, std::string* path) {
  *path = testing::TempJsonPath(stem);
  if (!booster.Save(*path)) return nullptr;
  auto imported = ImportXgboostJson(testing::ReadFileOrDie(*path));
  EXPECT_TRUE(imported.ok()) << imported.status().ToString();
  if (!imported.ok()) return nullptr;
  auto model = TreeModel::Create(std::move(imported).value(), TreeModel::Options{});
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(model).value() : nullptr;
}

// Our outputs by name, for `rows` (all at once, or one Run per row).
std::map<std::string, std::vector<float>> RunOurs(const TreeModel& model, const std::vector<float>& rows,
                                                  bool one_by_one) {
  const int64_t nf = model.num_features();
  const int64_t n = static_cast<int64_t>(rows.size()) / nf;
  std::map<std::string, std::vector<float>> out;
  const int64_t step = one_by_one ? 1 : n;
  for (int64_t r = 0; r < n; r += step) {
    const std::vector<int64_t> shape = {step, nf};
    const TensorView view{DataType::kFp32, shape, rows.data() + r * nf, static_cast<size_t>(step * nf) * 4, nullptr};
    std::vector<Tensor> outputs;
    const Status status = model.Run(std::span<const TensorView>(&view, 1), OutputSelection::All(), &outputs);
    EXPECT_TRUE(status.ok()) << status.ToString();
    if (!status.ok()) return out;
    for (size_t i = 0; i < outputs.size(); ++i) {
      auto& dst = out[model.outputs()[i].name];
      for (int64_t e = 0; e < outputs[i].num_elements(); ++e) {
        dst.push_back(outputs[i].dtype() == DataType::kInt64 ? static_cast<float>(outputs[i].data<int64_t>()[e])
                                                             : outputs[i].data<float>()[e]);
      }
    }
  }
  return out;
}

// Every |ours - theirs| <= tolerance; records the worst difference and how many elements differ.
// Margins are compared with tolerance 0: we sum leaves in float in XGBoost's order, so they agree
// to the bit.
void ExpectClose(const std::vector<float>& ours, const std::vector<float>& theirs, const std::string& what,
                 double tolerance = kTolerance) {
  ASSERT_EQ(ours.size(), theirs.size()) << what;
  double worst = 0;
  size_t differing = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    const double diff = std::abs(static_cast<double>(ours[i]) - theirs[i]);
    worst = std::max(worst, diff);
    differing += ours[i] != theirs[i];
    ASSERT_LE(diff, tolerance) << what << " element " << i << ": ours " << ours[i] << " xgboost " << theirs[i];
  }
  ::testing::Test::RecordProperty(what + "_max_abs_diff", std::to_string(worst));
  ::testing::Test::RecordProperty(what + "_differing", std::to_string(differing));
}

// XGBoost's answer under another objective (same trees): e.g. softprob for a softmax model.
std::vector<float> PredictAs(const std::string& path, const std::string& objective, const std::vector<float>& rows,
                             int64_t nf, int type) {
  XgbBooster other;
  if (!other.Load(path) || !other.SetParam("objective", objective)) return {};
  return other.Predict(rows.data(), static_cast<int64_t>(rows.size()) / nf, nf, type);
}

class XgboostParityTest : public ::testing::TestWithParam<ParityCase> {};

TEST_P(XgboostParityTest, MatchesXgboostOnInputsWithMissingValues) {
  const ParityCase& c = GetParam();
  constexpr int64_t kFeatures = 7;
  const DenseData train = MakeData(600, kFeatures, c.label, 11);
  XgbBooster booster;
  std::vector<std::pair<std::string, std::string>> params = {{"objective", c.objective}, {"max_depth", "5"}};
  params.insert(params.end(), c.extra_params.begin(), c.extra_params.end());
  ASSERT_TRUE(booster.Train(train, params, 25));
  std::string path;
  const auto model = SaveAndImport(booster, "parity", &path);
  ASSERT_NE(model, nullptr);

  std::vector<float> rows = MakeData(300, kFeatures, c.label, 99).values;  // unseen rows
  rows.insert(rows.end(), train.values.begin(), train.values.end());       // rows on split points
  const std::vector<float> margins = booster.Predict(rows.data(), rows.size() / kFeatures, kFeatures, 1);
  const std::vector<float> answers = booster.Predict(rows.data(), rows.size() / kFeatures, kFeatures, 0);
  for (bool one_by_one : {false, true}) {
    auto ours = RunOurs(*model, rows, one_by_one);
    const std::string mode = one_by_one ? "single_rows" : "batch";
    ExpectClose(ours["margin"], margins, mode + "_margin", 0.0);
    if (c.objective == "multi:softmax") {
      ExpectClose(ours["label"], answers, mode + "_label");
      ExpectClose(ours["probability"], PredictAs(path, "multi:softprob", rows, kFeatures, 0), mode + "_probability");
    } else if (c.objective == "binary:logitraw") {
      // XGBoost answers the margin itself here; the probability is its sigmoid, taken in double.
      std::vector<float> sigmoid(answers.size());
      for (size_t i = 0; i < answers.size(); ++i) sigmoid[i] = static_cast<float>(1 / (1 + std::exp(-double{answers[i]})));
      ExpectClose(ours["probability"], sigmoid, mode + "_probability");
    } else if (ours.count("probability") != 0) {
      ExpectClose(ours["probability"], answers, mode + "_probability");
    } else {
      ExpectClose(ours["prediction"], answers, mode + "_prediction");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Objectives, XgboostParityTest,
    ::testing::Values(ParityCase{"binary:logistic", Label::kBinary, {{"base_score", "0.3"}}},
                      ParityCase{"binary:logitraw", Label::kBinary, {}},
                      ParityCase{"reg:squarederror", Label::kReal, {{"base_score", "1.25"}}},
                      ParityCase{"reg:logistic", Label::kProbability, {}},
                      ParityCase{"reg:pseudohubererror", Label::kReal, {}},
                      ParityCase{"multi:softprob", Label::kClass3, {{"num_class", "3"}}},
                      ParityCase{"multi:softmax", Label::kClass3, {{"num_class", "3"}}},
                      ParityCase{"count:poisson", Label::kCount, {{"base_score", "2"}}}),
    [](const ::testing::TestParamInfo<ParityCase>& info) {
      std::string name = info.param.objective;
      std::replace(name.begin(), name.end(), ':', '_');
      return name;
    });

// Enough trees for the 16-tree blocks of the single-row kernel, depth 6 (the benchmark's shape),
// with a deep lossguide tree or two beyond the perfect-tree limit.
TEST(XgboostParityTest, DeepAndManyTrees) {
  constexpr int64_t kFeatures = 30;
  const DenseData train = MakeData(2000, kFeatures, Label::kBinary, 5);
  for (const auto& extra : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"max_depth", "6"}}, {{"grow_policy", "lossguide"}, {"max_depth", "0"}, {"max_leaves", "40"}}}) {
    XgbBooster booster;
    auto params = extra;
    params.push_back({"objective", "binary:logistic"});
    ASSERT_TRUE(booster.Train(train, params, 50));
    std::string path;
    const auto model = SaveAndImport(booster, "deep", &path);
    ASSERT_NE(model, nullptr);
    const std::vector<float> rows = MakeData(400, kFeatures, Label::kBinary, 6).values;
    const auto probabilities = booster.Predict(rows.data(), 400, kFeatures, 0);
    const auto margins = booster.Predict(rows.data(), 400, kFeatures, 1);
    for (bool one_by_one : {false, true}) {
      auto ours = RunOurs(*model, rows, one_by_one);
      ExpectClose(ours["probability"], probabilities, "probability");
      ExpectClose(ours["margin"], margins, "margin", 0.0);
    }
  }
}

// data/credit_data.csv: the project's real data, with empty cells (missing values) in six columns.
// Strings become codes in order of first appearance; the label is Status == "bad".
DenseData LoadCreditData() {
  std::istringstream in(testing::ReadFileOrDie(std::string(FINSERVE_SOURCE_DIR) + "/data/credit_data.csv"));
  std::string line;
  std::getline(in, line);  // header
  DenseData data;
  std::vector<std::map<std::string, float>> codes;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream cells_in(line);
    for (std::string cell; std::getline(cells_in, cell, ',');) {
      cell.erase(std::remove(cell.begin(), cell.end(), '"'), cell.end());
      cells.push_back(cell);
    }
    if (line.back() == ',') cells.emplace_back();
    codes.resize(cells.size());
    data.labels.push_back(cells[0] == "bad" ? 1.0f : 0.0f);
    for (size_t c = 1; c < cells.size(); ++c) {
      const std::string& cell = cells[c];
      float value = kNaN;
      if (!cell.empty()) {
        char* end = nullptr;
        value = std::strtof(cell.c_str(), &end);
        if (*end != '\0') value = codes[c].emplace(cell, static_cast<float>(codes[c].size())).first->second;
      }
      data.values.push_back(value);
    }
    data.cols = static_cast<int64_t>(cells.size()) - 1;
    ++data.rows;
  }
  return data;
}

TEST(XgboostParityTest, CreditData) {
  const DenseData data = LoadCreditData();
  ASSERT_EQ(data.rows, 4454);
  ASSERT_EQ(data.cols, 13);
  ASSERT_EQ(static_cast<int64_t>(data.values.size()), data.rows * data.cols);
  XgbBooster booster;
  ASSERT_TRUE(booster.Train(data, {{"objective", "binary:logistic"}, {"max_depth", "4"}, {"eta", "0.1"}}, 80));
  std::string path;
  const auto model = SaveAndImport(booster, "credit", &path);
  ASSERT_NE(model, nullptr);
  const auto probabilities = booster.Predict(data.values.data(), data.rows, data.cols, 0);
  const auto margins = booster.Predict(data.values.data(), data.rows, data.cols, 1);
  for (bool one_by_one : {false, true}) {
    auto ours = RunOurs(*model, data.values, one_by_one);
    ExpectClose(ours["probability"], probabilities, "probability");
    ExpectClose(ours["margin"], margins, "margin", 0.0);
  }
}

}  // namespace
}  // namespace finserve::runtime::tree
