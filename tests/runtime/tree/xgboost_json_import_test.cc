// The XGBoost JSON importer: a hand-made XGBoost 2.x file (base_score "[5E-1]", size_leaf_vector
// "1", iteration_indptr) with answers derived from its trees, and malformed files that must be
// refused with a message naming where, never a crash.
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "runtime/tree/tree_model.h"
#include "runtime/tree/xgboost_c_api_util.h"
#include "runtime/tree/xgboost_json_import.h"

namespace finserve::runtime::tree {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

std::string Fixture() {
  return testing::ReadFileOrDie(std::string(FINSERVE_SOURCE_DIR) +
                                "/tests/runtime/tree/testdata/xgboost2_binary_logistic.json");
}

// The fixture's trees, as written in it:
//   tree 0: age < 30.5 (NaN -> left) ? [income < 1000 (NaN -> right) ? -0.2 : 0.1] : 0.4
//   tree 1: debt < 0.25 (NaN -> right) ? -0.05 : 0.3
// base_score "[5E-1]" under binary:logistic is a margin of 0.
float Tree0(float age, float income) {
  const bool young = std::isnan(age) || age < 30.5f;
  if (!young) return 0.4f;
  const bool low_income = !std::isnan(income) && income < 1000.0f;
  return low_income ? -0.2f : 0.1f;
}
float Tree1(float debt) { return !std::isnan(debt) && debt < 0.25f ? -0.05f : 0.3f; }

TEST(XgboostJsonImportTest, ReadsXgboost2FileAndAnswersFromItsTrees) {
  auto imported = ImportXgboostJson(Fixture());
  ASSERT_TRUE(imported.ok()) << imported.status().ToString();
  EXPECT_EQ(imported->version, (std::array<int64_t, 3>{2, 0, 3}));
  EXPECT_EQ(imported->objective->name, "binary:logistic");
  EXPECT_EQ(imported->feature_names, (std::vector<std::string>{"age", "income", "debt"}));
  EXPECT_EQ(imported->ensemble.tree(0).nodes[1].cover, 15.0f);
  auto model = TreeModel::Create(std::move(imported).value(), TreeModel::Options{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();

  const std::vector<std::array<float, 3>> rows = {
      {25, 500, 0.1f}, {40, kNaN, kNaN}, {kNaN, kNaN, 0.25f}, {30.5f, 1000, 0.2499f}, {30.4f, 999.9f, kNaN}};
  std::vector<float> flat;
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  const std::vector<int64_t> shape = {static_cast<int64_t>(rows.size()), 3};
  const TensorView view{DataType::kFp32, shape, flat.data(), flat.size() * sizeof(float), nullptr};
  std::vector<Tensor> outputs;
  ASSERT_TRUE((*model)->Run(std::span<const TensorView>(&view, 1), OutputSelection::All(), &outputs).ok());
  ASSERT_EQ((*model)->outputs()[0].name, "probability");
  ASSERT_EQ((*model)->outputs()[1].name, "margin");
  for (size_t i = 0; i < rows.size(); ++i) {
    const float margin = 0.0f + Tree0(rows[i][0], rows[i][1]) + Tree1(rows[i][2]);
    EXPECT_EQ(outputs[1].data<float>()[i], margin) << "row " << i;
    EXPECT_NEAR(outputs[0].data<float>()[i], 1.0 / (1.0 + std::exp(-double{margin})), 1e-6) << "row " << i;
  }
}

// ---- malformed files -----------------------------------------------------------------------

struct BadFile {
  std::string name;
  std::function<std::string()> make;
  StatusCode code;
  std::string message;  // a substring the error must contain
};

void PrintTo(const BadFile& b, std::ostream* os) { *os << b.name; }

std::string Edit(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json doc = nlohmann::json::parse(Fixture());
  edit(doc);
  return doc.dump();
}

nlohmann::json& Tree(nlohmann::json& doc, int t) { return doc["learner"]["gradient_booster"]["model"]["trees"][t]; }
nlohmann::json& Params(nlohmann::json& doc) { return doc["learner"]["learner_model_param"]; }

BadFile Bad(std::string name, std::function<void(nlohmann::json&)> edit, StatusCode code, std::string message) {
  return BadFile{std::move(name), [edit] { return Edit(edit); }, code, std::move(message)};
}

const StatusCode kInvalid = StatusCode::kInvalidArgument;
const StatusCode kUnsupported = StatusCode::kUnimplemented;

std::vector<BadFile> BadFiles() {
  return {
      {"truncated", [] { const std::string f = Fixture(); return f.substr(0, f.size() / 2); }, kInvalid, "not valid JSON"},
      {"empty", [] { return std::string(); }, kInvalid, "not valid JSON"},
      {"deeply_nested", [] { return std::string(100000, '['); }, kInvalid, "nests deeper than"},
      {"not_an_object", [] { return std::string("[1, 2]"); }, kInvalid, "must be a JSON object"},
      Bad("no_learner", [](auto& d) { d.erase("learner"); }, kInvalid, "missing key 'learner'"),
      Bad("version_3", [](auto& d) { d["version"] = {3, 1, 0}; }, kUnsupported, "version 3.1.0 is not supported"),
      Bad("condition_is_string", [](auto& d) { Tree(d, 0)["split_conditions"][1] = "x"; }, kInvalid,
          "tree 0, node 1: 'split_conditions' must hold numbers, got a string"),
      Bad("condition_overflows_float", [](auto& d) { Tree(d, 0)["split_conditions"][0] = 1e39; }, kInvalid,
          "number overflow"),
      Bad("missing_left_children", [](auto& d) { Tree(d, 1).erase("left_children"); }, kInvalid,
          "tree 1: missing key 'left_children'"),
      Bad("child_out_of_range", [](auto& d) { Tree(d, 0)["left_children"][0] = 99; }, kInvalid,
          "tree 0, node 0: left child 99 is out of range [0, 5)"),
      Bad("negative_child", [](auto& d) { Tree(d, 0)["right_children"][1] = -7; }, kInvalid,
          "tree 0, node 1: right child -7 is out of range"),
      Bad("one_child_only", [](auto& d) { Tree(d, 0)["right_children"][2] = 4; }, kInvalid,
          "tree 0, node 2: left child -1 is out of range"),
      Bad("cycle", [](auto& d) { Tree(d, 0)["left_children"][1] = 0; }, kInvalid,
          "tree 0, node 1: child 0 is reached twice"),
      Bad("self_loop", [](auto& d) { Tree(d, 1)["right_children"][0] = 0; }, kInvalid,
          "tree 1, node 0: child 0 is reached twice"),
      Bad("shared_child", [](auto& d) { Tree(d, 0)["right_children"][0] = 1; }, kInvalid,
          "tree 0, node 0: child 1 is reached twice"),
      Bad("feature_out_of_range", [](auto& d) { Tree(d, 0)["split_indices"][1] = 3; }, kInvalid,
          "tree 0, node 1: split feature 3 is out of range [0, 3)"),
      Bad("unknown_objective", [](auto& d) { d["learner"]["objective"]["name"] = "rank:pairwise"; }, kUnsupported,
          "objective 'rank:pairwise' is not supported; supported: binary:logistic"),
      Bad("categorical_split", [](auto& d) { Tree(d, 1)["split_type"][0] = 1; }, kUnsupported,
          "tree 1, node 0: categorical split on feature 2 is not supported"),
      Bad("array_too_short", [](auto& d) { Tree(d, 0)["tree_param"]["num_nodes"] = "6"; }, kInvalid,
          "tree 0: 'left_children' has 5 entries, expected 6"),
      Bad("default_left_string", [](auto& d) { Tree(d, 0)["default_left"][0] = "yes"; }, kInvalid,
          "tree 0, node 0: 'default_left' must hold booleans or 0/1"),
      Bad("num_feature_not_a_number", [](auto& d) { Params(d)["num_feature"] = "abc"; }, kInvalid,
          "learner.learner_model_param.num_feature: 'abc' is not an integer"),
      Bad("base_score_outside_domain", [](auto& d) { Params(d)["base_score"] = "2"; }, kInvalid,
          "base_score 2 is outside the domain of objective 'binary:logistic'"),
      Bad("base_score_per_output", [](auto& d) { Params(d)["base_score"] = "[5E-1,4E-1]"; }, kUnsupported,
          "one base_score per output"),
      Bad("dart", [](auto& d) { d["learner"]["gradient_booster"]["name"] = "dart"; }, kUnsupported,
          "gradient booster 'dart' is not supported"),
      Bad("num_trees_mismatch", [](auto& d) { d["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = "3"; },
          kInvalid, "num_trees is 3 but there are 2 trees"),
      Bad("tree_info_out_of_range", [](auto& d) { d["learner"]["gradient_booster"]["model"]["tree_info"][1] = 5; },
          kInvalid, "tree 1: tree_info 5 is out of range [0, 1)"),
      Bad("vector_leaves", [](auto& d) { Tree(d, 0)["tree_param"]["size_leaf_vector"] = "3"; }, kUnsupported,
          "tree 0: vector leaves"),
      Bad("multi_target", [](auto& d) { Params(d)["num_target"] = "2"; }, kUnsupported, "multi-target"),
      Bad("multiclass_without_num_class", [](auto& d) { d["learner"]["objective"]["name"] = "multi:softprob"; },
          kInvalid, "multi:softprob needs num_class >= 1, got 0"),
      Bad("trees_not_an_array", [](auto& d) { d["learner"]["gradient_booster"]["model"]["trees"] = 7; }, kInvalid,
          "trees: must be an array"),
  };
}

class XgboostBadFileTest : public ::testing::TestWithParam<BadFile> {};

TEST_P(XgboostBadFileTest, IsRefusedWithAMessageNamingWhere) {
  const auto imported = ImportXgboostJson(GetParam().make());
  ASSERT_FALSE(imported.ok());
  EXPECT_EQ(imported.status().code(), GetParam().code) << imported.status().ToString();
  EXPECT_NE(imported.status().message().find(GetParam().message), std::string::npos)
      << "message: " << imported.status().message();
}

INSTANTIATE_TEST_SUITE_P(Malformed, XgboostBadFileTest, ::testing::ValuesIn(BadFiles()),
                         [](const ::testing::TestParamInfo<BadFile>& info) { return info.param.name; });

// Random damage to a valid file: every outcome is a Status or a working model, never a crash
// (this test earns its keep under the asan preset).
TEST(XgboostJsonImportTest, RandomlyDamagedFilesNeverCrash) {
  const std::string fixture = Fixture();
  std::mt19937 rng(1234);
  const std::string alphabet = "{}[],:\"-01234567.9eE nulltrue";
  int loaded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = fixture;
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + rng() % 8); break;
        default: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
      }
    }
    auto imported = ImportXgboostJson(text);
    if (!imported.ok()) {
      EXPECT_FALSE(imported.status().message().empty());
      continue;
    }
    auto model = TreeModel::Create(std::move(imported).value(), TreeModel::Options{});
    ASSERT_TRUE(model.ok()) << model.status().ToString();
    std::vector<float> rows((*model)->num_features() * 3, 0.5f);
    rows[1] = kNaN;
    std::vector<float> margins(3 * (*model)->num_outputs());
    (*model)->PredictMargins(rows.data(), 3, margins.data());
    ++loaded;
  }
  RecordProperty("damaged_files_still_loading", loaded);
}

}  // namespace
}  // namespace finserve::runtime::tree
