// Explanations through the real server: infer with "explain": true, the /explain route and the
// named-feature :score endpoint on the bundled credit model, checked against the real XGBoost
// (contributions, probabilities) and against each other; every bad request gets a clear 400; a
// reason table naming a feature the model lacks fails the load with the feature named; and the
// offline `finserve explain` answers exactly as the server does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"
#include "testing/xgboost_reference.h"

namespace finserve::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kInfer[] = "/v2/models/credit_gbdt/infer";
constexpr char kExplain[] = "/v2/models/credit_gbdt/explain";
constexpr char kScore[] = "/v1/models/credit_gbdt:score";

json ExampleScoreRequest() {
  std::ifstream in(SourceDir() + "/examples/requests/credit_gbdt_score.json");
  return json::parse(in);
}

const json* Output(const json& answer, const std::string& name) {
  for (const auto& out : answer["outputs"]) {
    if (out["name"] == name) return &out;
  }
  return nullptr;
}

class ExplainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{"--model-repository", repository_, "--insecure-no-auth",
                                                                       "--poll-interval-s", "1", "--threads", "2"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  json PostOk(const std::string& target, const json& body) {
    auto res = client_->Post(target, body.dump());
    EXPECT_EQ(res.status, 200) << target << ": " << res.body;
    return json::parse(res.body, nullptr, false);
  }

  std::string ModelFile() const { return repository_ + "/credit_gbdt/1/model.json"; }

  std::string repository_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ExplainTest, InferWithExplainGivesXgboostContributionsAndReasons) {
  json request = ExampleRequest();
  request["parameters"] = {{"explain", true}};
  const json answer = PostOk(kInfer, request);
  EXPECT_EQ(answer["parameters"]["explanation_method"], "tree_shap");
  EXPECT_EQ(answer["parameters"]["explanation_space"], "log_odds");
  const json* shap = Output(answer, "shap_values");
  const json* margin = Output(answer, "margin");
  const json* reasons = Output(answer, "reason_codes");
  ASSERT_TRUE(shap && margin && reasons) << answer.dump();
  size_t rows = 0, cols = 0;
  const auto matrix = ExampleRows(request, &rows, &cols);
  EXPECT_EQ((*shap)["datatype"], "FP32");
  EXPECT_EQ((*shap)["shape"], json::array({rows, cols + 1}));
  const auto want = XgboostPredict(ModelFile(), matrix, rows, cols, XgboostOutput::kContributions);
  ASSERT_EQ((*shap)["data"].size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR((*shap)["data"][i].get<float>(), want[i], 1e-5) << i;
  for (size_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (size_t j = 0; j <= cols; ++j) sum += (*shap)["data"][r * (cols + 1) + j].get<double>();
    EXPECT_NEAR(sum, (*margin)["data"][r].get<double>(), 1e-5) << "additivity, row " << r;
  }
  EXPECT_EQ((*reasons)["datatype"], "BYTES");
  EXPECT_EQ((*reasons)["shape"], json::array({rows}));
  for (size_t r = 0; r < rows; ++r) {
    const json list = json::parse((*reasons)["data"][r].get<std::string>());
    ASSERT_EQ(list.size(), 4u) << list.dump();  // default_k
    double previous = 1e9;
    for (const auto& reason : list) {
      for (const char* field : {"code", "text", "features", "value", "contribution"}) {
        EXPECT_TRUE(reason.contains(field)) << field;
      }
      EXPECT_GT(reason["contribution"].get<double>(), 0.0);
      EXPECT_LE(reason["contribution"].get<double>(), previous);
      previous = reason["contribution"].get<double>();
    }
  }
}

TEST_F(ExplainTest, ExplainRouteAnswersLikeInferWithExplain) {
  json request = ExampleRequest();
  const json routed = PostOk(kExplain, request);
  request["parameters"] = {{"explain", true}};
  const json inferred = PostOk(kInfer, request);
  EXPECT_EQ(routed, inferred);
  json two = ExampleRequest();
  two["parameters"] = {{"reason_codes", 2}};
  const json versioned = PostOk("/v2/models/credit_gbdt/versions/1/explain", two);
  const json* reasons = Output(versioned, "reason_codes");
  ASSERT_NE(reasons, nullptr);
  EXPECT_EQ(json::parse((*reasons)["data"][0].get<std::string>()).size(), 2u);
}

TEST_F(ExplainTest, ScoreByNameMatchesTheModelAndItsContributions) {
  const json answer = PostOk(kScore, ExampleScoreRequest());
  // The score request is the second applicant of the infer example, by name.
  size_t rows = 0, cols = 0;
  const auto matrix = ExampleRows(ExampleRequest(), &rows, &cols);
  const std::vector<float> row(matrix.begin() + cols, matrix.begin() + 2 * cols);
  const auto p = XgboostPredict(ModelFile(), row, 1, cols, XgboostOutput::kValue);
  const auto phi = XgboostPredict(ModelFile(), row, 1, cols, XgboostOutput::kContributions);
  EXPECT_NEAR(answer["probability"].get<double>(), p[0], 1e-6);
  EXPECT_EQ(answer["decision"], p[0] >= 0.5 ? "decline" : "approve");
  EXPECT_EQ(answer["threshold"], 0.5);
  EXPECT_EQ(answer["adverse_class"], "bad");
  EXPECT_EQ(answer["method"], "tree_shap");
  EXPECT_EQ(answer["id"], "application-1");
  EXPECT_EQ(answer["model"]["name"], "credit_gbdt");
  EXPECT_EQ(answer["model"]["version"], "1");
  EXPECT_EQ(answer["model"]["model_sha256"].get<std::string>().size(), 64u);
  ASSERT_EQ(answer["reasons"].size(), 4u);
  // Income is missing for this applicant and counts against them: the missing-value statement.
  EXPECT_EQ(answer["reasons"][0]["code"], "R09");
  EXPECT_EQ(answer["reasons"][0]["text"], "Income information not provided");
  EXPECT_TRUE(answer["reasons"][0]["value"].is_null());
  EXPECT_NEAR(answer["reasons"][0]["contribution"].get<double>(), phi[20], 1e-5);  // column 20 = Income
  const json home = answer["reasons"][2];
  EXPECT_EQ(home["features"], json::array({"Home"}));
  EXPECT_EQ(home["value"], "priv");
  double home_sum = 0;
  for (int c = 1; c <= 6; ++c) home_sum += phi[c];  // the six Home=... columns form one reason
  EXPECT_NEAR(home["contribution"].get<double>(), home_sum, 1e-5);
  const json versioned = PostOk("/v1/models/credit_gbdt/versions/1:score", ExampleScoreRequest());
  EXPECT_EQ(versioned, answer);
}

TEST_F(ExplainTest, ScoreDeclinesAtOrAboveTheThreshold) {
  // Applicants of credit_data.csv by name: the decision always follows probability vs threshold,
  // and some are declined.
  std::ifstream csv(SourceDir() + "/data/credit_data.csv");
  std::string line;
  std::getline(csv, line);
  std::vector<std::string> header;
  for (std::stringstream ss(line); std::getline(ss, line, ',');) header.push_back(line.substr(1, line.size() - 2));
  int declined = 0;
  for (int n = 0; n < 60 && std::getline(csv, line); ++n) {
    json applicant = json::object();
    std::stringstream ss(line);
    for (const auto& column : header) {
      std::string cell;
      std::getline(ss, cell, ',');
      if (column == "Status") continue;
      if (cell.empty()) applicant[column] = nullptr;
      else if (cell[0] == '"') applicant[column] = cell.substr(1, cell.size() - 2);
      else applicant[column] = std::stod(cell);
    }
    const json answer = PostOk(kScore, {{"applicant", applicant}, {"reason_codes", 1}});
    const bool decline = answer["probability"].get<double>() >= 0.5;
    EXPECT_EQ(answer["decision"], decline ? "decline" : "approve") << answer.dump();
    EXPECT_LE(answer["reasons"].size(), 1u);
    declined += decline ? 1 : 0;
  }
  EXPECT_GT(declined, 0);
}

TEST_F(ExplainTest, BadExplanationRequestsGetClearErrors) {
  json bad_flag = ExampleRequest();
  bad_flag["parameters"] = {{"explain", "yes"}};
  json k_zero = ExampleRequest();
  k_zero["parameters"] = {{"explain", true}, {"reason_codes", 0}};
  json k_big = ExampleRequest();
  k_big["parameters"] = {{"explain", true}, {"reason_codes", 14}};
  json k_alone = ExampleRequest();
  k_alone["parameters"] = {{"reason_codes", 2}};
  json unknown = ExampleScoreRequest();
  unknown["applicant"]["Salary"] = 100;
  json missing = ExampleScoreRequest();
  missing["applicant"].erase("Age");
  json wrong_type = ExampleScoreRequest();
  wrong_type["applicant"]["Age"] = "fifty";
  json bad_category = ExampleScoreRequest();
  bad_category["applicant"]["Home"] = "castle";
  json list_value = ExampleScoreRequest();
  list_value["applicant"]["Age"] = json::array({1});
  json score_k = ExampleScoreRequest();
  score_k["reason_codes"] = 99;
  struct Case {
    std::string target;
    std::string body;
    int status;
    const char* fragment;
  };
  const Case cases[] = {
      {kInfer, bad_flag.dump(), 400, "parameter 'explain' must be true or false"},
      {kInfer, k_zero.dump(), 400, "'reason_codes' must be between 1 and 13"},
      {kInfer, k_big.dump(), 400, "got 14"},
      {kInfer, k_alone.dump(), 400, "'reason_codes' needs \"explain\": true"},
      {kScore, unknown.dump(), 400, "unknown feature 'Salary' (the model takes: Age, Amount, Assets"},
      {kScore, missing.dump(), 400, "feature 'Age' is missing"},
      {kScore, wrong_type.dump(), 400, "feature 'Age' is numeric"},
      {kScore, bad_category.dump(), 400, "unknown category 'castle' (known: ignore, other, owner, parents, priv, rent)"},
      {kScore, list_value.dump(), 400, "applicant 'Age' must be a number, a string"},
      {kScore, score_k.dump(), 400, "between 1 and 13"},
      {kScore, R"({"applicant": {}, "extra": 1})", 400, "unknown field 'extra'"},
      {kScore, R"({"reason_codes": 2})", 400, "no 'applicant'"},
      {kScore, "{", 400, "malformed JSON"},
      {"/v1/models/nope:score", ExampleScoreRequest().dump(), 404, "model 'nope' is not loaded"},
      {"/v2/models/nope/explain", ExampleRequest().dump(), 404, "model 'nope' is not loaded"},
  };
  for (const auto& c : cases) {
    auto res = client_->Post(c.target, c.body);
    EXPECT_EQ(res.status, c.status) << c.target << ": " << res.body;
    auto body = json::parse(res.body, nullptr, false);
    ASSERT_TRUE(body.is_object() && body.contains("error")) << res.body;
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(c.fragment)) << c.target;
  }
  EXPECT_EQ(client_->Post(kScore, ExampleScoreRequest().dump()).status, 200);
}

TEST_F(ExplainTest, ReasonTableNamingAnUnknownFeatureFailsTheLoad) {
  const std::string config = repository_ + "/credit_gbdt/config.yaml";
  std::ifstream in(config);
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string from = "features: [Price]";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "features: [Prize]");
  // A second model with the broken table: its load fails, credit_gbdt keeps serving.
  CopyTree(repository_ + "/credit_gbdt", repository_ + "/broken");
  std::ofstream(repository_ + "/broken/config.yaml") << yaml;
  ASSERT_TRUE(WaitFor(
      [&] { return client_->Post("/v2/repository/index", "{}").body.find("Prize") != std::string::npos; },
      std::chrono::seconds(20)));
  const json index = json::parse(client_->Post("/v2/repository/index", "{}").body);
  bool found = false;
  for (const auto& entry : index) {
    if (entry["name"] != "broken") continue;
    found = true;
    EXPECT_EQ(entry["state"], "UNAVAILABLE");
    EXPECT_THAT(entry["reason"].get<std::string>(), HasSubstr("names feature 'Prize', which the model does not have"));
    EXPECT_THAT(entry["reason"].get<std::string>(), HasSubstr("broken/config.yaml"));
  }
  EXPECT_TRUE(found) << index.dump();
  EXPECT_EQ(client_->Post(kScore, ExampleScoreRequest().dump()).status, 200);
}

TEST(ExplainCommandTest, OfflineAnswersEqualServerAnswers) {
  const std::string repository = SourceDir() + "/examples/model-repository";
  ServerProcess server({"--model-repository", repository, "--insecure-no-auth"});
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient client(server.port());
  struct Case {
    std::string input;
    std::string route;
    std::string body;
  };
  const Case cases[] = {
      {"/examples/requests/credit_gbdt_infer.json", kExplain, ExampleRequest().dump()},
      {"/examples/requests/credit_gbdt_score.json", kScore, ExampleScoreRequest().dump()},
  };
  for (const auto& c : cases) {
    std::string out;
    ASSERT_EQ(RunCommand({FinserveBinary(), "explain", "--model-repository", repository, "--model", "credit_gbdt",
                          "--input", SourceDir() + c.input},
                         &out),
              0)
        << c.input;
    EXPECT_EQ(json::parse(out), json::parse(client.Post(c.route, c.body).body)) << c.input;
  }
}

}  // namespace
}  // namespace finserve::testing
