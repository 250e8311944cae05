// Every model kind `finserve train` produces is explained by the running server out of the box:
// the trained versions of the bundled credit data answer infer with "explain": true and :score
// with contributions that add up (to the log-odds, or for the scorecard to its score) and ranked
// reasons from the reason table train wrote. The values are checked against independent
// computations: linear SHAP from model.linear.json and statistics.json, TreeSHAP against
// libxgboost's pred_contribs, points below maximum from model.scorecard.json, the rows encoded by
// the independent Python reading of the version (tests/train/reference/raw_features_reference.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"
#include "testing/xgboost_reference.h"

namespace finserve::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kRows = 12;  // within the sampling explainer's default max_batch (16)

struct Kind {
  const char* model;
  const char* method;
  const char* space;
};
constexpr Kind kKinds[] = {{"credit_logistic", "linear_shap", "log_odds"},
                           {"credit_scorecard", "points_below_max", "points"},
                           {"credit_gbdt", "tree_shap", "log_odds"},
                           {"credit_mlp", "sampling_shapley", "log_odds"}};

std::string CreditCsv() { return SourceDir() + "/data/credit_data.csv"; }

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) cells.push_back(cell), cell.clear();
    else cell += c;
  }
  cells.push_back(cell);
  return cells;
}

// The first `rows` records of the credit data as raw values by column name (null = missing).
std::vector<json> CreditRecords(int rows) {
  std::ifstream in(CreditCsv());
  std::string line;
  std::getline(in, line);
  const auto header = SplitCsvLine(line);
  std::vector<json> out;
  while (static_cast<int>(out.size()) < rows && std::getline(in, line)) {
    const auto cells = SplitCsvLine(line);
    json record = json::object();
    for (size_t c = 0; c < header.size(); ++c) {
      if (cells[c].empty()) record[header[c]] = nullptr;
      else if (std::isdigit(static_cast<unsigned char>(cells[c][0]))) record[header[c]] = std::stod(cells[c]);
      else record[header[c]] = cells[c];
    }
    out.push_back(std::move(record));
  }
  return out;
}

json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in);
}

const json& Output(const json& answer, const std::string& name) {
  for (const auto& out : answer["outputs"]) {
    if (out["name"] == name) return out;
  }
  static const json kNone;
  ADD_FAILURE() << "no output '" << name << "' in " << answer.dump().substr(0, 400);
  return kNone;
}

double Logit(double p) { return std::log(p / (1 - p)); }

class TrainExplainTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(MakeTempDir("finserve-train-explain"));
    // Few rounds and epochs: the point is what the versions answer, not their accuracy.
    std::ofstream(*root_ + "/fast.yaml") << "gbdt: {rounds: 30, early_stopping_rounds: 0}\n"
                                            "mlp: {hidden: [16, 8], max_epochs: 4}\n";
    for (const Kind& kind : kKinds) {
      const std::string algorithm = std::string(kind.model).substr(7);
      std::string out;
      const int code = RunCommand({FinserveBinary(), "train", "--data", CreditCsv(), "--target", "Status", "--positive", "bad",
                                   "--algorithm", algorithm, "--params", *root_ + "/fast.yaml", "--model-repository",
                                   *root_ + "/repo", "--model", kind.model, "--seed", "7", "--quiet"},
                                  &out);
      ASSERT_EQ(code, 0) << algorithm << ": " << out;
    }
  }

  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*root_, ec);
    delete root_;
  }

  void SetUp() override {
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--model-repository", *root_ + "/repo",
                                                                       "--insecure-no-auth", "--threads", "2"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    client_ = std::make_unique<HttpClient>(server_->port());
    for (const Kind& kind : kKinds) {
      ASSERT_TRUE(WaitFor([&] { return client_->Get(std::string("/v2/models/") + kind.model + "/ready").status == 200; },
                          std::chrono::seconds(30)))
          << kind.model << ": " << server_->Log();
    }
  }

  static std::string VersionDir(const Kind& kind) { return *root_ + "/repo/" + kind.model + "/1"; }

  json PostOk(const std::string& target, const json& body) {
    auto res = client_->Post(target, body.dump());
    EXPECT_EQ(res.status, 200) << target << ": " << res.body.substr(0, 600);
    return json::parse(res.body, nullptr, false);
  }

  // infer (with "explain": true unless `explain` is false) on the raw columns of the first kRows records.
  json ExplainRaw(const Kind& kind, const std::vector<std::string>& outputs, bool explain = true) {
    const json metadata = json::parse(client_->Get(std::string("/v2/models/") + kind.model).body);
    const auto records = CreditRecords(kRows);
    json inputs = json::array();
    for (const auto& raw : metadata["raw_inputs"]) {
      const std::string name = raw["name"];
      json data = json::array();
      for (const auto& r : records) data.push_back(raw["datatype"] == "BYTES" && r[name].is_null() ? json("") : r[name]);
      inputs.push_back({{"name", name}, {"datatype", raw["datatype"]}, {"shape", {kRows}}, {"data", data}});
    }
    json request = {{"inputs", inputs}, {"parameters", {{"explain", explain}}}, {"outputs", json::array()}};
    for (const auto& o : outputs) request["outputs"].push_back({{"name", o}});
    return PostOk(std::string("/v2/models/") + kind.model + "/infer", request);
  }

  // The rows as the independent Python reading of the version encodes them (NaN = missing).
  static std::vector<float> EncodedRows(const Kind& kind, size_t* cols) {
    std::string out;
    EXPECT_EQ(RunCommand({"/usr/bin/python3", SourceDir() + "/tests/train/reference/raw_features_reference.py",
                          VersionDir(kind), CreditCsv(), std::to_string(kRows)},
                         &out),
              0)
        << out;
    const json encoded = json::parse(out)["encoded"];
    *cols = encoded[0].size();
    std::vector<float> rows;
    for (const auto& row : encoded) {
      for (const auto& v : row) rows.push_back(v.is_null() ? std::nanf("") : v.get<float>());
    }
    return rows;
  }

  static std::string* root_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

std::string* TrainExplainTest::root_ = nullptr;

// Reasons: at most k, each with its fields, contributions > 0 and non-increasing, codes from the table.
void ExpectRankedReasons(const json& reasons, const std::string& version_dir) {
  ASSERT_TRUE(reasons.is_array()) << reasons.dump();
  EXPECT_LE(reasons.size(), 4u);
  std::ifstream config(version_dir + "/config.yaml");
  std::stringstream text;
  text << config.rdbuf();
  double previous = INFINITY;
  for (const auto& r : reasons) {
    for (const char* field : {"code", "text", "features", "value", "contribution"}) EXPECT_TRUE(r.contains(field)) << field;
    EXPECT_NE(text.str().find("code: " + r["code"].get<std::string>()), std::string::npos) << r.dump();
    EXPECT_GT(r["contribution"].get<double>(), 0.0);
    EXPECT_LE(r["contribution"].get<double>(), previous);
    previous = r["contribution"].get<double>();
  }
}

TEST_F(TrainExplainTest, EveryKindExplainsInferAdditivelyWithRankedReasons) {
  for (const Kind& kind : kKinds) {
    SCOPED_TRACE(kind.model);
    const bool card = std::string(kind.model) == "credit_scorecard";
    const json answer = ExplainRaw(kind, card ? std::vector<std::string>{"score", "probability"}
                                              : std::vector<std::string>{"probability", "margin"});
    ASSERT_TRUE(answer.contains("outputs")) << answer.dump();
    EXPECT_EQ(answer["parameters"]["explanation_method"], kind.method);
    EXPECT_EQ(answer["parameters"]["explanation_space"], kind.space);
    const json& shap = Output(answer, "shap_values");
    const size_t width = shap["shape"][1];
    ASSERT_EQ(shap["shape"][0], kRows);
    const json& reasons = Output(answer, "reason_codes");
    const json& probability = Output(answer, "probability");
    for (size_t r = 0; r < kRows; ++r) {
      double sum = 0;
      for (size_t j = 0; j < width; ++j) sum += shap["data"][r * width + j].get<double>();
      if (card) {
        EXPECT_NEAR(sum, Output(answer, "score")["data"][r].get<double>(), 2e-3) << "points add up to the score, row " << r;
      } else {
        EXPECT_NEAR(sum, Output(answer, "margin")["data"][r].get<double>(), 1e-4) << "additivity, row " << r;
        const double p = probability["data"][r].get<double>();
        if (p > 1e-4 && p < 1 - 1e-4) {
          EXPECT_NEAR(sum, Logit(p), 2e-3) << "log-odds of the probability, row " << r;
        }
      }
      ExpectRankedReasons(json::parse(reasons["data"][r].get<std::string>()), VersionDir(kind));
    }
  }
}

TEST_F(TrainExplainTest, LinearShapIsTheCoefficientTimesTheDistanceFromTheTrainingMean) {
  const Kind& kind = kKinds[0];
  const json shap = Output(ExplainRaw(kind, {"probability"}), "shap_values");
  size_t cols = 0;
  const std::vector<float> x = EncodedRows(kind, &cols);
  const json model = ReadJson(VersionDir(kind) + "/model.linear.json");
  const json statistics = ReadJson(VersionDir(kind) + "/statistics.json");
  ASSERT_EQ(statistics["columns"], model["feature_names"]);
  ASSERT_EQ(shap["shape"][1], cols + 1);
  for (size_t r = 0; r < kRows; ++r) {
    double bias = model["intercept"];
    for (size_t c = 0; c < cols; ++c) {
      const double w = model["coefficients"][c], mean = statistics["column_means"][c];
      bias += w * mean;
      EXPECT_NEAR(shap["data"][r * (cols + 1) + c].get<double>(), w * (x[r * cols + c] - mean), 1e-5) << r << ", " << c;
    }
    EXPECT_NEAR(shap["data"][r * (cols + 1) + cols].get<double>(), bias, 1e-5);
  }
}

TEST_F(TrainExplainTest, TrainedGbdtContributionsAreXgboostsOwn) {
  const Kind& kind = kKinds[2];
  const json shap = Output(ExplainRaw(kind, {"probability"}), "shap_values");
  size_t cols = 0;
  const std::vector<float> x = EncodedRows(kind, &cols);
  const auto want = XgboostPredict(VersionDir(kind) + "/model.json", x, kRows, cols, XgboostOutput::kContributions);
  ASSERT_EQ(shap["data"].size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(shap["data"][i].get<double>(), want[i], 1e-5) << i;
}

TEST_F(TrainExplainTest, ScorecardContributionsArePointsBelowEachCharacteristicsMaximum) {
  const Kind& kind = kKinds[1];
  const json answer = ExplainRaw(kind, {"points"});
  const json& shap = Output(answer, "shap_values");
  const json& points = Output(answer, "points");
  const json card = ReadJson(VersionDir(kind) + "/model.scorecard.json");
  const size_t n = card["characteristics"].size();
  double max_score = 0;
  std::vector<double> best;
  for (const auto& c : card["characteristics"]) {
    double b = c["missing"]["points"];
    for (const auto& bin : c["bins"]) b = std::max(b, bin["points"].get<double>());
    best.push_back(b);
    max_score += b;
  }
  for (size_t r = 0; r < kRows; ++r) {
    for (size_t c = 0; c < n; ++c) {
      EXPECT_NEAR(shap["data"][r * (n + 1) + c].get<double>(), points["data"][r * n + c].get<double>() - best[c], 1e-3);
    }
    EXPECT_NEAR(shap["data"][r * (n + 1) + n].get<double>(), max_score, 1e-3);
    // A reason's contribution is its characteristic's points below the maximum.
    for (const auto& reason : json::parse(Output(answer, "reason_codes")["data"][r].get<std::string>())) {
      size_t c = 0;
      while (c < n && card["characteristics"][c]["name"] != reason["features"][0]) ++c;
      ASSERT_LT(c, n) << reason.dump();
      EXPECT_NEAR(reason["contribution"].get<double>(), best[c] - points["data"][r * n + c].get<double>(), 1e-3);
    }
  }
}

TEST_F(TrainExplainTest, ScoreByNameDecidesAndGivesReasonsForEveryKind) {
  const auto records = CreditRecords(kRows);
  for (const Kind& kind : kKinds) {
    SCOPED_TRACE(kind.model);
    const json probabilities = Output(ExplainRaw(kind, {"probability"}, false), "probability")["data"];
    for (int r : {0, 5, 9}) {
      json applicant = records[static_cast<size_t>(r)];
      applicant.erase("Status");
      const json metadata = json::parse(client_->Get(std::string("/v2/models/") + kind.model).body);
      for (auto it = applicant.begin(); it != applicant.end();) {  // only what the model uses (the card drops some)
        bool used = false;
        for (const auto& raw : metadata["raw_inputs"]) used = used || raw["name"] == it.key();
        it = used ? std::next(it) : applicant.erase(it);
      }
      const json answer = PostOk(std::string("/v1/models/") + kind.model + ":score", {{"applicant", applicant}});
      ASSERT_TRUE(answer.contains("probability")) << answer.dump();
      EXPECT_NEAR(answer["probability"].get<double>(), probabilities[r].get<double>(), 1e-6);
      EXPECT_EQ(answer["threshold"], 0.5);
      EXPECT_EQ(answer["adverse_class"], "bad");
      EXPECT_EQ(answer["decision"], answer["probability"].get<double>() >= 0.5 ? "decline" : "approve");
      EXPECT_EQ(answer["method"], kind.method);
      EXPECT_EQ(answer["space"], kind.space);
      EXPECT_FALSE(answer["reasons"].empty()) << answer.dump();
      ExpectRankedReasons(answer["reasons"], VersionDir(kind));
    }
  }
}

TEST_F(TrainExplainTest, SamplingExplanationsOfTheMlpAreDeterministic) {
  const Kind& kind = kKinds[3];
  const json first = Output(ExplainRaw(kind, {"probability"}), "shap_values");
  const json second = Output(ExplainRaw(kind, {"probability"}), "shap_values");
  EXPECT_EQ(first, second);
  EXPECT_TRUE(fs::exists(VersionDir(kind) + "/background.csv"));
}

}  // namespace
}  // namespace finserve::testing
