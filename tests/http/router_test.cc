#include "http/router.h"

#include <gtest/gtest.h>

namespace finserve::http {
namespace {

Handler Named(std::string* hit, std::string name) {
  return [hit, name](const HttpRequest&, const RouteParams&, Responder) { *hit = name; };
}

TEST(RouterTest, MatchesOptionalVersionAndParams) {
  Router router;
  std::string hit;
  router.Add("POST", "/v2/models/{model}[/versions/{version}]/infer", RouteAccess::Open(), Named(&hit, "infer"));
  router.Add("GET", "/v2/models/{model}[/versions/{version}]", RouteAccess::Open(), Named(&hit, "metadata"));
  router.Add("POST", "/v1/models/{model}:predict", RouteAccess::Open(), Named(&hit, "predict"));

  auto m = router.Find("POST", "/v2/models/credit/versions/3/infer?x=1");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params["model"], "credit");
  EXPECT_EQ(m.params["version"], "3");

  m = router.Find("POST", "/v2/models/credit/infer");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params.count("version"), 0u);

  m = router.Find("GET", "/v2/models/cr%65dit");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params["model"], "credit");

  m = router.Find("POST", "/v1/models/credit:predict");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params["model"], "credit");
}

TEST(RouterTest, WrongMethodListsAllowed) {
  Router router;
  std::string hit;
  router.Add("POST", "/v2/models/{model}/infer", RouteAccess::Open(), Named(&hit, "infer"));
  auto m = router.Find("GET", "/v2/models/credit/infer");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
}

TEST(RouterTest, HeadFindsTheGetRoute) {
  Router router;
  std::string hit;
  router.Add("GET", "/v2/models/{model}", RouteAccess::Open(), Named(&hit, "metadata"));
  router.Add("POST", "/v2/models/{model}/infer", RouteAccess::Open(), Named(&hit, "infer"));
  auto m = router.Find("HEAD", "/v2/models/credit");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params["model"], "credit");
  m = router.Find("HEAD", "/v2/models/credit/infer");
  EXPECT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
  m = router.Find("DELETE", "/v2/models/credit");
  EXPECT_EQ(m.allow, "GET, HEAD");
}

TEST(RouterTest, UnknownAndMalformedPathsAreNotFound) {
  Router router;
  std::string hit;
  router.Add("GET", "/v2/health/live", RouteAccess::Open(), Named(&hit, "live"));
  EXPECT_EQ(router.Find("GET", "/v2/health/lives").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/v2/health/live/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/v2//health/live").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "/v2/health/%zz").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Find("GET", "").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, EmptyParameterDoesNotMatch) {
  Router router;
  std::string hit;
  router.Add("POST", "/v1/models/{model}:predict", RouteAccess::Open(), Named(&hit, "predict"));
  EXPECT_EQ(router.Find("POST", "/v1/models/:predict").kind, RouteMatch::Kind::kNotFound);
}

TEST(RouterTest, EveryExpansionCarriesItsRouteAccess) {
  Router router;
  std::string hit;
  router.Add("GET", "/v2/health/live", RouteAccess::Open(), Named(&hit, "live"));
  router.Add("POST", "/v2/models/{model}[/versions/{version}]/explain",
             RouteAccess::Needs(serving::auth::Scope::kExplain), Named(&hit, "explain"));
  EXPECT_TRUE(router.Find("GET", "/v2/health/live").access.open);
  for (const char* target : {"/v2/models/m/explain", "/v2/models/m/versions/2/explain"}) {
    auto m = router.Find("POST", target);
    ASSERT_EQ(m.kind, RouteMatch::Kind::kFound) << target;
    EXPECT_FALSE(m.access.open);
    EXPECT_EQ(m.access.scope, serving::auth::Scope::kExplain);
  }
}

}  // namespace
}  // namespace finserve::http
