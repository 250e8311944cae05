// `finserve train` / `evaluate` and the training job API against the real binary: every model kind
// trained from the bundled credit data is served from raw applicant columns and answers what an
// independent Python reading of the version (python3-xgboost, the documented formulas) answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr int kRows = 40;

std::string CreditCsv() { return SourceDir() + "/data/credit_data.csv"; }

std::vector<std::vector<std::string>> ReadRows(int rows, std::vector<std::string>* header) {
  std::ifstream in(CreditCsv());
  std::string line;
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::string cell;
    bool quoted = false;
    for (char c : l) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) cells.push_back(cell), cell.clear();
      else cell += c;
    }
    cells.push_back(cell);
    return cells;
  };
  std::getline(in, line);
  *header = split(line);
  std::vector<std::vector<std::string>> out;
  while (static_cast<int>(out.size()) < rows && std::getline(in, line)) out.push_back(split(line));
  return out;
}

// An OIP request with one input per raw feature listed in the model's metadata.
json RawRequest(const json& metadata) {
  std::vector<std::string> header;
  const auto rows = ReadRows(kRows, &header);
  json inputs = json::array();
  for (const auto& raw : metadata["raw_inputs"]) {
    const std::string name = raw["name"];
    const size_t c = static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
    json data = json::array();
    for (const auto& r : rows) {
      if (raw["datatype"] == "BYTES") data.push_back(r[c]);
      else data.push_back(r[c].empty() ? json(nullptr) : json(std::stod(r[c])));
    }
    inputs.push_back({{"name", name}, {"datatype", raw["datatype"]}, {"shape", {kRows}}, {"data", data}});
  }
  return {{"inputs", inputs}, {"outputs", {{{"name", "probability"}}}}};
}

json PythonReference(const std::string& version_dir) {
  std::string out;
  const int code = RunCommand({"/usr/bin/python3", SourceDir() + "/tests/train/reference/raw_features_reference.py", version_dir,
                               CreditCsv(), std::to_string(kRows)},
                              &out);
  EXPECT_EQ(code, 0) << out;
  return json::parse(out);
}

class TrainIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    repository_ = new std::string(MakeTempDir("finserve-train") + "/repo");
    data_dir_ = new std::string(MakeTempDir("finserve-train-data"));
    fs::copy_file(CreditCsv(), *data_dir_ + "/credit.csv");
    // A logistic model whose Income is imputed with a missing-indicator column (params file).
    std::ofstream(*data_dir_ + "/indicator.yaml") << "columns:\n  Income: {missing: indicator}\n  Assets: {missing: mean}\n";
    std::string indicator_out;
    ASSERT_EQ(RunCommand({FinserveBinary(), "train", "--data", CreditCsv(), "--target", "Status", "--positive", "bad",
                          "--algorithm", "logistic", "--params", *data_dir_ + "/indicator.yaml", "--model-repository",
                          *repository_, "--model", "credit_logistic_indicator", "--quiet"},
                         &indicator_out),
              0)
        << indicator_out;
    for (const char* algorithm : {"logistic", "scorecard", "gbdt", "mlp"}) {
      std::string out;
      const int code = RunCommand({FinserveBinary(), "train", "--data", CreditCsv(), "--target", "Status", "--positive", "bad",
                                   "--algorithm", algorithm, "--model-repository", *repository_, "--model",
                                   std::string("credit_") + algorithm, "--seed", "7", "--threads", "2", "--quiet"},
                                  &out);
      ASSERT_EQ(code, 0) << algorithm << ": " << out;
      EXPECT_THAT(out, HasSubstr("published")) << out;
      EXPECT_THAT(out, HasSubstr("auc")) << out;
    }
  }

  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(fs::path(*repository_).parent_path(), ec);
    fs::remove_all(*data_dir_, ec);
  }

  void SetUp() override {
    state_dir_ = MakeTempDir("finserve-train-state") + "/state";
    const std::string key = CreateKey(state_dir_, "risk-team", "infer,train,admin");
    ASSERT_FALSE(key.empty());
    auth_ = {{"Authorization", "Bearer " + key}};
    infer_only_ = {{"Authorization", "Bearer " + CreateKey(state_dir_, "scorer", "infer")}};
    credit_trainer_ = {{"Authorization", "Bearer " + CreateKey(state_dir_, "credit-team", "train", {"--models", "credit_*"})}};
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", *repository_, "--state-dir", state_dir_, "--key-refresh-ms", "50", "--poll-interval-s", "1",
        "--threads", "2", "--training-data-dir", *data_dir_, "--training-max-queued", "1"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  void TearDown() override {
    std::error_code ec;
    fs::remove_all(fs::path(state_dir_).parent_path(), ec);
  }

  json Get(const std::string& target, int expected = 200) {
    auto r = client_->Get(target, auth_);
    if (expected > 0) {
      EXPECT_EQ(r.status, expected) << target << ": " << r.body;
    }
    return json::parse(r.body, nullptr, false);
  }

  // Polls the job until it leaves QUEUED/RUNNING (deadline, not a fixed sleep).
  json WaitForJob(const std::string& id) {
    json status;
    EXPECT_TRUE(WaitFor([&] {
      status = Get("/v1/training/jobs/" + id);
      return status["state"] != "QUEUED" && status["state"] != "RUNNING";
    }, std::chrono::seconds(120)));
    return status;
  }

  static std::string* repository_;
  static std::string* data_dir_;
  std::string state_dir_;
  std::map<std::string, std::string> auth_;  // a key with the infer, train and admin scopes
  std::map<std::string, std::string> infer_only_;
  std::map<std::string, std::string> credit_trainer_;  // train scope, models credit_* only
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

std::string* TrainIntegrationTest::repository_ = nullptr;
std::string* TrainIntegrationTest::data_dir_ = nullptr;

TEST_F(TrainIntegrationTest, EveryKindIsServedFromRawColumnsAsTheReferenceScoresIt) {
  for (const char* model : {"credit_logistic", "credit_logistic_indicator", "credit_scorecard", "credit_gbdt", "credit_mlp"}) {
    SCOPED_TRACE(model);
    const json md = Get(std::string("/v2/models/") + model, -1);
    if (std::string(model) == "credit_mlp" && md.contains("error")) {
      // The ONNX backend is not in this build yet: the version must be reported, not served wrongly.
      const json index = json::parse(client_->Post("/v2/repository/index", "{}", auth_).body);
      bool listed = false;
      for (const auto& e : index) listed |= e["name"] == model && e["state"] == "UNAVAILABLE";
      EXPECT_TRUE(listed) << index.dump();
      continue;
    }
    ASSERT_TRUE(md.contains("raw_inputs")) << md.dump();
    EXPECT_EQ(md["raw_inputs"].size(), std::string(model) == "credit_scorecard" ? md["inputs"][0]["shape"][1].get<size_t>() : 13u);
    auto res = client_->Post(std::string("/v2/models/") + model + "/infer", RawRequest(md).dump(), auth_);
    ASSERT_EQ(res.status, 200) << res.body;
    const json served = json::parse(res.body)["outputs"][0]["data"];
    const json reference = PythonReference(*repository_ + "/" + model + "/1")["probability"];
    ASSERT_EQ(served.size(), reference.size());
    for (size_t i = 0; i < served.size(); ++i) EXPECT_NEAR(served[i].get<double>(), reference[i].get<double>(), 2e-6) << "row " << i;
  }
}

TEST_F(TrainIntegrationTest, ScorecardAnswersPointsPerCharacteristicAndBadRawInputIsNamed) {
  const json md = Get("/v2/models/credit_scorecard");
  json request = RawRequest(md);
  request.erase("outputs");
  auto res = client_->Post("/v2/models/credit_scorecard/infer", request.dump(), auth_);
  ASSERT_EQ(res.status, 200) << res.body;
  const json outputs = json::parse(res.body)["outputs"];
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs[0]["name"], "score");
  EXPECT_EQ(outputs[2]["name"], "points");
  EXPECT_EQ(outputs[2]["shape"], json::array({kRows, md["inputs"][0]["shape"][1].get<int>()}));
  request["inputs"].erase(1);
  auto missing = client_->Post("/v2/models/credit_scorecard/infer", request.dump(), auth_);
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr("missing raw feature 'Home'"));
}

TEST_F(TrainIntegrationTest, EvaluateReportsJsonMetricsAndAnHtmlReportWithCharts) {
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "evaluate", "--model-repository", *repository_, "--model", "credit_gbdt", "--data",
                        CreditCsv(), "--target", "Status", "--positive", "bad", "--threshold", "0.4"},
                       &out),
            0)
      << out;
  const json metrics = json::parse(out);
  for (const char* key : {"auc", "gini", "ks", "log_loss", "brier", "accuracy", "precision", "recall", "f1", "psi",
                          "calibration", "confusion_matrix"}) {
    EXPECT_TRUE(metrics.contains(key)) << key;
  }
  EXPECT_NEAR(metrics["gini"].get<double>(), 2 * metrics["auc"].get<double>() - 1, 1e-12);
  EXPECT_GT(metrics["auc"].get<double>(), 0.8);
  EXPECT_EQ(metrics["calibration"].size(), 10u);
  EXPECT_EQ(metrics["threshold"], 0.4);

  std::string html;
  ASSERT_EQ(RunCommand({FinserveBinary(), "evaluate", "--model-repository", *repository_, "--model", "credit_scorecard",
                        "--data", CreditCsv(), "--target", "Status", "--positive", "bad", "--format", "html"},
                       &html),
            0);
  const std::string dir = MakeTempDir("finserve-report");
  std::ofstream(dir + "/report.html") << html;
  std::string dom;
  ASSERT_EQ(RunCommand({"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", "--user-data-dir=" + dir + "/profile", "--dump-dom",
                        "file://" + dir + "/report.html"},
                       &dom),
            0);
  for (const char* chart : {"roc", "ks", "calibration", "distribution"}) {
    EXPECT_THAT(dom, HasSubstr(std::string("<svg id=\"") + chart + "\"")) << chart;
  }
  EXPECT_THAT(dom, HasSubstr("class=\"curve\""));
  EXPECT_THAT(dom, HasSubstr("class=\"bin\""));
  EXPECT_THAT(dom, HasSubstr("class=\"bar\""));
  EXPECT_THAT(dom, HasSubstr("<table id=\"metrics\">"));
  fs::remove_all(dir);
}

TEST_F(TrainIntegrationTest, TrainingJobsPublishServeAndCancel) {
  std::stringstream csv;
  csv << std::ifstream(CreditCsv()).rdbuf();
  json body = {{"model", "api_scorecard"}, {"target", "Status"}, {"positive", "bad"}, {"algorithm", "scorecard"},
               {"data_csv", csv.str()}};
  auto submitted = client_->Post("/v1/training/jobs", body.dump(), auth_);
  ASSERT_EQ(submitted.status, 202) << submitted.body;
  const json done = WaitForJob(json::parse(submitted.body)["id"]);
  ASSERT_EQ(done["state"], "SUCCEEDED") << done.dump();
  EXPECT_EQ(done["version"], 1);
  EXPECT_GT(done["metrics"]["auc"].get<double>(), 0.75);
  const json md = Get("/v2/models/api_scorecard");
  EXPECT_EQ(md["platform"], "finserve_scorecard");
  EXPECT_EQ(client_->Post("/v2/models/api_scorecard/infer", RawRequest(md).dump(), auth_).status, 200);

  // A job that would run for a long time is cancelled and leaves no version behind.
  json slow = {{"model", "api_slow"}, {"target", "Status"}, {"algorithm", "gbdt"}, {"data_file", "credit.csv"},
               {"params", {{"gbdt", {{"rounds", 100000}, {"early_stopping_rounds", 0}, {"max_depth", 8}}}}}};
  auto started = client_->Post("/v1/training/jobs", slow.dump(), auth_);
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id = json::parse(started.body)["id"];
  ASSERT_TRUE(WaitFor([&] { return Get("/v1/training/jobs/" + id)["state"] == "RUNNING"; }, std::chrono::seconds(30)));
  // One job runs (--training-jobs 1) and one may wait (--training-max-queued 1): a third is refused.
  auto waiting = client_->Post("/v1/training/jobs", slow.dump(), auth_);
  EXPECT_EQ(waiting.status, 202) << waiting.body;
  auto refused = client_->Post("/v1/training/jobs", slow.dump(), auth_);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("already running or waiting"));
  auto cancel_waiting = client_->Request("DELETE", "/v1/training/jobs/" + json::parse(waiting.body)["id"].get<std::string>(), "", auth_);
  EXPECT_EQ(json::parse(cancel_waiting.body)["state"], "CANCELLED");
  auto cancel = client_->Request("DELETE", "/v1/training/jobs/" + id, "", auth_);
  EXPECT_EQ(cancel.status, 200) << cancel.body;
  EXPECT_EQ(WaitForJob(id)["state"], "CANCELLED");
  EXPECT_FALSE(fs::exists(*repository_ + "/api_slow/1"));

  auto outside = client_->Post("/v1/training/jobs", json{{"model", "x"}, {"target", "Status"}, {"algorithm", "gbdt"},
                                                         {"data_file", "../repo/credit_gbdt/1/model.json"}}.dump(), auth_);
  EXPECT_EQ(outside.status, 400);
  EXPECT_THAT(outside.body, HasSubstr("plain file name"));
  EXPECT_EQ(client_->Post("/v1/training/jobs", json{{"model", "x"}, {"target", "Status"}, {"algorithm", "gbdt"},
                                                   {"data_file", "none.csv"}}.dump(), auth_).status, 404);
  EXPECT_EQ(client_->Post("/v1/training/jobs", R"({"model":"x","target":"Status","algorithm":"forest","data_file":"credit.csv"})", auth_).status, 400);
  EXPECT_EQ(client_->Get("/v1/training/jobs/job-nope", auth_).status, 404);
}

TEST_F(TrainIntegrationTest, TrainingNeedsTheTrainScopeAndTheModel) {
  const std::string body = json{{"model", "credit_new"}, {"target", "Status"}, {"algorithm", "gbdt"}, {"data_file", "none.csv"}}.dump();
  EXPECT_EQ(client_->Post("/v1/training/jobs", body).status, 401);
  auto no_scope = client_->Post("/v1/training/jobs", body, infer_only_);
  EXPECT_EQ(no_scope.status, 403);
  EXPECT_THAT(no_scope.body, HasSubstr("train"));
  EXPECT_EQ(client_->Get("/v1/training/jobs", infer_only_).status, 403);
  // The credit team's key passes for credit_* (then 404: no such data file), not for other models.
  EXPECT_EQ(client_->Post("/v1/training/jobs", body, credit_trainer_).status, 404);
  auto other = client_->Post("/v1/training/jobs",
                             json{{"model", "fraud_nn"}, {"target", "Status"}, {"algorithm", "gbdt"}, {"data_file", "credit.csv"}}.dump(),
                             credit_trainer_);
  EXPECT_EQ(other.status, 403);
  EXPECT_THAT(other.body, HasSubstr("may not train model 'fraud_nn'"));
}

TEST_F(TrainIntegrationTest, BadTrainingDataFailsWithRowAndColumnAndPublishesNothing) {
  const std::string dir = MakeTempDir("finserve-bad");
  std::ofstream(dir + "/ragged.csv") << "Status,a,b\ngood,1,2\nbad,3\n";
  std::string out;
  EXPECT_EQ(RunCommand({FinserveBinary(), "train", "--data", dir + "/ragged.csv", "--target", "Status", "--algorithm", "gbdt",
                        "--model-repository", dir + "/repo", "--model", "m", "--quiet"},
                       &out),
            2);
  EXPECT_FALSE(fs::exists(dir + "/repo/m"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace finserve::testing
