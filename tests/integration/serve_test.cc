// Starts the real finserve binary on the example repository and talks HTTP to it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/env.h"
#include "core/sha256.h"
#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"
#include "testing/xgboost_reference.h"

namespace finserve::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kInfer[] = "/v2/models/credit_gbdt/infer";

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", repository_, "--insecure-no-auth", "--poll-interval-s", "1", "--threads", "2",
        "--max-body-bytes", "200000"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string ModelFile() const { return repository_ + "/credit_gbdt/1/model.json"; }

  std::string repository_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(ServeTest, HealthAndServerMetadata) {
  auto live = client_->Get("/v2/health/live");
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(json::parse(live.body)["live"], true);
  auto ready = client_->Get("/v2/health/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body)["ready"], true);
  auto md = client_->Get("/v2");
  ASSERT_EQ(md.status, 200);
  auto body = json::parse(md.body);
  EXPECT_EQ(body["name"], "finserve");
  EXPECT_THAT(body["extensions"].get<std::vector<std::string>>(), ::testing::Contains("model_repository"));
}

TEST_F(ServeTest, ModelMetadataShowsRealSignatureAndIdentity) {
  auto res = client_->Get("/v2/models/credit_gbdt");
  ASSERT_EQ(res.status, 200) << res.body;
  auto md = json::parse(res.body);
  EXPECT_EQ(md["name"], "credit_gbdt");
  EXPECT_EQ(md["versions"], json::array({"1"}));
  EXPECT_EQ(md["platform"], "xgboost_json");
  ASSERT_EQ(md["inputs"].size(), 1u);
  EXPECT_EQ(md["inputs"][0]["name"], "features");
  EXPECT_EQ(md["inputs"][0]["datatype"], "FP32");
  EXPECT_EQ(md["inputs"][0]["shape"], json::array({-1, 25}));
  EXPECT_EQ(md["inputs"][0]["features"].size(), 25u);
  EXPECT_EQ(md["inputs"][0]["features"][1], "Home=rent");
  std::vector<std::string> outputs;
  for (const auto& o : md["outputs"]) outputs.push_back(o["name"]);
  EXPECT_THAT(outputs, ::testing::UnorderedElementsAre("probability", "margin"));
  auto bytes = Env::Default()->ReadFile(ModelFile());
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(md["parameters"]["model_sha256"], Sha256Hex(*bytes));
  EXPECT_EQ(md["parameters"]["config_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(client_->Get("/v2/models/credit_gbdt/versions/1").status, 200);
  EXPECT_EQ(client_->Get("/v2/models/credit_gbdt/ready").status, 200);
  EXPECT_EQ(client_->Get("/v2/models/credit_gbdt/versions/1/ready").status, 200);
}

TEST_F(ServeTest, InferMatchesRealXgboost) {
  const json request = ExampleRequest();
  auto res = client_->Post(kInfer, request.dump(), {{"X-Request-Id", "trace-42"}});
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(res.headers["x-request-id"], "trace-42");
  auto answer = json::parse(res.body);
  EXPECT_EQ(answer["model_name"], "credit_gbdt");
  EXPECT_EQ(answer["model_version"], "1");
  EXPECT_EQ(answer["id"], "example-1");
  EXPECT_EQ(answer["parameters"]["model_sha256"].get<std::string>().size(), 64u);

  size_t rows = 0, cols = 0;
  const auto matrix = ExampleRows(request, &rows, &cols);
  const auto expected = XgboostPredict(ModelFile(), matrix, rows, cols, XgboostOutput::kValue);
  const auto expected_margin = XgboostPredict(ModelFile(), matrix, rows, cols, XgboostOutput::kMargin);
  for (const auto& out : answer["outputs"]) {
    ASSERT_EQ(out["shape"], json::array({static_cast<int>(rows)}));
    const auto& want = out["name"] == "probability" ? expected : expected_margin;
    for (size_t i = 0; i < rows; ++i) EXPECT_NEAR(out["data"][i].get<float>(), want[i], 1e-6) << out["name"];
  }
  EXPECT_EQ(answer["outputs"].size(), 2u);
}

TEST_F(ServeTest, RequestIdIsGeneratedWhenAbsent) {
  auto a = client_->Get("/v2/health/live");
  auto b = client_->Get("/v2/health/live");
  EXPECT_EQ(a.headers["x-request-id"].size(), 32u);
  EXPECT_NE(a.headers["x-request-id"], b.headers["x-request-id"]);
}

TEST_F(ServeTest, OutputSelectionAndVersionedRoute) {
  json request = ExampleRequest();
  request["outputs"] = json::array({{{"name", "margin"}}});
  auto res = client_->Post("/v2/models/credit_gbdt/versions/1/infer", request.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  auto answer = json::parse(res.body);
  ASSERT_EQ(answer["outputs"].size(), 1u);
  EXPECT_EQ(answer["outputs"][0]["name"], "margin");
}

struct BadRequest {
  const char* method;
  std::string target;
  std::string body;
  int status;
  const char* fragment;
};

TEST_F(ServeTest, BadRequestsGetClearErrors) {
  json wrong_type = ExampleRequest();
  wrong_type["inputs"][0]["datatype"] = "FP64";
  json wrong_shape = ExampleRequest();
  wrong_shape["inputs"][0]["shape"] = json::array({2, 24});
  wrong_shape["inputs"][0]["data"] = json::array();
  for (int i = 0; i < 48; ++i) wrong_shape["inputs"][0]["data"].push_back(1.0);
  json extra = ExampleRequest();
  extra["inputs"].push_back({{"name", "bonus"}, {"datatype", "FP32"}, {"shape", {1}}, {"data", {1}}});
  json missing = ExampleRequest();
  missing["inputs"][0]["name"] = "feature";
  json duplicate = ExampleRequest();
  duplicate["inputs"].push_back(duplicate["inputs"][0]);
  json unknown_output = ExampleRequest();
  unknown_output["outputs"] = json::array({{{"name", "score"}}});
  const std::string good = ExampleRequest().dump();
  const BadRequest cases[] = {
      {"POST", kInfer, "{\"inputs\": [", 400, "malformed JSON"},
      {"POST", kInfer, wrong_type.dump(), 400, "expected datatype FP32, got FP64"},
      {"POST", kInfer, wrong_shape.dump(), 400, "dimension 1 must be 25"},
      {"POST", kInfer, extra.dump(), 400, "unknown input 'bonus'"},
      {"POST", kInfer, missing.dump(), 400, "unknown input 'feature'"},
      {"POST", kInfer, duplicate.dump(), 400, "appears more than once"},
      {"POST", kInfer, unknown_output.dump(), 400, "unknown output 'score'"},
      {"POST", "/v2/models/nope/infer", good, 404, "model 'nope' is not loaded"},
      {"POST", "/v2/models/credit_gbdt/versions/7/infer", good, 404, "version 7 of model 'credit_gbdt' is not loaded"},
      {"POST", "/v2/models/credit_gbdt/versions/x/infer", good, 400, "not a positive integer"},
      {"GET", kInfer, "", 405, "not allowed"},
      {"DELETE", "/v2/health/live", "", 405, "allowed: GET"},
      {"GET", "/v3/anything", "", 404, "no route"},
      {"POST", kInfer, std::string(300000, ' '), 413, "exceeds the limit"},
  };
  for (const auto& c : cases) {
    auto res = client_->Request(c.method, c.target, c.body, {});
    EXPECT_EQ(res.status, c.status) << c.method << " " << c.target << ": " << res.body;
    auto body = json::parse(res.body, nullptr, false);
    ASSERT_TRUE(body.is_object() && body.contains("error")) << res.body;
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(c.fragment)) << c.target;
  }
  // Still serving afterwards.
  EXPECT_EQ(client_->Post(kInfer, good).status, 200);
}

TEST_F(ServeTest, MalformedHttpIsRefusedAndServerSurvives) {
  EXPECT_THAT(RawExchange(server_->port(), "GARBAGE\r\n\r\n"), HasSubstr("400"));
  EXPECT_THAT(RawExchange(server_->port(), "GET / HTTP/1.1\r\nHost: x\r\n" + std::string(20000, 'a') + ": b\r\n\r\n"),
              HasSubstr("431"));
  EXPECT_EQ(client_->Get("/v2/health/live").status, 200);
}

TEST_F(ServeTest, CorruptVersionNeverReplacesGoodOne) {
  namespace fs = std::filesystem;
  // A truncated model file appears as version 2.
  const std::string truncated = MakeTempDir("finserve-bad") + "/model.json";
  {
    auto bytes = Env::Default()->ReadFile(ModelFile());
    ASSERT_TRUE(bytes.ok());
    std::ofstream(truncated) << bytes->substr(0, bytes->size() / 2);
  }
  PublishVersion(repository_, "credit_gbdt", 2, truncated);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto index = json::parse(client_->Post("/v2/repository/index", "{}").body);
        for (const auto& e : index) {
          if (e.value("version", "") == "2" && e["state"] == "UNAVAILABLE") return true;
        }
        return false;
      },
      std::chrono::seconds(15)));
  auto index = json::parse(client_->Post("/v2/repository/index", "").body);
  bool reported = false;
  for (const auto& e : index) {
    if (e.value("version", "") == "2") {
      reported = true;
      EXPECT_THAT(e["reason"].get<std::string>(), HasSubstr("model.json"));
    }
    if (e.value("version", "") == "1") {
      EXPECT_EQ(e["state"], "READY");
    }
  }
  EXPECT_TRUE(reported);
  auto res = client_->Post(kInfer, ExampleRequest().dump());
  ASSERT_EQ(res.status, 200);
  EXPECT_EQ(json::parse(res.body)["model_version"], "1");

  // Repairing version 2 makes it serve; then version 1 is unloaded (policy: latest 1).
  fs::remove_all(repository_ + "/credit_gbdt/2");
  PublishVersion(repository_, "credit_gbdt", 2, ModelFile());
  ASSERT_TRUE(WaitFor([&] { return json::parse(client_->Post(kInfer, ExampleRequest().dump()).body)["model_version"] == "2"; },
                      std::chrono::seconds(15)));
  ASSERT_TRUE(WaitFor([&] { return client_->Get("/v2/models/credit_gbdt/versions/1/ready").status == 404; },
                      std::chrono::seconds(15)));
}

TEST_F(ServeTest, HotReloadUnderLoadLosesNoRequest) {
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0}, on_v2{0};
  std::string first_failure;
  std::thread load([&] {
    HttpClient client(server_->port());
    const std::string body = ExampleRequest().dump();
    while (!stop.load()) {
      auto res = client.Post(kInfer, body);
      if (res.status == 200) {
        ++ok;
        if (json::parse(res.body)["model_version"] == "2") ++on_v2;
      } else if (failed++ == 0) {
        first_failure = std::to_string(res.status) + " " + res.body + res.error;
      }
    }
  });
  ASSERT_TRUE(WaitFor([&] { return ok.load() > 50; }, std::chrono::seconds(10)));
  // 1. The config changes (serve every version): version 1 reloads with the new config identity.
  const auto config_sha = [&] {
    return json::parse(client_->Get("/v2/models/credit_gbdt").body)["parameters"]["config_sha256"];
  };
  const json old_sha = config_sha();
  std::string text = Env::Default()->ReadFile(repository_ + "/credit_gbdt/config.yaml").value();
  const std::string latest = "version_policy: {latest: 1}";
  ASSERT_NE(text.find(latest), std::string::npos);
  text.replace(text.find(latest), latest.size(), "version_policy: {all: true}");
  ASSERT_TRUE(Env::Default()->WriteFileAtomic(repository_ + "/credit_gbdt/config.yaml", text).ok());
  ASSERT_TRUE(WaitFor([&] { return config_sha() != old_sha; }, std::chrono::seconds(15)));
  // 2. Version 2 appears; unversioned requests move to it while version 1 stays loaded.
  PublishVersion(repository_, "credit_gbdt", 2, ModelFile());
  EXPECT_TRUE(WaitFor([&] { return on_v2.load() > 50; }, std::chrono::seconds(15)));
  EXPECT_EQ(client_->Get("/v2/models/credit_gbdt/versions/1/ready").status, 200);
  // 3. Version 1's directory is removed: it is unloaded.
  std::filesystem::remove_all(repository_ + "/credit_gbdt/1");
  EXPECT_TRUE(WaitFor(
      [&] {
        auto index = json::parse(client_->Post("/v2/repository/index", "").body);
        return index.size() == 1 && index[0]["version"] == "2" && index[0]["state"] == "READY";
      },
      std::chrono::seconds(15)));
  const int before = ok.load();
  ASSERT_TRUE(WaitFor([&] { return ok.load() > before + 50; }, std::chrono::seconds(10)));
  stop = true;
  load.join();
  EXPECT_EQ(failed.load(), 0) << first_failure;
  EXPECT_GT(on_v2.load(), 50);
}

// `serve` re-executes itself (main.cc) and would show as "exe"; operators find it by its name, and
// its threads by theirs (docs/architecture.md, "Threads").
TEST_F(ServeTest, ProcessAndThreadsAreNamed) {
  const std::string proc = "/proc/" + std::to_string(server_->pid());
  auto first_line = [](const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
  };
  EXPECT_EQ(first_line(proc + "/comm"), "finserve");
  // Each thread names itself as it starts, which may be just after the server says it listens.
  const std::set<std::string> expected = {"http-io-0", "http-io-1", "infer-0", "audit-flusher", "repo-poller"};
  std::set<std::string> missing;
  const int64_t deadline = Env::Default()->NowMicros() + 10'000'000;
  do {
    missing = expected;
    for (const auto& task : std::filesystem::directory_iterator(proc + "/task")) missing.erase(first_line(task.path() / "comm"));
    if (!missing.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  } while (!missing.empty() && Env::Default()->NowMicros() < deadline);
  EXPECT_TRUE(missing.empty()) << "not among the server's threads: " << *missing.begin();
}

TEST_F(ServeTest, SigtermDrainsAndExitsZero) {
  EXPECT_EQ(client_->Get("/v2/health/ready").status, 200);
  EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
  EXPECT_THAT(server_->Log(), HasSubstr("server_stopped"));
}

TEST(ExplicitControlTest, LoadAndUnloadThroughTheApi) {
  const std::string repository = CopyExampleRepository();
  ServerProcess server({"--model-repository", repository, "--insecure-no-auth", "--model-control", "explicit"});
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient client(server.port());
  const std::string body = ExampleRequest().dump();
  EXPECT_EQ(client.Post(kInfer, body).status, 404);
  auto index = json::parse(client.Post("/v2/repository/index", "{}").body);
  ASSERT_EQ(index.size(), 1u);
  EXPECT_EQ(index[0]["state"], "UNAVAILABLE");
  EXPECT_EQ(client.Post("/v2/repository/models/credit_gbdt/load", "").status, 200);
  EXPECT_EQ(client.Post(kInfer, body).status, 200);
  EXPECT_EQ(client.Post("/v2/repository/models/credit_gbdt/unload", "{}").status, 200);
  EXPECT_EQ(client.Post(kInfer, body).status, 404);
  auto missing = client.Post("/v2/repository/models/nothing/load", "");
  EXPECT_EQ(missing.status, 404) << missing.body;
  auto override_config = client.Post("/v2/repository/models/credit_gbdt/load", R"({"parameters":{"config":"{}"}})");
  EXPECT_EQ(override_config.status, 501);
}

TEST(PredictCommandTest, OfflineAnswerEqualsServerAnswer) {
  const std::string repository = SourceDir() + "/examples/model-repository";
  const std::string request = SourceDir() + "/examples/requests/credit_gbdt_infer.json";
  std::string out;
  ASSERT_EQ(RunCommand({FinserveBinary(), "predict", "--model-repository", repository, "--model", "credit_gbdt",
                        "--input", request},
                       &out),
            0);
  auto offline = json::parse(out);
  ServerProcess server({"--model-repository", repository, "--insecure-no-auth"});
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient client(server.port());
  auto online = json::parse(client.Post(kInfer, ExampleRequest().dump()).body);
  EXPECT_EQ(offline, online);
}

}  // namespace
}  // namespace finserve::testing
