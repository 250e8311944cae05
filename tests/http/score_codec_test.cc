// The :score request and answer JSON: decoding every value kind, refusals, and the answer's shape.
#include "http/score_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/router.h"

namespace finserve::http {
namespace {

using ::testing::HasSubstr;

TEST(ScoreCodecTest, DecodesApplicantValues) {
  serving::ScoreRequest r;
  ASSERT_TRUE(DecodeScoreRequest(R"({"id": "a1", "reason_codes": 3,
      "applicant": {"Age": 30, "Income": 129.5, "Home": "rent", "Debt": null, "Big": 18446744073709551615}})",
                                 DecodeLimits{}, &r)
                  .ok());
  EXPECT_EQ(r.id, "a1");
  EXPECT_EQ(r.reason_codes, 3);
  ASSERT_EQ(r.applicant.size(), 5u);
  EXPECT_EQ(std::get<double>(r.applicant[0].second), 30.0);
  EXPECT_EQ(std::get<double>(r.applicant[1].second), 129.5);
  EXPECT_EQ(std::get<std::string>(r.applicant[2].second), "rent");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(r.applicant[3].second));
  EXPECT_GT(std::get<double>(r.applicant[4].second), 1e19);
}

TEST(ScoreCodecTest, RefusesWhatIsNotAnApplicant) {
  auto error = [](std::string_view body) {
    serving::ScoreRequest r;
    return DecodeScoreRequest(body, DecodeLimits{}, &r).message();
  };
  EXPECT_THAT(error("[]"), HasSubstr("must be a JSON object"));
  EXPECT_THAT(error(R"({"applicant": [1]})"), HasSubstr("'applicant' must be an object"));
  EXPECT_THAT(error(R"({"applicant": {"Age": true}})"), HasSubstr("applicant 'Age' must be a number, a string"));
  EXPECT_THAT(error(R"({"applicant": {}, "reason_codes": 2.5})"), HasSubstr("'reason_codes' must be an integer"));
  EXPECT_THAT(error(R"({"applicant": {}, "id": 3})"), HasSubstr("'id' must be a string"));
  EXPECT_THAT(error(R"({"applicants": {}})"), HasSubstr("unknown field 'applicants'"));
  EXPECT_THAT(error("{}"), HasSubstr("no 'applicant'"));
  EXPECT_THAT(error(R"({"applicant": {"a": [[[[[[[[1]]]]]]]]}})"), HasSubstr("must be a number"));
  DecodeLimits shallow;
  shallow.max_depth = 2;
  serving::ScoreRequest r;
  EXPECT_THAT(DecodeScoreRequest(R"({"applicant": {"a": [[1]]}})", shallow, &r).message(), HasSubstr("nested deeper"));
}

TEST(ScoreCodecTest, EncodesTheAnswer) {
  serving::ScoreResponse r;
  r.id = "a1";
  r.probability = 0.75;
  r.decision = "decline";
  r.threshold = 0.5;
  r.adverse_class = "bad";
  r.method = "tree_shap";
  r.space = "log_odds";
  r.reasons.push_back({"R02", "Type of residence", {"Home"}, {{"Home", std::string("rent")}}, 0.25});
  r.reasons.push_back({"R07", "Two things", {"A", "B"}, {{"A", 1.5}, {"B", serving::RawValue()}}, 0.125});
  r.model_name = "credit_gbdt";
  r.model_version = 2;
  JsonWriter w;
  EncodeScoreResponse(r, &w);
  const auto j = nlohmann::json::parse(w.str());
  EXPECT_EQ(j["probability"], 0.75);
  EXPECT_EQ(j["decision"], "decline");
  EXPECT_EQ(j["reasons"][0], nlohmann::json::parse(
      R"({"code":"R02","text":"Type of residence","features":["Home"],"value":"rent","contribution":0.25})"));
  EXPECT_EQ(j["reasons"][1]["value"], nlohmann::json::parse(R"({"A": 1.5, "B": null})"));
  EXPECT_EQ(j["model"]["version"], "2");
}

TEST(ScoreCodecTest, ScoreRoutesMatchWithAndWithoutVersion) {
  Router router;
  router.Add("POST", "/v1/models/{model}[/versions/{version}]:score", RouteAccess::Open(), [](auto&&...) {});
  auto plain = router.Find("POST", "/v1/models/credit_gbdt:score");
  ASSERT_EQ(plain.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(plain.params["model"], "credit_gbdt");
  auto versioned = router.Find("POST", "/v1/models/credit_gbdt/versions/3:score");
  ASSERT_EQ(versioned.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(versioned.params["version"], "3");
  EXPECT_EQ(router.Find("POST", "/v1/models/credit_gbdt:predict").kind, RouteMatch::Kind::kNotFound);
}

}  // namespace
}  // namespace finserve::http
