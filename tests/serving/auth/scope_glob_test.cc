#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "serving/auth/glob.h"
#include "serving/auth/scope.h"

namespace finserve::serving::auth {
namespace {

using ::testing::HasSubstr;

TEST(ScopeTest, ParsesListsInAnyOrderAndPrintsCanonically) {
  auto set = ScopeSet::Parse(" explain, infer ,,");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_TRUE(set->Has(Scope::kInfer));
  EXPECT_TRUE(set->Has(Scope::kExplain));
  EXPECT_FALSE(set->Has(Scope::kAdmin));
  EXPECT_EQ(set->ToString(), "infer,explain");
  EXPECT_EQ(ScopeSet::All().ToString(), "infer,explain,admin,train,metrics");
  for (Scope s : AllScopes()) EXPECT_EQ(ScopeFromName(ScopeName(s)), s);
}

TEST(ScopeTest, RefusesUnknownAndEmpty) {
  auto bad = ScopeSet::Parse("infer,inference");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("unknown scope 'inference'"));
  EXPECT_FALSE(ScopeSet::Parse(" , ").ok());
  EXPECT_FALSE(ScopeSet::Parse("INFER").ok());  // names are exact
}

TEST(GlobTest, StarAndQuestionMark) {
  EXPECT_TRUE(GlobMatch("credit_*", "credit_gbdt"));
  EXPECT_TRUE(GlobMatch("credit_*", "credit_"));
  EXPECT_FALSE(GlobMatch("credit_*", "credit"));
  EXPECT_FALSE(GlobMatch("credit_*", "xcredit_gbdt"));
  EXPECT_TRUE(GlobMatch("*_gbdt", "credit_gbdt"));
  EXPECT_TRUE(GlobMatch("c*t*t", "credit_gbdt"));
  EXPECT_FALSE(GlobMatch("c*t*x", "credit_gbdt"));
  EXPECT_TRUE(GlobMatch("fraud_v?", "fraud_v2"));
  EXPECT_FALSE(GlobMatch("fraud_v?", "fraud_v10"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("", "a"));
  EXPECT_TRUE(GlobMatch("exact", "exact"));
  EXPECT_FALSE(GlobMatch("exact", "exactly"));
}

TEST(GlobTest, HostilePatternStaysBounded) {
  const std::string name(128, 'a');
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", name));
  EXPECT_TRUE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", name));
}

TEST(GlobTest, ListsAndValidation) {
  EXPECT_TRUE(AnyGlobMatches({}, "anything"));
  EXPECT_TRUE(AnyGlobMatches({"fraud_*", "credit_*"}, "credit_gbdt"));
  EXPECT_FALSE(AnyGlobMatches({"fraud_*"}, "credit_gbdt"));
  auto list = ParseGlobList("credit_*, fraud_?");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<std::string>{"credit_*", "fraud_?"}));
  auto bad = ParseGlobList("credit/*");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("'/'"));
  EXPECT_FALSE(ParseGlobList(std::string(129, 'a')).ok());
}

}  // namespace
}  // namespace finserve::serving::auth
