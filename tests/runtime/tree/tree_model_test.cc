// TreeModel as a runtime::Model: its signature per objective, input re-validation, output
// selection, batching and threading that never change a row's bits, the reference fallback, and
// the backend registered for model.json.
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/backend.h"
#include "runtime/tree/random_ensemble.h"
#include "runtime/tree/tree_model.h"
#include "runtime/tree/xgboost_c_api_util.h"

namespace finserve::runtime::tree {
namespace {

std::string Fixture(const std::string& objective = "binary:logistic") {
  nlohmann::json doc = nlohmann::json::parse(testing::ReadFileOrDie(
      std::string(FINSERVE_SOURCE_DIR) + "/tests/runtime/tree/testdata/xgboost2_binary_logistic.json"));
  doc["learner"]["objective"]["name"] = objective;
  if (objective.starts_with("multi:")) {  // the two trees become one per class
    doc["learner"]["learner_model_param"]["num_class"] = "2";
    doc["learner"]["gradient_booster"]["model"]["tree_info"] = {0, 1};
  }
  return doc.dump();
}

std::unique_ptr<TreeModel> Load(const std::string& json, int threads = 1) {
  auto imported = ImportXgboostJson(json);
  EXPECT_TRUE(imported.ok()) << imported.status().ToString();
  if (!imported.ok()) return nullptr;
  auto model = TreeModel::Create(std::move(imported).value(), TreeModel::Options{threads, TreeKernel::kAuto});
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(model).value() : nullptr;
}

std::string Describe(const std::vector<TensorSpec>& specs) {
  std::string out;
  for (const TensorSpec& s : specs) {
    out += s.name + ":" + std::string(DataTypeName(s.dtype)) + DimsToString(s.shape) + " ";
  }
  return out;
}

TEST(TreeModelTest, SignatureFollowsTheObjective) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"binary:logistic", "probability:FP32[-1] margin:FP32[-1] "},
      {"binary:logitraw", "probability:FP32[-1] margin:FP32[-1] "},
      {"reg:squarederror", "prediction:FP32[-1] margin:FP32[-1] "},
      {"reg:logistic", "prediction:FP32[-1] margin:FP32[-1] "},
      {"reg:pseudohubererror", "prediction:FP32[-1] margin:FP32[-1] "},
      {"count:poisson", "prediction:FP32[-1] margin:FP32[-1] "},
      {"multi:softprob", "probability:FP32[-1,2] margin:FP32[-1,2] "},
      {"multi:softmax", "probability:FP32[-1,2] label:INT64[-1] margin:FP32[-1,2] "},
  };
  for (const auto& [objective, signature] : cases) {
    const auto model = Load(Fixture(objective));
    ASSERT_NE(model, nullptr) << objective;
    EXPECT_EQ(model->platform(), "xgboost_json");
    EXPECT_EQ(Describe(model->inputs()), "features:FP32[-1,3] ");
    EXPECT_EQ(Describe(model->outputs()), signature) << objective;
  }
}

Status RunWith(const TreeModel& model, DataType dtype, std::vector<int64_t> shape, size_t bytes,
               std::vector<Tensor>* outputs) {
  std::vector<float> data(64, 0.0f);
  const TensorView view{dtype, shape, data.data(), bytes, nullptr};
  return model.Run(std::span<const TensorView>(&view, 1), OutputSelection::All(), outputs);
}

TEST(TreeModelTest, RejectsInputsItCannotUseNamingExpectedAndGot) {
  const auto model = Load(Fixture());
  ASSERT_NE(model, nullptr);
  std::vector<Tensor> outputs;
  Status s = RunWith(*model, DataType::kInt64, {2, 3}, 48, &outputs);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "input 'features': expected FP32, got INT64");
  s = RunWith(*model, DataType::kFp32, {2, 4}, 32, &outputs);
  EXPECT_EQ(s.message(), "input 'features': expected shape [-1,3], got [2,4]");
  s = RunWith(*model, DataType::kFp32, {6}, 24, &outputs);
  EXPECT_EQ(s.message(), "input 'features': expected shape [-1,3], got [6]");
  s = RunWith(*model, DataType::kFp32, {2, 3}, 20, &outputs);
  EXPECT_EQ(s.message(), "input 'features': 20 bytes of data for shape [2,3], expected 24");
  s = model->Run({}, OutputSelection::All(), &outputs);
  EXPECT_EQ(s.message(), "expected 1 input ('features'), got 0");
}

TEST(TreeModelTest, FillsOnlyTheSelectedOutputs) {
  const auto model = Load(Fixture("multi:softmax"));
  ASSERT_NE(model, nullptr);
  OutputSelection wanted = OutputSelection::None(model->outputs().size());
  wanted.Select(1);  // label
  std::vector<Tensor> outputs;
  ASSERT_TRUE(RunWith(*model, DataType::kFp32, {4, 3}, 48, &outputs).ok());
  std::vector<float> data(12, 0.0f);
  const std::vector<int64_t> shape = {4, 3};
  const TensorView view{DataType::kFp32, shape, data.data(), 48, nullptr};
  ASSERT_TRUE(model->Run(std::span<const TensorView>(&view, 1), wanted, &outputs).ok());
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_FALSE(outputs[0].valid());
  ASSERT_TRUE(outputs[1].valid());
  EXPECT_EQ(outputs[1].dtype(), DataType::kInt64);
  EXPECT_EQ(outputs[1].shape(), Shape({4}));
  EXPECT_FALSE(outputs[2].valid());
  // Row of zeros: tree 0 (class 0) gives -0.2, tree 1 (class 1) gives -0.05: class 1 wins.
  EXPECT_EQ(outputs[1].data<int64_t>()[0], 1);
}

TEST(TreeModelTest, ZeroRowsGiveEmptyOutputs) {
  const auto model = Load(Fixture());
  ASSERT_NE(model, nullptr);
  std::vector<Tensor> outputs;
  ASSERT_TRUE(RunWith(*model, DataType::kFp32, {0, 3}, 0, &outputs).ok());
  EXPECT_EQ(outputs[0].shape(), Shape({0}));
  EXPECT_EQ(outputs[1].shape(), Shape({0}));
}

// A large random model: threads, batches and single rows must all give the same bits per row.
TEST(TreeModelTest, ThreadsAndBatchingNeverChangeARow) {
  testing::RandomEnsembleFactory factory(77);
  testing::RandomEnsembleOptions options;
  options.num_features = 20;
  options.num_outputs = 3;
  options.num_trees = 120;
  auto make = [&](int threads) {
    testing::RandomEnsembleFactory same(77);
    XgboostModel m{same.Make(options), FindObjective("multi:softprob"), 3, 0.5f, {}, {2, 0, 0}};
    return TreeModel::Create(std::move(m), TreeModel::Options{threads, TreeKernel::kAuto});
  };
  auto one = make(1);
  auto two = make(2);
  ASSERT_TRUE(one.ok() && two.ok());
  (void)factory.Make(options);  // same thresholds as the models, for the inputs
  const int64_t rows = 1000;
  const std::vector<float> x = factory.MakeRows(rows, options.num_features);
  std::vector<float> batch(rows * 3), threaded(rows * 3), single(rows * 3);
  (*one)->PredictMargins(x.data(), rows, batch.data());
  const std::vector<int64_t> shape = {rows, options.num_features};
  const TensorView view{DataType::kFp32, shape, x.data(), x.size() * sizeof(float), nullptr};
  std::vector<Tensor> outputs;
  ASSERT_TRUE((*two)->Run(std::span<const TensorView>(&view, 1), OutputSelection::All(), &outputs).ok());
  std::memcpy(threaded.data(), outputs[1].data<float>(), threaded.size() * sizeof(float));
  for (int64_t r = 0; r < rows; ++r) {
    (*one)->PredictMargins(x.data() + r * options.num_features, 1, single.data() + r * 3);
  }
  EXPECT_EQ(0, std::memcmp(batch.data(), threaded.data(), batch.size() * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(batch.data(), single.data(), batch.size() * sizeof(float)));
}

TEST(TreeModelTest, EqualitySplitsFallBackToTheReferenceEvaluator) {
  TreeEnsemble::Spec spec;
  spec.num_features = 1;
  spec.base_margin = {0.0f};
  Tree tree;
  tree.nodes = {TreeNode{0, 1, 2, CompareMode::kEq, false, 2.0, 0, 0}, TreeNode{}, TreeNode{}};
  tree.nodes[1].leaf_value = 1.0f;
  tree.nodes[2].leaf_value = -1.0f;
  spec.trees.push_back(tree);
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  ASSERT_TRUE(ensemble.ok());
  XgboostModel m{std::move(ensemble).value(), FindObjective("reg:squarederror"), 0, 0.5f, {}, {1, 7, 4}};
  auto model = TreeModel::Create(std::move(m), TreeModel::Options{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->evaluator_name(), "reference");
  const float x[3] = {2.0f, 3.0f, std::numeric_limits<float>::quiet_NaN()};
  float margins[3];
  (*model)->PredictMargins(x, 3, margins);
  EXPECT_EQ(margins[0], 1.0f);
  EXPECT_EQ(margins[1], -1.0f);
  EXPECT_EQ(margins[2], -1.0f);  // NaN goes right (missing_goes_left = false)
}

TEST(XgboostBackendTest, ClaimsModelJsonAndLoadsIt) {
  const Backend* backend = BackendRegistry::Builtin().ForFileName("model.json");
  ASSERT_NE(backend, nullptr);
  EXPECT_EQ(backend->name(), "xgboost");
  const std::string bytes = Fixture();
  auto model = backend->Load(ModelSource{"/nowhere", "model.json", bytes}, BackendOptions{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->platform(), "xgboost_json");
  const std::string broken = bytes.substr(0, 100);
  auto refused = backend->Load(ModelSource{"/nowhere", "model.json", broken}, BackendOptions{});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace finserve::runtime::tree
