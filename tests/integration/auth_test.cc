// Authentication and authorization against the real server over loopback, with keys made by the
// real `finserve keys` command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include "core/env.h"
#include "integration/example_repository.h"
#include "serving/auth/key_store.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kInfer[] = "/v2/models/credit_gbdt/infer";

std::map<std::string, std::string> Bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    state_dir_ = MakeTempDir("finserve-auth") + "/state";
    infer_key_ = CreateKey(state_dir_, "scorer", "infer", {"--models", "credit_*"});
    admin_key_ = CreateKey(state_dir_, "ops", "admin");
    explain_key_ = CreateKey(state_dir_, "adviser", "infer,explain");
    ASSERT_FALSE(infer_key_.empty());
    ASSERT_FALSE(admin_key_.empty());
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", repository_, "--state-dir", state_dir_, "--key-refresh-ms", "50", "--model-control",
        "explicit", "--load-model", "credit_gbdt"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  int Status(const std::string& method, const std::string& target, const std::string& key, std::string body = "") {
    const std::string suffix = "/infer";
    if (body.empty() && target.size() > suffix.size() && target.ends_with(suffix)) body = ExampleRequest().dump();
    return client_->Request(method, target, body, key.empty() ? std::map<std::string, std::string>{} : Bearer(key)).status;
  }

  std::string repository_, state_dir_, infer_key_, admin_key_, explain_key_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(AuthTest, EveryRouteButHealthNeedsTheRightKey) {
  struct Route {
    const char* method;
    const char* target;
    int no_key, infer_key, admin_key;
  } routes[] = {
      {"GET", "/v2/health/live", 200, 200, 200},
      {"GET", "/v2/health/ready", 200, 200, 200},
      {"GET", "/v2", 401, 200, 403},
      {"GET", "/v2/models/credit_gbdt", 401, 200, 403},
      {"GET", "/v2/models/credit_gbdt/versions/1", 401, 200, 403},
      {"GET", "/v2/models/credit_gbdt/ready", 401, 200, 403},
      {"POST", kInfer, 401, 200, 403},
      {"POST", "/v2/models/credit_gbdt/versions/1/infer", 401, 200, 403},
      {"GET", "/v2/models/fraud_nn", 401, 403, 403},  // outside the key's models: 403, not 404
      {"POST", "/v2/repository/index", 401, 403, 200},
      {"POST", "/v2/repository/models/credit_gbdt/load", 401, 403, 200},
  };
  for (const auto& r : routes) {
    EXPECT_EQ(Status(r.method, r.target, ""), r.no_key) << r.method << " " << r.target << " without a key";
    EXPECT_EQ(Status(r.method, r.target, infer_key_), r.infer_key) << r.method << " " << r.target << " infer key";
    EXPECT_EQ(Status(r.method, r.target, admin_key_), r.admin_key) << r.method << " " << r.target << " admin key";
  }
}

TEST_F(AuthTest, RefusalsSayWhatIsWrongAndNeverEchoTheKey) {
  auto none = client_->Post(kInfer, ExampleRequest().dump());
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers["www-authenticate"], R"(Bearer realm="finserve")");
  EXPECT_THAT(json::parse(none.body)["error"].get<std::string>(), HasSubstr("Authorization: Bearer <key>"));
  const std::string wrong = "fsk_" + std::string(43, 'Q');
  auto bad = client_->Post(kInfer, ExampleRequest().dump(), Bearer(wrong));
  EXPECT_EQ(bad.status, 401);
  EXPECT_THAT(bad.body, HasSubstr("unknown API key"));
  EXPECT_THAT(bad.body, ::testing::Not(HasSubstr(wrong)));
  auto scope = client_->Post("/v2/repository/index", "", Bearer(infer_key_));
  EXPECT_EQ(scope.status, 403);
  EXPECT_THAT(scope.body, HasSubstr("key 'scorer' does not have the scope 'admin' (it has: infer)"));
  EXPECT_THAT(server_->Log(), ::testing::Not(HasSubstr(infer_key_))) << "keys never reach the log";
}

// Explanations need the explain scope: the explain and :score routes, and the infer route's
// "explain": true parameter (which would otherwise hand out what the scope guards).
TEST_F(AuthTest, ExplanationsNeedTheExplainScope) {
  json explain_request = ExampleRequest();
  explain_request["parameters"]["explain"] = true;
  const std::string body = explain_request.dump();
  std::ifstream score_file(SourceDir() + "/examples/requests/credit_gbdt_score.json");
  const std::string score((std::istreambuf_iterator<char>(score_file)), std::istreambuf_iterator<char>());
  for (const char* target : {kInfer, "/v2/models/credit_gbdt/explain"}) {
    auto refused = client_->Post(target, body, Bearer(infer_key_));
    EXPECT_EQ(refused.status, 403) << target;
    EXPECT_THAT(refused.body, HasSubstr("'explain'")) << target;
    EXPECT_EQ(client_->Post(target, body, Bearer(explain_key_)).status, 200) << target;
  }
  EXPECT_EQ(client_->Post("/v1/models/credit_gbdt:score", score, Bearer(infer_key_)).status, 403);
  EXPECT_EQ(client_->Post("/v1/models/credit_gbdt:score", score, Bearer(explain_key_)).status, 200);
}

TEST_F(AuthTest, RevokedKeyStopsWorkingWithoutARestart) {
  ASSERT_EQ(Status("POST", kInfer, infer_key_), 200);
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "revoke", "--state-dir", state_dir_, "scorer"}, &out), 0);
  const auto revoked_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return Status("POST", kInfer, infer_key_) == 401; }, std::chrono::seconds(10)));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - revoked_at);
  std::printf("revocation took effect after %lld ms (--key-refresh-ms 50)\n", static_cast<long long>(ms.count()));
  auto res = client_->Post(kInfer, ExampleRequest().dump(), Bearer(infer_key_));
  EXPECT_THAT(res.body, HasSubstr("API key 'scorer' was revoked at"));
  EXPECT_THAT(server_->Log(), HasSubstr(R"("event":"keys_reloaded")"));
  // A key created now works on the same running server.
  const std::string fresh = CreateKey(state_dir_, "scorer-2", "infer");
  ASSERT_TRUE(WaitFor([&] { return Status("POST", kInfer, fresh) == 200; }, std::chrono::seconds(10)));
}

TEST_F(AuthTest, ExpiredKeyStopsWorking) {
  const int64_t expires_s = Env::Default()->NowUnixMicros() / 1'000'000 + 2;
  const std::string key =
      CreateKey(state_dir_, "temporary", "infer", {"--expires", serving::auth::FormatUtcSeconds(expires_s)});
  ASSERT_FALSE(key.empty());
  ASSERT_TRUE(WaitFor([&] { return Status("POST", kInfer, key) == 200; }, std::chrono::seconds(10)));
  ASSERT_TRUE(WaitFor([&] { return Status("POST", kInfer, key) == 401; }, std::chrono::seconds(10)));
  EXPECT_THAT(client_->Post(kInfer, ExampleRequest().dump(), Bearer(key)).body, HasSubstr("expired at"));
}

TEST_F(AuthTest, RateLimitAnswers429WithRetryAfter) {
  const std::string key = CreateKey(state_dir_, "batch", "infer", {"--rate", "0.01", "--burst", "2"});
  ASSERT_TRUE(WaitFor([&] { return Status("POST", kInfer, key) == 200; }, std::chrono::seconds(10)));
  EXPECT_EQ(Status("POST", kInfer, key), 200);
  auto limited = client_->Post(kInfer, ExampleRequest().dump(), Bearer(key));
  EXPECT_EQ(limited.status, 429);
  EXPECT_GE(std::stoi(limited.headers["retry-after"]), 1);
  EXPECT_LE(std::stoi(limited.headers["retry-after"]), 100);
  EXPECT_THAT(limited.body, HasSubstr("rate limit of 0.01 requests per second (burst 2)"));
  EXPECT_EQ(Status("POST", kInfer, infer_key_), 200) << "other keys are not affected";
}

TEST(KeysCommandTest, KeyAloneOnTheLastLineAndStoredOnlyAsAHash) {
  const std::string state_dir = MakeTempDir("finserve-keys") + "/state";
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "create", "--state-dir", state_dir, "--name", "app", "--scopes",
                        "infer,explain", "--models", "credit_*", "--rate", "5", "--burst", "10", "--expires",
                        "2099-01-01"},
                       &out),
            0);
  std::string trimmed = out.substr(0, out.find_last_not_of('\n') + 1);
  const std::string key = trimmed.substr(trimmed.rfind('\n') + 1);
  EXPECT_TRUE(serving::auth::LooksLikeApiKey(key)) << out;
  struct stat st {};
  ASSERT_EQ(::stat(state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto db = Env::Default()->ReadFile(state_dir + "/keys.db");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db->find(key), std::string::npos);
  std::string listed;
  ASSERT_EQ(RunCommand({FinserveBinary(), "keys", "list", "--state-dir", state_dir, "--json"}, &listed), 0);
  auto records = json::parse(listed);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["name"], "app");
  EXPECT_EQ(records[0]["scopes"], "infer,explain");
  EXPECT_EQ(records[0]["models"], "credit_*");
  EXPECT_EQ(records[0]["rate_per_s"], 5.0);
  EXPECT_EQ(records[0]["burst"], 10);
  EXPECT_EQ(records[0]["expires"], "2099-01-01T00:00:00Z");
  EXPECT_EQ(records[0]["status"], "active");
  EXPECT_EQ(listed.find(key), std::string::npos);
  std::string err;
  EXPECT_EQ(RunCommand({FinserveBinary(), "keys", "create", "--state-dir", state_dir, "--name", "app", "--scopes",
                        "infer"},
                       &out, &err),
            1);
  EXPECT_THAT(err, HasSubstr("already exists"));
  EXPECT_EQ(RunCommand({FinserveBinary(), "keys", "create", "--state-dir", state_dir, "--name", "x", "--scopes",
                        "inference"},
                       &out, &err),
            2);
  EXPECT_THAT(err, HasSubstr("unknown scope 'inference'"));
}

TEST(ServerStartTest, AuthIsOnByDefaultAndOffOnlyWhenAskedWithAWarning) {
  const std::string repository = CopyExampleRepository();
  ServerProcess secured({"--model-repository", repository});
  ASSERT_TRUE(secured.Start()) << secured.Log();
  HttpClient client(secured.port());
  EXPECT_EQ(client.Get("/v2/health/ready").status, 200);
  EXPECT_EQ(client.Get("/v2/models/credit_gbdt").status, 401);
  EXPECT_THAT(secured.Log(), HasSubstr(R"("event":"no_api_keys")"));

  ServerProcess open({"--model-repository", repository, "--insecure-no-auth"});
  ASSERT_TRUE(open.Start()) << open.Log();
  EXPECT_EQ(HttpClient(open.port()).Get("/v2/models/credit_gbdt").status, 200);
  EXPECT_THAT(open.Log(), HasSubstr(R"("level":"warn","event":"authentication_off")"));
}

TEST(ServerStartTest, StateDirInsideTheRepositoryIsRefused) {
  const std::string repository = CopyExampleRepository();
  std::string out, err;
  const int code = RunCommand({FinserveBinary(), "serve", "--model-repository", repository, "--state-dir",
                               repository + "/.state", "--http-port", "0"},
                              &out, &err);
  EXPECT_EQ(code, 2);
  EXPECT_THAT(err, HasSubstr("is inside the model repository"));
  EXPECT_FALSE(Env::Default()->FileExists(repository + "/.state"));
}

}  // namespace
}  // namespace finserve::testing
