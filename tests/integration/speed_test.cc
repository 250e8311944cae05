// Serving at speed, end to end over loopback against the real binary: Prometheus metrics (checked
// by promtool, behind the `metrics` scope), TF Serving's REST API, the binary tensor extension,
// and the scheduler's backpressure (503) and queue deadlines (504).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <future>

#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kInfer[] = "/v2/models/credit_gbdt/infer";

std::map<std::string, std::string> Bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

// The probabilities of the bundled example request over /v2, as the reference for other forms.
std::vector<float> V2Probabilities(HttpClient* client) {
  auto res = client->Post(kInfer, ExampleRequest().dump());
  EXPECT_EQ(res.status, 200) << res.body;
  return json::parse(res.body)["outputs"][0]["data"].get<std::vector<float>>();
}

class SpeedTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra, const std::string& batching_yaml = "") {
    repository_ = CopyExampleRepository();
    if (!batching_yaml.empty()) std::ofstream(repository_ + "/credit_gbdt/config.yaml", std::ios::app) << batching_yaml;
    std::vector<std::string> args = {"--model-repository", repository_, "--threads", "2", "--inference-threads", "2"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<ServerProcess>(args);
    ASSERT_TRUE(server_->Start()) << server_->Log();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  std::string Metrics() {
    auto res = client_->Get("/metrics");
    EXPECT_EQ(res.status, 200) << res.body;
    return res.body;
  }

  std::string repository_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(SpeedTest, MetricsNeedTheMetricsScopeAndPassPromtool) {
  const std::string state_dir = MakeTempDir("finserve-speed") + "/state";
  const std::string infer_key = CreateKey(state_dir, "scorer", "infer");
  const std::string metrics_key = CreateKey(state_dir, "prometheus", "metrics");
  ASSERT_FALSE(infer_key.empty());
  ASSERT_FALSE(metrics_key.empty());
  Start({"--state-dir", state_dir, "--max-body-bytes", "4096"});
  EXPECT_EQ(client_->Post(kInfer, ExampleRequest().dump(), Bearer(infer_key)).status, 200);
  // Refused before any model sees them: counted by status code only.
  EXPECT_EQ(client_->Post(kInfer, std::string(8192, ' '), Bearer(infer_key)).status, 413);
  client_ = std::make_unique<HttpClient>(server_->port());  // a 413 closes the connection
  EXPECT_EQ(client_->Post(kInfer, ExampleRequest().dump()).status, 401);
  EXPECT_EQ(client_->Post(kInfer, R"({"inputs": []})", Bearer(infer_key)).status, 400);
  EXPECT_EQ(client_->Post(kInfer, "{not json", Bearer(infer_key)).status, 400);
  EXPECT_EQ(client_->Post("/v2/models/nope/infer", ExampleRequest().dump(), Bearer(infer_key)).status, 404);
  EXPECT_EQ(client_->Get("/metrics").status, 401);
  EXPECT_EQ(client_->Get("/metrics", Bearer(infer_key)).status, 403);
  auto res = client_->Get("/metrics", Bearer(metrics_key));
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_THAT(res.headers["content-type"], HasSubstr("text/plain; version=0.0.4"));
  const std::string& text = res.body;
  EXPECT_THAT(text, HasSubstr("finserve_inference_requests_total{model=\"credit_gbdt\",version=\"1\",protocol=\"http\","
                              "code=\"OK\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("finserve_inference_requests_total{model=\"credit_gbdt\",version=\"\",protocol=\"http\","
                              "code=\"INVALID_ARGUMENT\"} 1\n"));  // the body that did not parse
  EXPECT_THAT(text, HasSubstr("finserve_inference_requests_total{model=\"credit_gbdt\",version=\"1\",protocol=\"http\","
                              "code=\"INVALID_ARGUMENT\"} 1\n"));  // routed, then refused (no inputs)
  // A model name nobody serves is not a label of its own (callers cannot grow the metrics).
  EXPECT_THAT(text, HasSubstr("{model=\"(unknown)\",version=\"\",protocol=\"http\",code=\"NOT_FOUND\"} 1\n"));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("model=\"nope\"")));
  EXPECT_THAT(text, HasSubstr("finserve_model_version_state{model=\"credit_gbdt\",version=\"1\",state=\"READY\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("finserve_inference_batch_size_count{model=\"credit_gbdt\",version=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("finserve_inference_in_flight{protocol=\"http\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("finserve_inference_queue_duration_seconds_bucket{model=\"credit_gbdt\""));
  EXPECT_THAT(text, HasSubstr("finserve_http_responses_total{code=\"413\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("finserve_http_responses_total{code=\"401\"} 2\n"));  // infer and /metrics
  EXPECT_THAT(text, HasSubstr("finserve_http_responses_total{code=\"403\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("finserve_http_responses_total{code=\"200\"} 1\n"));  // this scrape is not yet counted
  // The audit log's own families: the server_started record and the decision, stored, none lost.
  EXPECT_THAT(text, HasSubstr("finserve_audit_records_total{outcome=\"failed\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("finserve_audit_records_total{outcome=\"stored\"} "));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("finserve_audit_records_total{outcome=\"stored\"} 0\n")));
  EXPECT_THAT(text, HasSubstr("finserve_audit_fdatasync_duration_seconds_count "));
  EXPECT_THAT(text, ::testing::Not(HasSubstr("finserve_audit_stored_sequence 0\n")));
  // Prometheus' own checker reads the exposition (promtool from Debian's prometheus package).
  const std::string file = MakeTempDir("finserve-metrics") + "/metrics.txt";
  std::ofstream(file) << text;
  std::string out, err;
  EXPECT_EQ(RunCommand({"/bin/sh", "-c", "promtool check metrics < " + file}, &out, &err), 0) << out << err;
}

TEST_F(SpeedTest, MetricsOpenServesWithoutAKey) {
  Start({"--metrics-open"});
  EXPECT_EQ(client_->Get("/metrics").status, 200);
  EXPECT_EQ(client_->Post(kInfer, ExampleRequest().dump()).status, 401);  // only /metrics opened
}

TEST_F(SpeedTest, TfServingPredictRowAndColumnarForms) {
  Start({"--insecure-no-auth"});
  const std::vector<float> expected = V2Probabilities(client_.get());
  json rows = ExampleRequest()["inputs"][0]["data"];
  // Row form, exactly as a TF Serving client posts it; NaN literal for the missing income.
  std::string body = json{{"signature_name", "serving_default"}, {"instances", rows}}.dump();
  const size_t null_at = body.find("null");
  ASSERT_NE(null_at, std::string::npos);
  body.replace(null_at, 4, "NaN");
  auto res = client_->Post("/v1/models/credit_gbdt:predict", body);
  ASSERT_EQ(res.status, 200) << res.body;
  auto predictions = json::parse(res.body)["predictions"];
  ASSERT_EQ(predictions.size(), 2u);
  EXPECT_FLOAT_EQ(predictions[0]["probability"].get<float>(), expected[0]);
  EXPECT_FLOAT_EQ(predictions[1]["probability"].get<float>(), expected[1]);
  // Columnar form with one named output answers `outputs`; versions in the path.
  json columnar = {{"inputs", {{"features", rows}}}};
  res = client_->Post("/v1/models/credit_gbdt/versions/1:predict", columnar.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_FLOAT_EQ(json::parse(res.body)["outputs"]["probability"][1].get<float>(), expected[1]);
  // regress answers the first output per example; classify label/score pairs.
  json examples = json::array();
  for (const auto& row : rows) examples.push_back({{"features", row}});
  res = client_->Post("/v1/models/credit_gbdt:regress", json{{"examples", examples}}.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_FLOAT_EQ(json::parse(res.body)["results"][0].get<float>(), expected[0]);
  res = client_->Post("/v1/models/credit_gbdt:classify", json{{"examples", examples}}.dump());
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body)["results"][1][1][0], "1");
  EXPECT_NEAR(json::parse(res.body)["results"][1][1][1].get<double>(), expected[1], 1e-6);
}

TEST_F(SpeedTest, TfServingStatusMetadataAndErrors) {
  Start({"--insecure-no-auth"});
  auto res = client_->Get("/v1/models/credit_gbdt");
  ASSERT_EQ(res.status, 200) << res.body;
  EXPECT_EQ(json::parse(res.body),
            json::parse(R"({"model_version_status": [{"version": "1", "state": "AVAILABLE",
                            "status": {"error_code": "OK", "error_message": ""}}]})"));
  res = client_->Get("/v1/models/credit_gbdt/versions/1/metadata");
  ASSERT_EQ(res.status, 200) << res.body;
  auto sig = json::parse(res.body)["metadata"]["signature_def"]["signature_def"]["serving_default"];
  EXPECT_EQ(sig["inputs"]["features"]["dtype"], "DT_FLOAT");
  EXPECT_EQ(sig["inputs"]["features"]["tensor_shape"]["dim"][1]["size"], "25");
  res = client_->Get("/v1/models/nope");
  EXPECT_EQ(res.status, 404);
  EXPECT_THAT(json::parse(res.body)["error"].get<std::string>(), HasSubstr("nope"));
  res = client_->Post("/v1/models/credit_gbdt:predict", R"({"instances": [[1, 2], [3]]})");
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(json::parse(res.body)["error"].get<std::string>(), HasSubstr("ragged"));
  res = client_->Post("/v1/models/credit_gbdt:predict", R"({"instances": [[1]], "inputs": [[1]]})");
  EXPECT_EQ(res.status, 400);
  res = client_->Post("/v1/models/credit_gbdt:predict", R"({"instances": [)");
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(json::parse(res.body)["error"].get<std::string>(), HasSubstr("malformed JSON"));
}

TEST_F(SpeedTest, BinaryTensorsInAndOut) {
  Start({"--insecure-no-auth"});
  const std::vector<float> expected = V2Probabilities(client_.get());
  size_t rows = 0, cols = 0;
  const std::vector<float> x = ExampleRows(ExampleRequest(), &rows, &cols);
  json header = {{"inputs",
                  {{{"name", "features"}, {"datatype", "FP32"}, {"shape", {rows, cols}},
                    {"parameters", {{"binary_data_size", x.size() * 4}}}}}},
                 {"outputs", {{{"name", "probability"}, {"parameters", {{"binary_data", true}}}}}}};
  std::string body = header.dump();
  const size_t json_length = body.size();
  body.append(reinterpret_cast<const char*>(x.data()), x.size() * 4);
  auto res = client_->Post(kInfer, body,
                           {{"Inference-Header-Content-Length", std::to_string(json_length)},
                            {"Content-Type", "application/octet-stream"}});
  ASSERT_EQ(res.status, 200) << res.body;
  const size_t answer_json = std::stoul(res.headers["inference-header-content-length"]);
  auto answer = json::parse(res.body.substr(0, answer_json));
  ASSERT_EQ(answer["outputs"][0]["parameters"]["binary_data_size"], rows * 4);
  ASSERT_EQ(res.body.size(), answer_json + rows * 4);
  std::vector<float> got(rows);
  std::memcpy(got.data(), res.body.data() + answer_json, rows * 4);
  EXPECT_EQ(got, expected);
  // Bytes the header does not account for, and a size that does not match the shape, are refused.
  res = client_->Post(kInfer, body + "xx", {{"Inference-Header-Content-Length", std::to_string(json_length)},
                                           {"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(res.status, 400);
  EXPECT_THAT(res.body, HasSubstr("belong to no input"));
  res = client_->Post(kInfer, body.substr(0, body.size() - 4),
                      {{"Inference-Header-Content-Length", std::to_string(json_length)},
                       {"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(res.status, 400);
  res = client_->Post(kInfer, body, {{"Inference-Header-Content-Length", "999999"},
                                     {"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(res.status, 400);
}

// A queue of one request with a long batching delay: a second request finds it full (503 at
// once); a request with a short `timeout` expires in the queue (504) and is never run.
TEST_F(SpeedTest, FullQueueAnswers503AndQueueDeadlineAnswers504) {
  Start({"--insecure-no-auth", "--metrics-open"},
        "batching: {max_batch_size: 64, max_queue_delay_us: 1500000, max_queue_size: 1}\n");
  json timed = ExampleRequest();
  timed["parameters"] = {{"timeout", 50000}};
  auto res = client_->Post(kInfer, timed.dump());
  EXPECT_EQ(res.status, 504) << res.body;
  EXPECT_THAT(res.body, HasSubstr("timeout passed"));

  auto waiting = std::async(std::launch::async, [port = server_->port()] {
    HttpClient other(port);
    return other.Post(kInfer, ExampleRequest().dump()).status;
  });
  ASSERT_TRUE(WaitFor([&] { return Metrics().find("finserve_inference_queue_depth{model=\"credit_gbdt\",version=\"1\"} 1\n") !=
                                   std::string::npos; },
                      std::chrono::seconds(10)));
  res = client_->Post(kInfer, ExampleRequest().dump());
  EXPECT_EQ(res.status, 503) << res.body;
  EXPECT_THAT(res.body, HasSubstr("is full"));
  EXPECT_EQ(waiting.get(), 200);  // the queued one runs once its batching delay passes
  const std::string text = Metrics();
  EXPECT_THAT(text, HasSubstr("finserve_inference_queue_rejected_total{model=\"credit_gbdt\",version=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("finserve_inference_deadline_expired_total{model=\"credit_gbdt\",version=\"1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("code=\"DEADLINE_EXCEEDED\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("code=\"UNAVAILABLE\"} 1\n"));
}

}  // namespace
}  // namespace finserve::testing
