#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "serving/auth/access_controller.h"
#include "serving/auth/auth_test_util.h"

namespace finserve::serving::auth {
namespace {

using ::testing::HasSubstr;

class AccessControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::MakeTempDir("finserve-access") + "/keys.db";
    admin_store_ = KeyStore::Open(path_, &env_).value();
  }

  std::string AddKey(const std::string& name, const std::string& scopes, std::vector<std::string> globs = {},
                     RateLimit rate = {}, std::optional<int64_t> expires = std::nullopt) {
    NewKey k;
    k.name = name;
    k.scopes = ScopeSet::Parse(scopes).value();
    k.model_globs = std::move(globs);
    k.rate = rate;
    k.expires_unix_s = expires;
    return admin_store_->Create(k).value();
  }

  std::unique_ptr<AccessController> Start(int64_t refresh_ms = 10) {
    AccessOptions o;
    o.key_store_path = path_;
    o.refresh_interval_ms = refresh_ms;
    o.env = &env_;
    auto c = AccessController::Create(o);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return std::move(c).value();
  }

  static std::string Bearer(const std::string& key) { return "Bearer " + key; }

  std::string path_;
  testing::FakeClockEnv env_;
  std::unique_ptr<KeyStore> admin_store_;
};

TEST_F(AccessControllerTest, AuthenticatesKeysAndRefusesEverythingElse) {
  const std::string key = AddKey("app", "infer");
  auto access = Start();
  auto p = access->Authenticate({Bearer(key), ""});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->name, "app");
  EXPECT_EQ((*p)->source, PrincipalSource::kKey);

  struct Case {
    std::string header;
    const char* fragment;
  } cases[] = {
      {"", "no API key"},
      {"Basic dXNlcjpwYXNz", "must be 'Bearer <API key>'"},
      {"Bearer not-a-key", "not a finserve API key"},
      {Bearer("fsk_" + std::string(43, 'A')), "unknown API key"},
      {Bearer(key.substr(0, key.size() - 1) + (key.back() == 'A' ? "B" : "A")), "unknown API key"},
  };
  for (const auto& c : cases) {
    auto r = access->Authenticate({c.header, ""});
    ASSERT_FALSE(r.ok()) << c.header;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << c.header;
    EXPECT_THAT(r.status().message(), HasSubstr(c.fragment)) << c.header;
    EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr(key))) << "never echo a key";
  }
}

TEST_F(AccessControllerTest, ScopesAndModelGlobsDecide) {
  const std::string key = AddKey("scorer", "infer,explain", {"credit_*"});
  auto access = Start();
  auto p = access->Authenticate({Bearer(key), ""}).value();
  int64_t retry = 0;
  EXPECT_TRUE(access->Authorize(*p, Scope::kInfer, "credit_gbdt", &retry).ok());
  EXPECT_TRUE(access->Authorize(*p, Scope::kExplain, "credit_gbdt", &retry).ok());
  EXPECT_TRUE(access->Authorize(*p, Scope::kInfer, "", &retry).ok());  // a route without a model
  Status admin = access->Authorize(*p, Scope::kAdmin, "", &retry);
  EXPECT_EQ(admin.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(admin.message(), HasSubstr("key 'scorer' does not have the scope 'admin' (it has: infer,explain)"));
  Status model = access->Authorize(*p, Scope::kInfer, "fraud_nn", &retry);
  EXPECT_EQ(model.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(model.message(), HasSubstr("may not use model 'fraud_nn' (its models: credit_*)"));
}

TEST_F(AccessControllerTest, RateLimitAnswersResourceExhaustedWithRetryAfter) {
  const std::string key = AddKey("batch", "infer", {}, RateLimit{1.0, 2});
  auto access = Start();
  auto p = access->Authenticate({Bearer(key), ""}).value();
  int64_t retry = 0;
  EXPECT_TRUE(access->Authorize(*p, Scope::kInfer, "m", &retry).ok());
  EXPECT_TRUE(access->Authorize(*p, Scope::kInfer, "m", &retry).ok());
  Status third = access->Authorize(*p, Scope::kInfer, "m", &retry);
  EXPECT_EQ(third.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(retry, 1);
  EXPECT_THAT(third.message(), HasSubstr("rate limit of 1 requests per second (burst 2)"));
  env_.Advance(1'000'000);
  EXPECT_TRUE(access->Authorize(*p, Scope::kInfer, "m", &retry).ok());
  // A forbidden request spends no token.
  EXPECT_FALSE(access->Authorize(*p, Scope::kAdmin, "m", &retry).ok());
  env_.Advance(1'000'000);
  EXPECT_TRUE(access->Authorize(*p, Scope::kInfer, "m", &retry).ok());
}

TEST_F(AccessControllerTest, ExpiryFollowsTheClock) {
  const int64_t now_s = env_.NowUnixMicros() / 1'000'000;
  const std::string key = AddKey("temp", "infer", {}, {}, now_s + 60);
  auto access = Start();
  EXPECT_TRUE(access->Authenticate({Bearer(key), ""}).ok());
  env_.Advance(61'000'000);
  auto r = access->Authenticate({Bearer(key), ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(r.status().message(), HasSubstr("API key 'temp' expired at"));
}

TEST_F(AccessControllerTest, RevocationByAnotherProcessTakesEffectWithoutReload) {
  const std::string key = AddKey("app", "infer");
  auto access = Start(/*refresh_ms=*/20);
  ASSERT_TRUE(access->Authenticate({Bearer(key), ""}).ok());
  ASSERT_TRUE(admin_store_->Revoke("app").ok());  // another connection, as `finserve keys revoke`
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (access->Authenticate({Bearer(key), ""}).ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto r = access->Authenticate({Bearer(key), ""});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("API key 'app' was revoked at"));
  // New keys appear the same way.
  const std::string fresh = AddKey("app2", "infer");
  while (!access->Authenticate({Bearer(fresh), ""}).ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(access->Authenticate({Bearer(fresh), ""}).ok());
  EXPECT_EQ(access->active_keys(), 1u);
}

TEST_F(AccessControllerTest, AReplacedStoreFileIsReadAgain) {
  const std::string old_key = AddKey("old", "infer");
  auto access = Start(/*refresh_ms=*/10);
  // An operator restores another key store over the file (a rename: new inode, same path).
  const std::string other_path = testing::MakeTempDir("finserve-access") + "/keys.db";
  std::string new_key;
  {
    auto other = KeyStore::Open(other_path, &env_).value();
    NewKey k;
    k.name = "new";
    k.scopes = ScopeSet::Parse("infer").value();
    new_key = other->Create(k).value();
  }
  ASSERT_EQ(std::rename(other_path.c_str(), path_.c_str()), 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!access->Authenticate({Bearer(new_key), ""}).ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(access->Authenticate({Bearer(new_key), ""}).ok());
  EXPECT_FALSE(access->Authenticate({Bearer(old_key), ""}).ok());
}

TEST_F(AccessControllerTest, ReloadReportsWhatChanged) {
  AddKey("a", "infer");
  AddKey("b", "infer");
  auto access = Start(/*refresh_ms=*/60'000);  // no background refresh during the test
  ASSERT_TRUE(admin_store_->Revoke("a").ok());
  AddKey("c", "admin");
  auto changes = access->Reload();
  ASSERT_TRUE(changes.ok());
  EXPECT_EQ(changes->added, std::vector<std::string>{"c"});
  EXPECT_EQ(changes->revoked, std::vector<std::string>{"a"});
  EXPECT_TRUE(changes->changed.empty());
  EXPECT_EQ(changes->active, 2u);
}

TEST_F(AccessControllerTest, ClientCertificatesNeedAnActiveGrant) {
  NewKey grant;
  grant.name = "payments";
  grant.subject = "CN=payments,O=Bank";
  grant.scopes = ScopeSet::Parse("infer").value();
  ASSERT_TRUE(admin_store_->Create(grant).ok());
  const std::string key = AddKey("ops", "admin");
  auto access = Start();
  auto p = access->Authenticate({"", "CN=payments,O=Bank"});
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->name, "CN=payments,O=Bank");
  EXPECT_EQ((*p)->source, PrincipalSource::kClientCert);
  auto stranger = access->Authenticate({"", "CN=stranger,O=Bank"});
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(stranger.status().message(), HasSubstr("has no grant"));
  // A bearer key, when sent, decides (the certificate only secured the connection).
  auto both = access->Authenticate({Bearer(key), "CN=payments,O=Bank"});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)->name, "ops");
}

TEST(AccessControllerOffTest, EveryoneIsAnonymousWithEveryScope) {
  AccessOptions o;
  o.enabled = false;
  auto access = AccessController::Create(o).value();
  auto p = access->Authenticate({"", ""});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)->source, PrincipalSource::kAnonymous);
  int64_t retry = 0;
  for (Scope s : AllScopes()) EXPECT_TRUE(access->Authorize(**p, s, "any", &retry).ok());
}

}  // namespace
}  // namespace finserve::serving::auth
