#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/backend.h"
#include "runtime/linear/linear_model.h"
#include "runtime/linear/scorecard.h"

namespace finserve::runtime::linear {
namespace {

using ::testing::HasSubstr;

Result<std::vector<Tensor>> RunModel(const Model& model, const std::vector<float>& x, int64_t rows) {
  const std::vector<int64_t> dims = {rows, static_cast<int64_t>(x.size()) / rows};
  TensorView in{DataType::kFp32, dims, x.data(), x.size() * 4, nullptr};
  std::vector<Tensor> out;
  FS_RETURN_IF_ERROR(model.Run(std::span<const TensorView>(&in, 1), OutputSelection::All(), &out));
  return out;
}

TEST(LinearModelTest, LogisticRoundTripAndMissingValues) {
  LinearSpec spec{LinearSpec::Kind::kLogistic, {"a", "b"}, -1.0, {0.5, -2.0}};
  auto parsed = ParseLinearJson(LinearToJson(spec));
  ASSERT_TRUE(parsed.ok());
  const Backend* backend = BackendRegistry::Builtin().ForFileName("model.linear.json");
  ASSERT_NE(backend, nullptr);
  auto model = backend->Load({"", "model.linear.json", LinearToJson(spec)}, {});
  ASSERT_TRUE(model.ok());
  EXPECT_EQ((*model)->platform(), "finserve_linear");
  auto out = RunModel(**model, {2, 0.25, 0, 0}, 2);
  ASSERT_TRUE(out.ok());
  EXPECT_FLOAT_EQ((*out)[1].data<float>()[0], -0.5f);  // -1 + 0.5*2 - 2*0.25
  EXPECT_FLOAT_EQ((*out)[0].data<float>()[1], static_cast<float>(1 / (1 + std::exp(1.0))));
  // Batch == singles, bit for bit.
  auto single = RunModel(**model, {0, 0}, 1);
  EXPECT_EQ((*single)[0].data<float>()[0], (*out)[0].data<float>()[1]);
  EXPECT_THAT(RunModel(**model, {1, NAN}, 1).status().message(), HasSubstr("row 0, feature 'b' (column 1) is missing"));
}

TEST(LinearModelTest, RefusesBadFiles) {
  EXPECT_THAT(ParseLinearJson("[]").status().message(), HasSubstr("not a JSON object"));
  EXPECT_THAT(ParseLinearJson(R"({"format":"x"})").status().message(), HasSubstr("'format'"));
  EXPECT_THAT(ParseLinearJson(R"({"format":"finserve-linear","format_version":1,"kind":"logistic","intercept":0,
                                  "coefficients":[1],"feature_names":["a","b"]})").status().message(),
              HasSubstr("2 feature names for 1 coefficients"));
  EXPECT_THAT(ParseLinearJson(R"({"format":"finserve-linear","format_version":1,"kind":"probit","intercept":0,
                                  "coefficients":[1]})").status().message(),
              HasSubstr("'kind'"));
  // A header field of the wrong JSON type is a refusal, not an exception (found by scorecard_json_fuzz).
  EXPECT_THAT(ParseLinearJson(R"({"format":["finserve-linear"]})").status().message(), HasSubstr("'format'"));
  EXPECT_THAT(ParseLinearJson(R"({"format":"finserve-linear","format_version":"1"})").status().message(),
              HasSubstr("'format_version'"));
}

ScorecardSpec TwoCharacteristics() {
  ScorecardSpec s;
  s.intercept = -1.0;
  Characteristic age{"age", false, {}, -0.8, {}, 0.1, 0};
  age.bins = {{25, {}, -0.5, 0}, {40, {}, 0.2, 0}, {INFINITY, {}, 0.6, 0}};
  Characteristic home{"home", true, {"own", "rent", "other"}, -1.0, {}, 0.0, 0};
  home.bins = {{INFINITY, {1, 2}, -0.3, 0}, {INFINITY, {0}, 0.4, 0}};
  s.characteristics = {age, home};
  s.AssignPoints();
  return s;
}

TEST(ScorecardTest, PointsScoreAndProbabilityAgreeWithTheLogisticFit) {
  const ScorecardSpec spec = TwoCharacteristics();
  auto parsed = ParseScorecardJson(ScorecardToJson(spec));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  auto model = ScorecardModel::Create(*parsed);
  ASSERT_TRUE(model.ok());
  // age 25 is in the first bin (value <= upper), home code 0 = own.
  auto out = RunModel(**model, {25, 0, 26, 1, NAN, NAN}, 3);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const float* score = (*out)[0].data<float>();
  const float* prob = (*out)[1].data<float>();
  const float* points = (*out)[2].data<float>();
  for (int r = 0; r < 3; ++r) EXPECT_NEAR(score[r], points[2 * r] + points[2 * r + 1], 1e-3);
  // The logistic fit on WOE: logit(bad) = intercept + sum coefficient * woe.
  const double logit = -1.0 + -0.8 * -0.5 + -1.0 * 0.4;
  EXPECT_NEAR(prob[0], 1 / (1 + std::exp(-logit)), 1e-6);
  const double logit_missing = -1.0 + -0.8 * 0.1 + -1.0 * 0.0;
  EXPECT_NEAR(prob[2], 1 / (1 + std::exp(-logit_missing)), 1e-6);
  EXPECT_THAT(RunModel(**model, {30, 7}, 1).status().message(), HasSubstr("'home': 7.000000 is not a category code (0..2)"));
  EXPECT_THAT(RunModel(**model, {30, 0.5}, 1).status().message(), HasSubstr("not a category code"));
}

TEST(ScorecardTest, RefusesInconsistentFiles) {
  ScorecardSpec spec = TwoCharacteristics();
  spec.characteristics[1].bins[0].codes = {1};  // "other" in no bin
  EXPECT_THAT(ScorecardModel::Create(spec).status().message(), HasSubstr("category 'other' is in no bin"));
  spec = TwoCharacteristics();
  spec.characteristics[0].bins[1].upper = 10;
  EXPECT_THAT(ParseScorecardJson(ScorecardToJson(spec)).status().message(), HasSubstr("upper edges must ascend"));
  EXPECT_THAT(ParseScorecardJson("{}").status().message(), HasSubstr("'format'"));
  EXPECT_THAT(ParseScorecardJson(R"({"format":{"name":"finserve-scorecard"}})").status().message(), HasSubstr("'format'"));
  EXPECT_THAT(ParseScorecardJson(R"({"format":"finserve-scorecard","format_version":[1]})").status().message(),
              HasSubstr("'format_version'"));
}

}  // namespace
}  // namespace finserve::runtime::linear
