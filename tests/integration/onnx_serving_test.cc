// ONNX models served by the real finserve binary: `model.onnx` in a version directory, the
// models made by bench/onnx_parity/make_models.py (a ctest fixture; FINSERVE_ONNX_PARITY_MODELS
// points at them) with their makers' reference outputs (torch, XGBoost) in expected.json.
// Checks the OIP v2 metadata, infer answers against the reference, `finserve predict`, ZipMap
// over OIP, models refused at load (truncated protobuf, cycle, missing initializer, unknown op)
// and requests that contradict the graph (400).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/env.h"
#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

fs::path Models() {
  const char* dir = std::getenv("FINSERVE_ONNX_PARITY_MODELS");
  return dir != nullptr ? fs::path(dir) : fs::path();
}

json ReadJson(const fs::path& path) {
  auto text = Env::Default()->ReadFile(path.string());
  return text.ok() ? json::parse(*text) : json();
}

// Every output of `answer` equals `expected` (floats within atol, the rest exactly).
void ExpectOutputs(const json& answer, const json& expected, double atol) {
  ASSERT_TRUE(answer.contains("outputs")) << answer.dump();
  std::map<std::string, json> got;
  for (const auto& o : answer["outputs"]) got[o["name"]] = o;
  for (const auto& want : expected["outputs"]) {
    SCOPED_TRACE(want["name"].get<std::string>());
    ASSERT_TRUE(got.count(want["name"])) << answer.dump();
    const json& o = got[want["name"]];
    EXPECT_EQ(o["datatype"], want["datatype"]);
    EXPECT_EQ(o["shape"], want["shape"]);
    ASSERT_EQ(o["data"].size(), want["data"].size());
    for (size_t i = 0; i < want["data"].size(); ++i) {
      if (want["datatype"] == "FP32" || want["datatype"] == "FP64") {
        EXPECT_NEAR(o["data"][i].get<double>(), want["data"][i].get<double>(), atol) << "element " << i;
      } else {
        EXPECT_EQ(o["data"][i], want["data"][i]) << "element " << i;
      }
    }
  }
}

class OnnxServingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(Models() / "manifest.json")) << "set FINSERVE_ONNX_PARITY_MODELS (make_models.py output)";
    repository_ = MakeTempDir("finserve-onnx-repo");
    PublishVersion(repository_, "credit_mlp", 1, (Models() / "credit_mlp" / "model.onnx").string());
    PublishVersion(repository_, "ml_trees", 1, (Models() / "ml_trees" / "model.onnx").string());
    PublishVersion(repository_, "trees_zipmap", 1, (Models() / "serving" / "ml_trees_zipmap" / "model.onnx").string());
    for (const char* bad : {"truncated", "cycle", "missing_initializer", "unknown_op"}) {
      PublishVersion(repository_, std::string("bad_") + bad, 1, (Models() / "serving" / "bad" / bad / "model.onnx").string());
    }
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", repository_, "--insecure-no-auth", "--threads", "2"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  json Infer(const std::string& model, const json& request, int want_status = 200) {
    auto res = client_->Post("/v2/models/" + model + "/infer", request.dump());
    EXPECT_EQ(res.status, want_status) << res.body;
    return json::parse(res.body, nullptr, false);
  }

  std::string repository_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(OnnxServingTest, MetadataShowsTheGraphSignature) {
  auto res = client_->Get("/v2/models/credit_mlp");
  ASSERT_EQ(res.status, 200) << res.body;
  json md = json::parse(res.body);
  EXPECT_EQ(md["platform"], "onnx_onnxv1");
  EXPECT_EQ(md["inputs"], json::parse(R"([{"name":"features","datatype":"FP32","shape":[-1,25]}])"));
  EXPECT_EQ(md["outputs"], json::parse(R"([{"name":"probability","datatype":"FP32","shape":[-1]}])"));

  md = json::parse(client_->Get("/v2/models/ml_trees").body);
  EXPECT_EQ(md["platform"], "onnx_onnxv1");
  EXPECT_EQ(md["inputs"][0]["shape"], json::array({-1, 25}));
  EXPECT_EQ(md["outputs"], json::parse(R"([{"name":"label","datatype":"INT64","shape":[-1]},
                                           {"name":"probabilities","datatype":"FP32","shape":[-1,2]}])"));
}

TEST_F(OnnxServingTest, InferAnswersEqualTheReference) {
  for (const std::string model : {"credit_mlp", "ml_trees"}) {
    for (const std::string scenario : {"row", "batch256"}) {
      SCOPED_TRACE(model + "/" + scenario);
      const fs::path dir = Models() / model / scenario;
      ExpectOutputs(Infer(model, ReadJson(dir / "request.json")), ReadJson(dir / "expected.json"), 1e-5);
    }
  }
}

TEST_F(OnnxServingTest, ZipMapComesAsProbabilitiesPlusLabels) {
  const json md = json::parse(client_->Get("/v2/models/trees_zipmap").body);
  EXPECT_EQ(md["outputs"], json::parse(R"([{"name":"label","datatype":"BYTES","shape":[-1]},
                                           {"name":"probabilities","datatype":"FP32","shape":[-1,2]},
                                           {"name":"probabilities_labels","datatype":"BYTES","shape":[-1,2]}])"));
  const fs::path dir = Models() / "serving" / "ml_trees_zipmap";
  ExpectOutputs(Infer("trees_zipmap", ReadJson(dir / "request.json")), ReadJson(dir / "expected.json"), 1e-6);
}

TEST_F(OnnxServingTest, PredictCommandGivesTheServersAnswer) {
  const fs::path request = Models() / "credit_mlp" / "row" / "request.json";
  std::string out, err;
  ASSERT_EQ(RunCommand({FinserveBinary(), "predict", "--model-repository", repository_, "--model", "credit_mlp",
                        "--input", request.string()},
                       &out, &err),
            0)
      << err;
  const json offline = json::parse(out);
  ExpectOutputs(offline, ReadJson(request.parent_path() / "expected.json"), 1e-5);
  EXPECT_EQ(offline, Infer("credit_mlp", ReadJson(request)));
}

TEST_F(OnnxServingTest, BrokenModelsAreRefusedAtLoadWithTheReason) {
  const std::map<std::string, std::string> reasons = {
      {"bad_truncated", "not a valid ONNX protobuf"}, {"bad_cycle", "cycle"}, {"bad_missing_initializer", "weights"},
      {"bad_unknown_op", "FancyActivation"}};
  const json index = json::parse(client_->Post("/v2/repository/index", "{}").body);
  for (const auto& [model, fragment] : reasons) {
    SCOPED_TRACE(model);
    bool found = false;
    for (const auto& e : index) {
      if (e["name"] != model) continue;
      found = true;
      EXPECT_EQ(e["state"], "UNAVAILABLE");
      EXPECT_THAT(e.value("reason", ""), HasSubstr(fragment));
    }
    EXPECT_TRUE(found) << index.dump();
    const json request = ReadJson(Models() / "credit_mlp" / "row" / "request.json");
    EXPECT_NE(client_->Post("/v2/models/" + model + "/infer", request.dump()).status, 200);
  }
  EXPECT_EQ(client_->Get("/v2/models/credit_mlp/ready").status, 200);  // the good ones serve on
}

TEST_F(OnnxServingTest, RequestsThatContradictTheGraphGet400) {
  const json good = ReadJson(Models() / "credit_mlp" / "row" / "request.json");
  json wrong_type = good;
  wrong_type["inputs"][0]["datatype"] = "INT64";
  wrong_type["inputs"][0]["data"] = json::array();
  for (int i = 0; i < 25; ++i) wrong_type["inputs"][0]["data"].push_back(1);
  json wrong_width = good;
  wrong_width["inputs"][0]["shape"] = json::array({1, 24});
  wrong_width["inputs"][0]["data"].erase(wrong_width["inputs"][0]["data"].begin());
  json wrong_rank = good;
  wrong_rank["inputs"][0]["shape"] = json::array({25});
  json wrong_name = good;
  wrong_name["inputs"][0]["name"] = "x";
  for (const json& request : {wrong_type, wrong_width, wrong_rank, wrong_name}) {
    const json answer = Infer("credit_mlp", request, 400);
    EXPECT_THAT(answer.value("error", ""), HasSubstr("features")) << request["inputs"][0].dump().substr(0, 80);
  }
  ExpectOutputs(Infer("credit_mlp", good), ReadJson(Models() / "credit_mlp" / "row" / "expected.json"), 1e-5);
}

}  // namespace
}  // namespace finserve::testing
