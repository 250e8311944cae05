// Parity with the real XGBoost's pred_contribs (XGBoosterPredictFromDMatrix, type 2): models
// trained here with libxgboost on data with 15% missing values (binary, regression, Poisson and
// 4-class softprob), and the bundled credit model on every third applicant of data/credit_data.csv.
// Every kernel's contributions, bias included, within 1e-5 of XGBoost's, and additive.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "explain/tree_shap.h"
#include "explain/tree_shap_kernels.h"
#include "runtime/tree/tree_eval_reference.h"
#include "runtime/tree/xgboost_c_api_util.h"
#include "runtime/tree/xgboost_json_import.h"
#include "testing/xgboost_reference.h"

namespace finserve::explain {
namespace {

using runtime::tree::TreeEnsemble;
using runtime::tree::testing::DenseData;
using runtime::tree::testing::XgbBooster;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr double kTolerance = 1e-5;

DenseData MakeData(int64_t rows, int64_t cols, int num_class, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  DenseData data{rows, cols, {}, {}};
  for (int64_t i = 0; i < rows * cols; ++i) {
    data.values.push_back(unit(rng) < 0.15f ? kNaN : std::round(normal(rng) * 64.0f) / 64.0f);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = &data.values[r * cols];
    auto v = [&](int i) { return std::isnan(x[i]) ? 0.0f : x[i]; };
    const float score = v(0) + 0.5f * v(1) - v(2) + 0.25f * v(3) * v(4) + 0.3f * normal(rng);
    if (num_class > 2) {
      data.labels.push_back(score < -0.7f ? 0.0f : score < 0.0f ? 1.0f : score < 0.7f ? 2.0f : 3.0f);
    } else if (num_class == 2) {
      data.labels.push_back(score > 0 ? 1.0f : 0.0f);
    } else {
      data.labels.push_back(2.0f * score + 1.0f);
    }
  }
  return data;
}

std::vector<ShapKernel> Kernels() {
  std::vector<ShapKernel> kernels = {ShapKernel::kReference, ShapKernel::kScalar};
  if (internal::CpuHasAvx512ForShap()) kernels.push_back(ShapKernel::kAvx512);
  return kernels;
}

// Compares every kernel's contributions with XGBoost's for the model at `path`.
void ExpectParity(const std::string& path, const std::vector<float>& rows, int64_t n, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  auto imported = runtime::tree::ImportXgboostJson(text.str());
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  const TreeEnsemble& ensemble = imported->ensemble;
  const int32_t nf = ensemble.num_features();
  const int32_t no = ensemble.num_outputs();
  const std::vector<float> want =
      finserve::testing::XgboostPredict(path, rows, n, nf, finserve::testing::XgboostOutput::kContributions);
  ASSERT_EQ(want.size(), static_cast<size_t>(n) * no * (nf + 1)) << what;
  std::vector<float> margins(static_cast<size_t>(n) * no);
  runtime::tree::ReferenceEvaluator(ensemble).PredictMargins(rows.data(), n, margins.data());
  for (ShapKernel kernel : Kernels()) {
    auto shap = TreeShap::Create(ensemble, kernel);
    ASSERT_TRUE(shap.ok()) << shap.status().ToString();
    std::vector<float> got(want.size());
    (*shap)->Explain(rows.data(), n, got.data());
    double worst = 0, worst_sum = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::fabs(double(got[i]) - want[i]));
    for (int64_t r = 0; r < n * no; ++r) {
      double sum = 0;
      for (int32_t j = 0; j <= nf; ++j) sum += got[r * (nf + 1) + j];
      worst_sum = std::max(worst_sum, std::fabs(sum - margins[r]) / (1 + std::fabs(margins[r])));
    }
    std::printf("%-18s %-9s max |ours - xgboost| = %.2e, max additivity error = %.2e\n", what.c_str(),
                std::string(ShapKernelName(kernel)).c_str(), worst, worst_sum);
    EXPECT_LT(worst, kTolerance) << what << ", kernel " << ShapKernelName(kernel);
    EXPECT_LT(worst_sum, kTolerance) << what << ", kernel " << ShapKernelName(kernel) << ": additivity";
  }
}

struct Objective {
  std::string name;
  int num_class;  // 0 regression, 2 binary, > 2 multiclass
  std::vector<std::pair<std::string, std::string>> params;
};

TEST(XgboostShapParityTest, TrainedModelsWithMissingValues) {
  const std::vector<Objective> objectives = {
      {"binary:logistic", 2, {{"max_depth", "6"}}},
      {"binary:logitraw", 2, {{"max_depth", "4"}}},
      {"reg:squarederror", 0, {{"max_depth", "5"}, {"base_score", "0.7"}}},
      {"count:poisson", 0, {{"max_depth", "3"}}},
      {"multi:softprob", 4, {{"max_depth", "5"}, {"num_class", "4"}}},
  };
  for (const Objective& o : objectives) {
    DenseData train = MakeData(1500, 10, o.num_class, 11);
    if (o.name == "count:poisson") {
      for (float& y : train.labels) y = std::round(std::exp(0.3f * y) * 2.0f);
    }
    auto params = o.params;
    params.emplace_back("objective", o.name);
    params.emplace_back("eta", "0.2");
    XgbBooster booster;
    ASSERT_TRUE(booster.Train(train, params, 40)) << o.name;
    const std::string path = runtime::tree::testing::TempJsonPath("shap-parity");
    ASSERT_TRUE(booster.Save(path));
    const DenseData test = MakeData(300, 10, o.num_class, 12);
    ExpectParity(path, test.values, test.rows, o.name);
  }
}

// One applicant of credit_data.csv encoded as examples/scripts/credit_features.py does.
std::vector<float> EncodeApplicant(const std::vector<std::string>& header, const std::vector<std::string>& cells) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> order = {
      {"Seniority", {}}, {"Home", {"rent", "owner", "parents", "priv", "other", "ignore"}}, {"Time", {}}, {"Age", {}},
      {"Marital", {"married", "widow", "single", "separated", "divorced"}}, {"Records", {}},
      {"Job", {"fixed", "freelance", "partime", "others"}}, {"Expenses", {}}, {"Income", {}}, {"Assets", {}},
      {"Debt", {}}, {"Amount", {}}, {"Price", {}}};
  auto cell = [&](const std::string& name) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return cells[i];
    }
    return std::string();
  };
  std::vector<float> out;
  for (const auto& [column, categories] : order) {
    const std::string raw = cell(column);
    if (!categories.empty()) {
      for (const auto& c : categories) out.push_back(raw.empty() ? kNaN : (raw == c ? 1.0f : 0.0f));
    } else if (column == "Records") {
      out.push_back(raw.empty() ? kNaN : (raw == "yes" ? 1.0f : 0.0f));
    } else {
      out.push_back(raw.empty() ? kNaN : std::stof(raw));
    }
  }
  return out;
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (char c : line) {
    if (c == ',') {
      cells.push_back(cell), cell.clear();
    } else if (c != '"' && c != '\r') {
      cell.push_back(c);
    }
  }
  cells.push_back(cell);
  return cells;
}

TEST(XgboostShapParityTest, BundledCreditModelOnRealApplicants) {
  std::ifstream csv(std::string(FINSERVE_SOURCE_DIR) + "/data/credit_data.csv");
  ASSERT_TRUE(csv.good());
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = SplitCsvLine(line);
  std::vector<float> rows;
  int64_t n = 0, index = 0, with_missing = 0;
  while (std::getline(csv, line)) {
    if (index++ % 3 != 0) continue;
    const std::vector<float> row = EncodeApplicant(header, SplitCsvLine(line));
    with_missing += std::any_of(row.begin(), row.end(), [](float v) { return std::isnan(v); }) ? 1 : 0;
    rows.insert(rows.end(), row.begin(), row.end());
    ++n;
  }
  ASSERT_GT(n, 1000);
  EXPECT_GT(with_missing, 0);  // the data has applicants with unknown income, home, ...
  ExpectParity(std::string(FINSERVE_SOURCE_DIR) + "/examples/model-repository/credit_gbdt/1/model.json", rows, n,
               "credit_gbdt");
}

}  // namespace
}  // namespace finserve::explain
