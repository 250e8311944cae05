#include "train/preprocess.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

namespace finserve::train {
namespace {

using ::testing::HasSubstr;

CsvTable Table(std::string_view text) {
  auto t = CsvTable::Parse(text, "t.csv", {});
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return *t;
}

constexpr char kData[] =
    "y,age,home,income\n"
    "bad,30,rent,100\n"
    "good,40,own,\n"
    "good,50,rent,300\n"
    "bad,25,,200\n"
    "good,60,own,500\n";

TEST(PreprocessTest, InfersTypesAndOneHotWithImputation) {
  PreprocessOptions o;
  o.target = "y";
  o.native_missing = false;
  auto plan = FitFeaturePlan(Table(kData), o);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->features().size(), 3u);
  EXPECT_EQ(plan->features()[0].type, FeatureType::kNumeric);
  EXPECT_EQ(plan->features()[1].type, FeatureType::kCategorical);
  // Categories by frequency (ties by name); missing seen in training -> its own category, imputed.
  EXPECT_EQ(plan->features()[1].categories, (std::vector<std::string>{"own", "rent", "(missing)"}));
  EXPECT_EQ(plan->features()[1].missing, MissingPolicy::kImpute);
  EXPECT_EQ(plan->features()[1].impute_category, "(missing)");
  // Missing income -> the training median.
  EXPECT_EQ(plan->features()[2].missing, MissingPolicy::kImpute);
  EXPECT_DOUBLE_EQ(plan->features()[2].impute_value, 250.0);
  EXPECT_EQ(plan->column_names(), (std::vector<std::string>{"age", "home=own", "home=rent", "home=(missing)", "income"}));
  auto m = EncodeTable(*plan, Table(kData));
  ASSERT_TRUE(m.ok());
  const std::vector<float> row1 = {40, 1, 0, 0, 250};
  const std::vector<float> row3 = {25, 0, 0, 1, 200};
  EXPECT_EQ(std::vector<float>(m->row(1), m->row(1) + 5), row1);
  EXPECT_EQ(std::vector<float>(m->row(3), m->row(3) + 5), row3);
}

TEST(PreprocessTest, NativeMissingKeepsNaNAndOrdinalCodes) {
  PreprocessOptions o;
  o.target = "y";
  o.encoding = CategoryEncoding::kOrdinal;
  auto plan = FitFeaturePlan(Table(kData), o);
  ASSERT_TRUE(plan.ok());
  auto m = EncodeTable(*plan, Table(kData));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(plan->num_columns(), 3);
  EXPECT_EQ(m->at(0, 1), 1.0f);  // rent = code 1
  EXPECT_TRUE(std::isnan(m->at(3, 1)));
  EXPECT_TRUE(std::isnan(m->at(1, 2)));
}

TEST(PreprocessTest, SchemaOverridesAndIgnore) {
  PreprocessOptions o;
  o.target = "y";
  o.columns["age"].type = FeatureType::kCategorical;
  o.columns["income"].role = ColumnSchema::Role::kIgnore;
  o.columns["home"].missing = MissingFit::kConstant;
  o.columns["home"].impute_category = "rent";
  auto plan = FitFeaturePlan(Table(kData), o);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->features().size(), 2u);
  EXPECT_EQ(plan->features()[0].type, FeatureType::kCategorical);
  float row[8];
  ASSERT_TRUE(plan->EncodeCategory(1, "", true, row).ok());
  const int home = plan->features()[1].column_index[0];
  EXPECT_EQ(row[home], 0.0f);      // own
  EXPECT_EQ(row[home + 1], 1.0f);  // rent, imputed
}

TEST(PreprocessTest, BadColumnsAreRefusedWithNames) {
  PreprocessOptions o;
  o.target = "y";
  EXPECT_THAT(FitFeaturePlan(Table("y,a\nx,1\nz,1\n"), o).status().message(), HasSubstr("column 'a' is constant"));
  EXPECT_THAT(FitFeaturePlan(Table("y,a,b\nx,,1\nz,,2\n"), o).status().message(),
              HasSubstr("column 'a' is missing in all 2 rows"));
  std::string mostly_numbers = "y,a\n";
  for (int i = 0; i < 20; ++i) mostly_numbers += "x," + std::to_string(i) + "\n";
  mostly_numbers += "x,12O\n";
  EXPECT_THAT(FitFeaturePlan(Table(mostly_numbers), o).status().message(),
              HasSubstr("row 21 (line 22), column 'a': '12O' is not a number"));
  PreprocessOptions wrong_target;
  wrong_target.target = "q";
  EXPECT_THAT(FitFeaturePlan(Table("y,a\nx,1\n"), wrong_target).status().message(), HasSubstr("no target column 'q'"));
}

TEST(PreprocessTest, IndicatorPolicyAddsAMissingColumnThatRoundTrips) {
  PreprocessOptions o;
  o.target = "y";
  o.native_missing = false;
  o.columns["income"].missing = MissingFit::kIndicator;
  auto plan = FitFeaturePlan(Table(kData), o);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->column_names().back(), "income_missing");
  EXPECT_EQ(plan->ToJson()["income"]["indicator"], "income_missing");
  auto back = FeaturePlan::FromJson(plan->ToJson(), plan->column_names(), "c.yaml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  auto m = EncodeTable(*back, Table(kData));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->at(1, 4), 250.0f);  // imputed median
  EXPECT_EQ(m->at(1, 5), 1.0f);    // and flagged
  EXPECT_EQ(m->at(0, 5), 0.0f);
  o.columns["home"].missing = MissingFit::kIndicator;
  EXPECT_THAT(FitFeaturePlan(Table(kData), o).status().message(), HasSubstr("'home' is categorical"));
}

TEST(PreprocessTest, CollidingColumnNamesAreRefused) {
  PreprocessOptions o;
  o.target = "y";
  EXPECT_THAT(FitFeaturePlan(Table("y,a,a=b\nx,b,1\nz,c,2\n"), o).status().message(),
              HasSubstr("two model columns would be named 'a=b'"));
}

TEST(PreprocessTest, TargetMustHaveTwoClasses) {
  std::string positive = "bad";
  EXPECT_THAT(EncodeBinaryTarget(Table("y\na\nb\nc\n"), "y", &positive).status().message(),
              HasSubstr("exactly two classes; column 'y' has more than two"));
  EXPECT_THAT(EncodeBinaryTarget(Table("y\na\na\n"), "y", &positive).status().message(), HasSubstr("has only 'a'"));
  EXPECT_THAT(EncodeBinaryTarget(Table("y\na\n\n\"\"\n"), "y", &positive).status().message(),
              HasSubstr("row 2 (line 4), column 'y': the target is missing"));
  positive = "";
  auto y = EncodeBinaryTarget(Table("y\nbad\ngood\n"), "y", &positive);
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(positive, "good");
  EXPECT_EQ(*y, (std::vector<float>{0, 1}));
  positive = "ugly";
  EXPECT_THAT(EncodeBinaryTarget(Table("y\nbad\ngood\n"), "y", &positive).status().message(),
              HasSubstr("positive label 'ugly' is not a class"));
}

TEST(FeaturePlanTest, JsonRoundTripInTheNamedFeaturesFormat) {
  PreprocessOptions o;
  o.target = "y";
  o.native_missing = false;
  auto plan = FitFeaturePlan(Table(kData), o);
  ASSERT_TRUE(plan.ok());
  const nlohmann::json section = plan->ToJson();
  EXPECT_EQ(section["home"]["categories"]["rent"], "home=rent");
  EXPECT_EQ(section["home"]["missing"], "impute");
  EXPECT_EQ(section["income"]["impute"], 250.0);
  EXPECT_EQ(section["age"]["column"], "age");
  auto back = FeaturePlan::FromJson(section, plan->column_names(), "config.yaml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->column_names(), plan->column_names());
  EXPECT_EQ(back->ToJson(), section);
  // Same encoding either way, whatever the order categories come back in.
  float a[5], b[5];
  for (const char* home : {"own", "rent"}) {
    ASSERT_TRUE(plan->EncodeCategory(1, home, false, a).ok());
    ASSERT_TRUE(back->EncodeCategory(back->FindFeature("home"), home, false, b).ok());
    for (int c = 1; c <= 3; ++c) EXPECT_EQ(a[c], b[c]) << home << " column " << c;
  }
}

TEST(FeaturePlanTest, FromJsonRefusesWhatTheModelCannotTake) {
  const std::vector<std::string> columns = {"age", "home=own", "home=rent"};
  nlohmann::json section = {{"age", {{"type", "numeric"}, {"missing", "nan"}}},
                            {"home", {{"type", "categorical"}, {"encoding", "one_hot"},
                                      {"categories", {{"own", "home=own"}, {"rent", "home=rent"}}}}}};
  ASSERT_TRUE(FeaturePlan::FromJson(section, columns, "c.yaml").ok());
  auto bad = section;
  bad["home"]["categories"]["rent"] = "home=castle";
  EXPECT_THAT(FeaturePlan::FromJson(bad, columns, "c.yaml").status().message(),
              HasSubstr("'features.home.categories.rent' names column 'home=castle', which the model's input does not have"));
  bad = section;
  bad["home"]["categories"].erase("rent");
  EXPECT_THAT(FeaturePlan::FromJson(bad, columns, "c.yaml").status().message(),
              HasSubstr("does not say where column 'home=rent'"));
  bad = section;
  bad["age2"] = {{"type", "numeric"}, {"column", "age"}};
  EXPECT_THAT(FeaturePlan::FromJson(bad, columns, "c.yaml").status().message(), HasSubstr("maps column 'age' twice"));
  bad = section;
  bad["age"]["impute"] = 3;
  EXPECT_THAT(FeaturePlan::FromJson(bad, columns, "c.yaml").status().message(), HasSubstr("'missing' is 'nan', not 'impute'"));
  bad = section;
  bad["age"]["colour"] = 1;
  EXPECT_THAT(FeaturePlan::FromJson(bad, columns, "c.yaml").status().message(), HasSubstr("'features.age.colour' is not a known key"));
}

TEST(FeaturePlanTest, MissingAndUnknownValuesFollowThePolicy) {
  const std::vector<std::string> columns = {"age", "home=own", "home=rent"};
  nlohmann::json section = {{"age", {{"type", "numeric"}}},
                            {"home", {{"type", "categorical"}, {"encoding", "one_hot"},
                                      {"categories", {{"own", "home=own"}, {"rent", "home=rent"}}},
                                      {"missing", "impute"}, {"impute", "rent"}}}};
  auto plan = FeaturePlan::FromJson(section, columns, "c.yaml");
  ASSERT_TRUE(plan.ok());
  float row[3];
  EXPECT_THAT(plan->EncodeNumber(0, std::nan(""), row).message(), HasSubstr("'age' is missing"));  // refuse by default
  EXPECT_THAT(plan->EncodeCategory(1, "castle", false, row).message(), HasSubstr("unknown category 'castle' (known: own, rent)"));
  ASSERT_TRUE(plan->EncodeCategory(1, "", true, row).ok());
  EXPECT_EQ(row[1], 0.0f);
  EXPECT_EQ(row[2], 1.0f);
}

}  // namespace
}  // namespace finserve::train
