// What `finserve train` writes for decisions and explanations: the decision names the positive
// label as adverse; the reason table has one reason per raw feature (one-hot columns grouped),
// with the adverse direction read back from the fitted model file (logistic coefficients,
// scorecard points across bins, GBDT monotone constraints); the MLP's background sample is a
// seeded, deterministic draw of training rows.
#include "train/explanation_defaults.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "runtime/linear/linear_model.h"
#include "runtime/linear/scorecard.h"
#include "train/pipeline.h"
#include "train/train_test_util.h"

namespace finserve::train {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

struct Trained {
  TrainedVersion version;
  json config;
  std::string File(const std::string& name) const {
    for (const auto& [n, contents] : version.files) {
      if (n == name) return contents;
    }
    return "";
  }
};

Trained Train(Algorithm algorithm, uint64_t seed = 3) {
  TrainSpec spec;
  spec.target = "Status";
  spec.positive = "bad";
  spec.algorithm = algorithm;
  spec.seed = seed;
  spec.gbdt.rounds = 20;
  spec.gbdt.monotone = {{"Income", -1}, {"Seniority", -1}, {"Debt", 1}};
  spec.mlp.max_epochs = 3;
  TrainContext ctx;
  auto v = TrainModel(CreditTable(), "sha", spec, ctx);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  Trained t{std::move(v).value(), json()};
  auto config = ParamsYamlToJson(t.File("config.yaml"), "config.yaml");
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  t.config = *config;
  return t;
}

// The reason of feature `name`, or null.
json ReasonOf(const json& config, const std::string& name) {
  for (const auto& r : config["explanation"]["reason_codes"]["table"]) {
    if (r["features"] == json::array({name})) return r;
  }
  return json();
}

void ExpectOneReasonPerRawFeature(const json& config) {
  const json& table = config["explanation"]["reason_codes"]["table"];
  ASSERT_EQ(table.size(), config["features"].size());
  std::set<std::string> codes;
  for (const auto& [name, feature] : config["features"].items()) {
    const json r = ReasonOf(config, name);
    ASSERT_FALSE(r.is_null()) << name;
    EXPECT_THAT(r["text"].get<std::string>(), HasSubstr(name));
    codes.insert(r["code"].get<std::string>());
    if (feature["type"] == "categorical") {
      EXPECT_EQ(r["adverse"], "any") << name;
    }
  }
  EXPECT_EQ(codes.size(), table.size());
  EXPECT_EQ(config["explanation"]["reason_codes"]["default_k"], 4);
  EXPECT_EQ(config["decision"]["classes"], json::array({"good", "bad"}));
  EXPECT_EQ(config["decision"]["adverse_class"], "bad");
  EXPECT_EQ(config["decision"]["threshold"], 0.5);
}

std::string Expected(double effect_on_bad) { return effect_on_bad > 0 ? "high" : effect_on_bad < 0 ? "low" : "any"; }

TEST(ExplanationDefaultsTest, LogisticDirectionsAreTheCoefficientSigns) {
  const Trained t = Train(Algorithm::kLogistic);
  ExpectOneReasonPerRawFeature(t.config);
  EXPECT_EQ(t.config["explanation"]["method"], "linear");
  const auto model = runtime::linear::ParseLinearJson(t.File("model.linear.json")).value();
  int directional = 0;
  for (const auto& [name, feature] : t.config["features"].items()) {
    if (feature["type"] != "numeric") continue;
    const auto& names = model.feature_names;
    const size_t c = static_cast<size_t>(std::find(names.begin(), names.end(), feature.value("column", name)) - names.begin());
    ASSERT_LT(c, names.size()) << name;
    EXPECT_EQ(ReasonOf(t.config, name)["adverse"], Expected(model.coefficients[c])) << name;
    directional += model.coefficients[c] != 0;
  }
  EXPECT_GT(directional, 5);
  EXPECT_THAT(t.File("config.yaml"), HasSubstr("- {adverse: "));  // one line per reason
}

TEST(ExplanationDefaultsTest, ScorecardDirectionsFollowThePointsAcrossBins) {
  const Trained t = Train(Algorithm::kScorecard);
  ExpectOneReasonPerRawFeature(t.config);
  EXPECT_EQ(t.config["explanation"]["method"], "points_below_max");
  const auto card = runtime::linear::ParseScorecardJson(t.File("model.scorecard.json")).value();
  for (const auto& c : card.characteristics) {
    std::string want = "any";
    if (!c.categorical) {
      bool up = true, down = true;
      for (size_t b = 1; b < c.bins.size(); ++b) up = up && c.bins[b].points >= c.bins[b - 1].points,
                                                   down = down && c.bins[b].points <= c.bins[b - 1].points;
      want = up == down ? "any" : down ? "high" : "low";
    }
    EXPECT_EQ(ReasonOf(t.config, c.name)["adverse"], want) << c.name;
  }
  // Income has missing values in the data and the card scores them in its missing bin.
  EXPECT_EQ(ReasonOf(t.config, "Income")["missing_text"], "Income not provided");
}

TEST(ExplanationDefaultsTest, GbdtDirectionsAreItsMonotoneConstraints) {
  const Trained t = Train(Algorithm::kGbdt);
  ExpectOneReasonPerRawFeature(t.config);
  EXPECT_EQ(t.config["explanation"]["method"], "tree_shap");
  EXPECT_EQ(ReasonOf(t.config, "Income")["adverse"], "low");
  EXPECT_EQ(ReasonOf(t.config, "Seniority")["adverse"], "low");
  EXPECT_EQ(ReasonOf(t.config, "Debt")["adverse"], "high");
  EXPECT_EQ(ReasonOf(t.config, "Age")["adverse"], "any");
  EXPECT_EQ(ReasonOf(t.config, "Income")["text"], "Income too low");
}

TEST(ExplanationDefaultsTest, MlpSamplesAgainstASeededBackgroundOfTrainingRows) {
  const Trained a = Train(Algorithm::kMlp, 3);
  ExpectOneReasonPerRawFeature(a.config);
  const json& e = a.config["explanation"];
  EXPECT_EQ(e["method"], "sampling");
  EXPECT_EQ(e["seed"], 3);
  EXPECT_EQ(e["samples"], kSamplingPermutations);
  EXPECT_EQ(e["background"]["csv"], kBackgroundFile);
  const std::string csv = a.File(kBackgroundFile);
  std::istringstream lines(csv);
  std::string line;
  int count = -1;
  while (std::getline(lines, line)) ++count;
  EXPECT_EQ(count, kBackgroundRows);
  EXPECT_EQ(e["background"]["max_rows"], kBackgroundRows);
  EXPECT_EQ(csv.substr(0, csv.find('\n')).find("\"Home=") != std::string::npos, true);
  EXPECT_EQ(Train(Algorithm::kMlp, 3).File(kBackgroundFile), csv) << "same seed, same background";
}

TEST(ExplanationDefaultsTest, BackgroundRowsAreDistinctRowsOfTheMatrix) {
  Matrix x;
  x.rows = 50;
  x.cols = 2;
  for (int64_t r = 0; r < x.rows; ++r) x.values.insert(x.values.end(), {static_cast<float>(r), r % 7 ? 0.5f : NAN});
  const std::string csv = BackgroundCsv(x, {"a", "b"}, 10, 1);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "\"a\",\"b\"");
  std::set<int> seen;
  while (std::getline(lines, line)) {
    const int r = std::stoi(line.substr(0, line.find(',')));
    EXPECT_TRUE(seen.insert(r).second) << "row " << r << " twice";
    EXPECT_EQ(line.substr(line.find(',') + 1), r % 7 ? "0.5" : "") << line;
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_NE(BackgroundCsv(x, {"a", "b"}, 10, 2), csv);
  EXPECT_EQ(BackgroundCsv(x, {"a", "b"}, 100, 1), BackgroundCsv(x, {"a", "b"}, 50, 9)) << "every row, in data order";
}

}  // namespace
}  // namespace finserve::train
