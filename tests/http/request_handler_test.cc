#include "http/request_handler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <optional>

#include "serving/auth/key_store.h"

namespace finserve::http {
namespace {

using ::testing::HasSubstr;
using serving::auth::Scope;

std::string TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "finserve-handler-XXXXXX").string();
  return mkdtemp(pattern.data());
}

std::string Header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class RequestHandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = TempDir();
    auto store = serving::auth::KeyStore::Open(dir + "/keys.db").value();
    serving::auth::NewKey k;
    k.name = "scorer";
    k.scopes = serving::auth::ScopeSet::Parse("infer").value();
    k.model_globs = {"credit_*"};
    infer_key_ = store->Create(k).value();
    k.name = "limited";
    k.model_globs = {};
    k.rate = {0.001, 1};
    limited_key_ = store->Create(k).value();
    serving::auth::AccessOptions access_options;
    access_options.key_store_path = dir + "/keys.db";
    access_ = serving::auth::AccessController::Create(access_options).value();
    repository::ModelManager::Options manager_options;
    manager_options.repository = dir;
    manager_ = std::make_unique<repository::ModelManager>(manager_options);
    serving::ServiceOptions service_options;
    service_options.access = access_.get();
    service_ = std::make_unique<serving::InferenceService>(manager_.get(), service_options);

    HttpLimits limits;
    limits.max_url_bytes = 64;
    limits.max_in_flight = 2;
    limits_ = std::make_shared<LiveLimits>(limits);
    Router router;
    router.Add("GET", "/health", RouteAccess::Open(), [](const HttpRequest&, const RouteParams&, Responder done) {
      done(JsonResponse(200, "{}"));
    });
    router.Add("POST", "/models/{model}/infer", RouteAccess::Needs(Scope::kInfer),
               [this](const HttpRequest& req, const RouteParams&, Responder done) {
                 seen_principal_ = req.principal ? req.principal->name : "";
                 if (hold_) {
                   held_.push_back(std::move(done));
                 } else {
                   done(JsonResponse(200, "{}"));
                 }
               });
    router.Add("POST", "/admin", RouteAccess::Needs(Scope::kAdmin), [](const HttpRequest&, const RouteParams&, Responder done) {
      done(JsonResponse(200, "{}"));
    });
    handler_ = std::make_unique<RequestHandler>(std::move(router), service_.get(), limits_);
  }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& key = "",
                    std::vector<std::pair<std::string, std::string>> headers = {}, std::string body = "{}") {
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.body = std::move(body);
    request.headers = std::move(headers);
    if (!key.empty()) request.headers.emplace_back("authorization", "Bearer " + key);
    auto slot = std::make_shared<std::optional<HttpResponse>>();
    answers_.push_back(slot);
    handler_->Handle(std::move(request), [slot](HttpResponse r) { *slot = std::move(r); });
    if (!*slot) return HttpResponse{0, "", "", {}, nullptr};
    HttpResponse copy = **slot;
    copy.hold.reset();
    slot->reset();  // as a session does once the answer is written
    return copy;
  }

  // Answers delivered after Call() returned (held requests) stay here until the test drops them.
  std::vector<std::shared_ptr<std::optional<HttpResponse>>> answers_;

  std::string infer_key_, limited_key_;
  std::unique_ptr<serving::auth::AccessController> access_;
  std::unique_ptr<repository::ModelManager> manager_;
  std::unique_ptr<serving::InferenceService> service_;
  std::shared_ptr<LiveLimits> limits_;
  std::unique_ptr<RequestHandler> handler_;
  bool hold_ = false;
  std::vector<Responder> held_;
  std::string seen_principal_;
};

TEST_F(RequestHandlerTest, OpenRoutesNeedNoKey) {
  EXPECT_EQ(Call("GET", "/health").status, 200);
}

TEST_F(RequestHandlerTest, AuthenticatedCallerReachesTheHandlerWithItsPrincipal) {
  HttpResponse r = Call("POST", "/models/credit_gbdt/infer", infer_key_);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(seen_principal_, "scorer");
}

TEST_F(RequestHandlerTest, UnauthenticatedGets401WithChallenge) {
  HttpResponse none = Call("POST", "/models/credit_gbdt/infer");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(Header(none, "WWW-Authenticate"), R"(Bearer realm="finserve")");
  HttpResponse bad = Call("POST", "/models/credit_gbdt/infer", "fsk_" + std::string(43, 'x'));
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(Header(bad, "WWW-Authenticate"), R"(Bearer realm="finserve", error="invalid_token")");
  EXPECT_THAT(bad.body, HasSubstr("unknown API key"));
  EXPECT_TRUE(seen_principal_.empty()) << "the handler never ran";
}

TEST_F(RequestHandlerTest, ScopeAndModelGlobGive403) {
  HttpResponse scope = Call("POST", "/admin", infer_key_);
  EXPECT_EQ(scope.status, 403);
  EXPECT_THAT(scope.body, HasSubstr("does not have the scope 'admin'"));
  HttpResponse model = Call("POST", "/models/fraud/infer", infer_key_);
  EXPECT_EQ(model.status, 403);
  EXPECT_THAT(model.body, HasSubstr("may not use model 'fraud'"));
}

TEST_F(RequestHandlerTest, RateLimitGives429WithRetryAfter) {
  EXPECT_EQ(Call("POST", "/models/m/infer", limited_key_).status, 200);
  HttpResponse r = Call("POST", "/models/m/infer", limited_key_);
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(Header(r, "Retry-After"), "1000");
  EXPECT_THAT(r.body, HasSubstr("rate limit"));
}

TEST_F(RequestHandlerTest, LimitsAndContent) {
  EXPECT_EQ(Call("GET", "/health?" + std::string(80, 'q')).status, 414);
  EXPECT_EQ(Call("GET", "/nothing").status, 404);
  HttpResponse wrong = Call("GET", "/admin");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(Header(wrong, "Allow"), "POST");
  HttpResponse gzip = Call("POST", "/models/m/infer", infer_key_, {{"content-encoding", "gzip"}});
  EXPECT_EQ(gzip.status, 415);
  EXPECT_THAT(gzip.body, HasSubstr("compressed request bodies are not accepted"));
  HttpResponse text = Call("POST", "/models/credit_x/infer", infer_key_, {{"content-type", "text/plain"}});
  EXPECT_EQ(text.status, 415);
  EXPECT_THAT(text.body, HasSubstr("must be JSON"));
  EXPECT_EQ(Call("POST", "/models/credit_x/infer", infer_key_, {{"content-type", "Application/JSON; charset=utf-8"}}).status,
            200);
  EXPECT_EQ(Call("POST", "/models/credit_x/infer", infer_key_, {{"content-encoding", "identity"}}).status, 200);
}

TEST_F(RequestHandlerTest, InFlightBoundAnswers503AtOnceAndFreesSlotsWhenAnswered) {
  hold_ = true;
  EXPECT_EQ(Call("POST", "/models/credit_a/infer", infer_key_).status, 0);  // held: no answer yet
  EXPECT_EQ(Call("POST", "/models/credit_a/infer", infer_key_).status, 0);
  EXPECT_EQ(handler_->in_flight(), 2);
  HttpResponse over = Call("POST", "/models/credit_a/infer", infer_key_);
  EXPECT_EQ(over.status, 503);
  EXPECT_EQ(Header(over, "Retry-After"), "1");
  EXPECT_EQ(Call("GET", "/health").status, 200) << "health stays open under overload";
  // A slot is freed once the answer has been written (the session drops HttpResponse::hold),
  // not when the handler answers.
  held_[0](JsonResponse(200, "{}"));
  ASSERT_TRUE(answers_[0]->has_value());
  EXPECT_EQ(handler_->in_flight(), 2);
  answers_[0]->reset();
  EXPECT_EQ(handler_->in_flight(), 1);
  hold_ = false;
  EXPECT_EQ(Call("POST", "/models/credit_a/infer", infer_key_).status, 200);
  held_[1](JsonResponse(200, "{}"));
  answers_[1]->reset();
  EXPECT_EQ(handler_->in_flight(), 0);
}

TEST_F(RequestHandlerTest, LimitsChangeLive) {
  EXPECT_EQ(Call("GET", "/health?" + std::string(80, 'q')).status, 414);
  HttpLimits wider = *limits_->Get();
  wider.max_url_bytes = 1024;
  limits_->Set(wider);
  EXPECT_EQ(Call("GET", "/health?" + std::string(80, 'q')).status, 200);
}

}  // namespace
}  // namespace finserve::http
