// The features / decision / explanation sections: parsing, encoding of applicants, and every
// refusal naming the file, the key and the feature.
#include "serving/explain_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "repository/model_config.h"

namespace finserve::serving {
namespace {

using ::testing::HasSubstr;

const std::vector<std::string> kColumns = {"Age", "Income", "Home=rent", "Home=owner", "Records"};

constexpr char kFull[] = R"(
features:
  Age: {type: numeric, missing: refuse}
  Income: {type: numeric, column: Income, missing: nan}
  Home:
    type: categorical
    encoding: one_hot
    categories: {rent: "Home=rent", owner: "Home=owner"}
    missing: impute
    impute: rent
  Records:
    type: categorical
    encoding: ordinal
    categories: {"no": 0, "yes": 1}
decision: {classes: [good, bad], adverse_class: bad, threshold: 0.4}
explanation:
  method: tree_shap
  reason_codes:
    default_k: 2
    table:
      - {code: R1, features: [Age], adverse: low, text: "Age"}
      - {code: R2, features: [Income], adverse: low, reference: 100, text: "Income too low"}
      - {code: R3, features: [Home], text: "Type of residence"}
      - {code: R4, features: [Records], adverse: high, text: "Delinquency on record"}
)";

Result<ExplainConfig> Parse(std::string_view yaml, const std::vector<std::string>& columns = kColumns) {
  FS_ASSIGN_OR_RETURN(auto doc, repository::YamlToJson(yaml, "config.yaml"));
  FS_ASSIGN_OR_RETURN(auto config, repository::ParseModelConfig(doc, "config.yaml"));  // keys are known
  return ParseExplainConfig(config.document, columns, "config.yaml");
}

// Versions trained by finserve mark imputed numbers in an `indicator` column; the named feature
// owns that column too (one reason covers both) and reads a marked row back as missing.
TEST(ExplainConfigTest, IndicatorColumnBelongsToItsFeature) {
  auto c = Parse("features:\n  Debt: {type: numeric, missing: impute, impute: 7, indicator: Debt_missing}\n",
                 {"Debt", "Debt_missing"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  const NamedFeature* debt = c->features.Find("Debt");
  ASSERT_NE(debt, nullptr);
  EXPECT_EQ(debt->Columns(), (std::vector<int32_t>{0, 1}));
  std::vector<float> row(2, -1.0f);
  ASSERT_TRUE(c->features.Encode({{"Debt", RawValue()}}, row).ok());
  EXPECT_EQ(row, (std::vector<float>{7.0f, 1.0f}));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(NamedFeatures::Decode(*debt, row)));
  ASSERT_TRUE(c->features.Encode({{"Debt", 3.0}}, row).ok());
  EXPECT_EQ(row, (std::vector<float>{3.0f, 0.0f}));
  EXPECT_EQ(std::get<double>(NamedFeatures::Decode(*debt, row)), 3.0);
}

TEST(ExplainConfigTest, ParsesEverySection) {
  auto c = Parse(kFull);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->features.features().size(), 4u);
  const NamedFeature* home = c->features.Find("Home");
  ASSERT_NE(home, nullptr);
  EXPECT_EQ(home->kind, FeatureKind::kOneHot);
  EXPECT_EQ(home->categories, (std::vector<std::string>{"owner", "rent"}));
  EXPECT_EQ(home->category_columns, (std::vector<int32_t>{3, 2}));
  ASSERT_TRUE(c->decision.has_value());
  EXPECT_EQ(c->decision->adverse_class, 1);
  EXPECT_EQ(c->decision->AdverseClassName(), "bad");
  EXPECT_DOUBLE_EQ(c->decision->threshold, 0.4);
  EXPECT_EQ(c->explanation.method, ExplainMethod::kTreeShap);
  EXPECT_EQ(c->explanation.default_k, 2);
  ASSERT_TRUE(c->reasons.has_value());
  EXPECT_EQ(c->reasons->codes()[2].columns, (std::vector<int32_t>{2, 3}));
  EXPECT_EQ(c->reason_features[2], (std::vector<std::string>{"Home"}));
}

TEST(ExplainConfigTest, EncodesApplicantsByPolicy) {
  auto c = Parse(kFull);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  std::vector<float> row(5, -1.0f);
  ASSERT_TRUE(c->features.Encode({{"Age", 30.0}, {"Home", std::string("owner")}, {"Records", std::string("yes")}}, row).ok());
  EXPECT_EQ(row[0], 30.0f);
  EXPECT_TRUE(std::isnan(row[1]));  // Income: missing -> NaN
  EXPECT_EQ(row[2], 0.0f);
  EXPECT_EQ(row[3], 1.0f);
  EXPECT_EQ(row[4], 1.0f);
  // Home missing -> imputed 'rent'; Records missing -> refused.
  Status s = c->features.Encode({{"Age", 30.0}, {"Income", 10.0}, {"Home", RawValue()}}, row);
  EXPECT_THAT(s.message(), HasSubstr("feature 'Records' is missing"));
  ASSERT_TRUE(c->features.Encode({{"Age", 30.0}, {"Records", std::string("no")}}, row).ok());
  EXPECT_EQ(row[2], 1.0f);
  EXPECT_EQ(row[3], 0.0f);
  EXPECT_EQ(std::get<std::string>(NamedFeatures::Decode(*c->features.Find("Home"), row)), "rent");
  EXPECT_EQ(std::get<std::string>(NamedFeatures::Decode(*c->features.Find("Records"), row)), "no");
}

TEST(ExplainConfigTest, RefusesBadApplicants) {
  auto c = Parse(kFull);
  ASSERT_TRUE(c.ok());
  std::vector<float> row(5);
  auto msg = [&](const Applicant& a) { return c->features.Encode(a, row).message(); };
  EXPECT_THAT(msg({{"Agee", 1.0}}), HasSubstr("unknown feature 'Agee' (the model takes: Age, Home, Income, Records)"));
  EXPECT_THAT(msg({{"Age", std::string("30")}, {"Records", std::string("no")}}), HasSubstr("'Age' is numeric"));
  EXPECT_THAT(msg({{"Age", 1.0}, {"Records", std::string("maybe")}}),
              HasSubstr("feature 'Records': unknown category 'maybe' (known: no, yes)"));
  EXPECT_THAT(msg({{"Age", 1.0}, {"Age", 2.0}}), HasSubstr("'Age' is given twice"));
  EXPECT_THAT(msg({{"Age", 1.0}, {"Records", 1.0}}), HasSubstr("'Records' is categorical"));
  EXPECT_THAT(msg({{"Age", 1e300}, {"Records", std::string("no")}}), HasSubstr("out of range"));
}

TEST(ExplainConfigTest, RefusalsNameFileKeyAndFeature) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"features: {Age: {type: numeric, column: Agee}}",
       "config.yaml: 'features.Age.column' names column 'Agee', which the model's input does not have"},
      {"features: {Age: {type: number}}", "'features.Age.type' must be numeric or categorical"},
      {"features: {Age: {type: [numeric]}}", "'features.Age.type' must be numeric or categorical"},
      {"features: {Home: {type: categorical, encoding: {one: hot}}}", "'features.Home.encoding' must be one_hot or ordinal"},
      {"features: {Age: {type: numeric, missing: 1}}", "'features.Age.missing' must be refuse, nan or impute"},
      {"features: {Age: {type: numeric}}", "does not say where column 'Income' of the model's input comes from"},
      {"features: {Age: {type: numeric, colum: Age}}", "'features.Age.colum' is not a known key"},
      {"features: {Age: {type: numeric, missing: impute}}", "'features.Age.impute' is required with 'missing: impute'"},
      {"decision: {threshold: 1.5}", "'decision.threshold' must be in (0, 1)"},
      {"decision: {adverse_class: worst, classes: [good, bad], threshold: 0.5}", "'decision.adverse_class' is 'worst'"},
      {"explanation: {method: lime}", "'explanation.method' is 'lime'"},
      {"explanation: {reason_codes: {table: [{code: R1, text: t, features: [Salary]}]}}",
       "'explanation.reason_codes.table[0].features' names feature 'Salary', which the model does not have"},
      {"explanation: {reason_codes: {table: [{code: R1, text: t, features: [Age]}]}}",
       "gives no reason for feature(s) Income, Home=rent, Home=owner, Records"},
      {"explanation: {reason_codes: {unmapped: ignore, default_k: 3, table: [{code: R1, text: t, features: [Age]}]}}",
       "'explanation.reason_codes.default_k' must be an integer in [1, 1]"},
      {"explanation: {reason_codes: {unmapped: ignore, table: [{code: R1, text: t, features: [Age]}, "
       "{code: R2, text: u, features: [Age, Income]}]}}",
       "feature 'Age' is in two reasons (R1 and R2)"},
      {"explanation: {reason_codes: {unmapped: ignore, table: [{code: R1, text: t, features: [Age], reference: 3}]}}",
       "'reference' needs 'adverse: high' or 'adverse: low'"},
  };
  for (const auto& c : cases) {
    auto parsed = Parse(c.yaml);
    ASSERT_FALSE(parsed.ok()) << c.yaml;
    EXPECT_THAT(parsed.status().message(), HasSubstr(c.expected)) << c.yaml;
  }
}

TEST(ReasonTableTest, RanksAdverseContributionsWithDirectionCheck) {
  auto c = Parse(kFull);
  ASSERT_TRUE(c.ok());
  const auto& table = *c->reasons;
  // Age +0.1, Income +0.5 (but income 150 >= reference 100: 'too low' would be false), Home +0.3 total,
  // Records -0.2 (favourable).
  const std::vector<float> contributions = {0.1f, 0.5f, 0.2f, 0.1f, -0.2f};
  std::vector<float> row = {30, 150, 1, 0, 0};
  auto ranked = table.Rank(contributions, row, 4);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(table.codes()[ranked[0].entry].code, "R3");
  EXPECT_NEAR(ranked[0].contribution, 0.3, 1e-6);
  EXPECT_EQ(table.codes()[ranked[1].entry].code, "R1");
  row[1] = 50;  // now income is on the adverse side of its reference
  ranked = table.Rank(contributions, row, 2);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(table.codes()[ranked[0].entry].code, "R2");
  EXPECT_EQ(table.codes()[ranked[1].entry].code, "R3");
}

}  // namespace
}  // namespace finserve::serving
