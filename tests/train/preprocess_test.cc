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
  // Categories by frequency (ties by name); missing seen in training -> its own category.
  EXPECT_EQ(plan->features()[1].categories, (std::vector<std::string>{"own", "rent"}));
  EXPECT_EQ(plan->features()[1].missing, MissingPolicy::kCategory);
  // Missing income in training -> median imputation plus an indicator column.
  EXPECT_EQ(plan->features()[2].missing, MissingPolicy::kIndicator);
  EXPECT_DOUBLE_EQ(plan->features()[2].impute_value, 250.0);
  EXPECT_EQ(plan->column_names(), (std::vector<std::string>{"age", "home=own", "home=rent", "home=(missing)", "income",
                                                            "income_missing"}));
  auto m = EncodeTable(*plan, Table(kData));
  ASSERT_TRUE(m.ok());
  const std::vector<float> row1 = {40, 1, 0, 0, 250, 1};
  const std::vector<float> row3 = {25, 0, 0, 1, 200, 0};
  EXPECT_EQ(std::vector<float>(m->row(1), m->row(1) + 6), row1);
  EXPECT_EQ(std::vector<float>(m->row(3), m->row(3) + 6), row3);
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
  o.columns["home"].missing = MissingPolicy::kConstant;
  o.columns["home"].impute_category = "rent";
  auto plan = FitFeaturePlan(Table(kData), o);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->features().size(), 2u);
  EXPECT_EQ(plan->features()[0].type, FeatureType::kCategorical);
  float row[8];
  ASSERT_TRUE(plan->EncodeCategory(1, "", true, row).ok());
  const int home = plan->first_column(1);
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

TEST(FeaturePlanTest, JsonRoundTripAndValidation) {
  PreprocessOptions o;
  o.target = "y";
  o.native_missing = false;
  auto plan = FitFeaturePlan(Table(kData), o);
  ASSERT_TRUE(plan.ok());
  auto back = FeaturePlan::FromJson(plan->ToJson(), "config.yaml");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->column_names(), plan->column_names());
  EXPECT_EQ(back->ToJson(), plan->ToJson());

  nlohmann::json bad = plan->ToJson();
  bad[1]["columns"] = {"home=x"};
  EXPECT_THAT(FeaturePlan::FromJson(bad, "config.yaml").status().message(), HasSubstr("'features[1].columns' does not match"));
  bad = plan->ToJson();
  bad[0]["missing"] = "category";
  EXPECT_THAT(FeaturePlan::FromJson(bad, "config.yaml").status().message(), HasSubstr("categorical features only"));
  bad = plan->ToJson();
  bad[1]["colour"] = 1;
  EXPECT_THAT(FeaturePlan::FromJson(bad, "config.yaml").status().message(), HasSubstr("'features[1].colour' is not a known key"));
}

TEST(FeaturePlanTest, UnknownCategoriesFollowThePolicy) {
  FeatureSpec f;
  f.name = "home";
  f.type = FeatureType::kCategorical;
  f.categories = {"own", "rent"};
  f.unknown_as_missing = false;
  FeaturePlan plan({f});
  float row[2];
  EXPECT_THAT(plan.EncodeCategory(0, "castle", false, row).message(), HasSubstr("unknown category 'castle' (known: own, rent)"));
  f.unknown_as_missing = true;
  FeaturePlan lenient({f});
  ASSERT_TRUE(lenient.EncodeCategory(0, "castle", false, row).ok());
  EXPECT_TRUE(std::isnan(row[0]) && std::isnan(row[1]));
}

}  // namespace
}  // namespace finserve::train
