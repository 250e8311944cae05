#include "runtime/tree/xgboost_json_import.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "runtime/tree/json_fields.h"

namespace finserve::runtime::tree {
namespace {

constexpr std::string_view kLearner = "learner";
constexpr std::string_view kParams = "learner.learner_model_param";
constexpr std::string_view kModel = "learner.gradient_booster.model";
constexpr int64_t kMaxFeatures = int64_t{1} << 24;

struct LearnerParams {
  int32_t num_feature = 0;
  int32_t num_class = 0;
  float base_score = 0.5f;
};

Result<int64_t> IntegerMember(const JsonDoc& object, std::string_view key, std::string_view path) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* v, JsonMember(object, key, path));
  return JsonIntegerLike(*v, fmt::format("{}.{}", path, key));
}

Result<std::array<int64_t, 3>> ReadVersion(const JsonDoc& root) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* v, JsonMember(root, "version", "model"));
  if (!v->is_array() || v->size() != 3) return InvalidArgument("version: must be an array [major, minor, patch]");
  std::array<int64_t, 3> version{};
  for (size_t i = 0; i < 3; ++i) {
    FS_ASSIGN_OR_RETURN(version[i], JsonIntegerLike((*v)[i], fmt::format("version[{}]", i)));
  }
  if (version[0] != 1 && version[0] != 2) {
    return Unimplemented(fmt::format("XGBoost model version {}.{}.{} is not supported (1.x and 2.x are)",
                                     version[0], version[1], version[2]));
  }
  return version;
}

Result<float> ParseFloat(std::string_view text, std::string_view path) {
  float value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(value)) {
    return InvalidArgument(fmt::format("{}: '{}' is not a finite number", path, text));
  }
  return value;
}

// "5E-1" (1.x), "[5E-1]" (later writers store it as a vector), or a plain number.
Result<float> ParseBaseScore(const JsonDoc& v, std::string_view path) {
  if (v.is_number()) return v.get<float>();
  FS_ASSIGN_OR_RETURN(std::string text, JsonString(v, path));
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
    if (text.find(',') != std::string::npos) {
      return Unimplemented(fmt::format("{}: one base_score per output ({}) is not supported", path, v.get<std::string>()));
    }
  }
  return ParseFloat(text, path);
}

Result<LearnerParams> ReadLearnerParams(const JsonDoc& learner) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* params, JsonMember(learner, "learner_model_param", kLearner));
  LearnerParams out;
  FS_ASSIGN_OR_RETURN(int64_t num_feature, IntegerMember(*params, "num_feature", kParams));
  if (num_feature < 1 || num_feature > kMaxFeatures) {
    return InvalidArgument(fmt::format("{}.num_feature: {} is not in [1, {}]", kParams, num_feature, kMaxFeatures));
  }
  out.num_feature = static_cast<int32_t>(num_feature);
  FS_ASSIGN_OR_RETURN(const JsonDoc* num_class, JsonOptionalMember(*params, "num_class", kParams));
  if (num_class != nullptr) {
    FS_ASSIGN_OR_RETURN(int64_t n, JsonIntegerLike(*num_class, fmt::format("{}.num_class", kParams)));
    if (n < 0 || n > (1 << 16)) return InvalidArgument(fmt::format("{}.num_class: {} is out of range", kParams, n));
    out.num_class = static_cast<int32_t>(n);
  }
  FS_ASSIGN_OR_RETURN(const JsonDoc* num_target, JsonOptionalMember(*params, "num_target", kParams));
  if (num_target != nullptr) {
    FS_ASSIGN_OR_RETURN(int64_t n, JsonIntegerLike(*num_target, fmt::format("{}.num_target", kParams)));
    if (n > 1) return Unimplemented(fmt::format("{}.num_target: {} targets (multi-target) are not supported", kParams, n));
  }
  FS_ASSIGN_OR_RETURN(const JsonDoc* base_score, JsonMember(*params, "base_score", kParams));
  FS_ASSIGN_OR_RETURN(out.base_score, ParseBaseScore(*base_score, fmt::format("{}.base_score", kParams)));
  return out;
}

Result<const ObjectiveInfo*> ReadObjective(const JsonDoc& learner) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* objective, JsonMember(learner, "objective", kLearner));
  FS_ASSIGN_OR_RETURN(const JsonDoc* name_json, JsonMember(*objective, "name", "learner.objective"));
  FS_ASSIGN_OR_RETURN(std::string name, JsonString(*name_json, "learner.objective.name"));
  const ObjectiveInfo* info = FindObjective(name);
  if (info == nullptr) {
    return Unimplemented(fmt::format("objective '{}' is not supported; supported: {}", name, SupportedObjectiveNames()));
  }
  return info;
}

Result<int32_t> NumOutputs(const ObjectiveInfo& objective, int32_t num_class) {
  if (objective.answer == AnswerKind::kClassProbabilities) {
    if (num_class < 1) {
      return InvalidArgument(fmt::format("{}.num_class: {} needs num_class >= 1, got {}", kParams, objective.name, num_class));
    }
    return num_class;
  }
  if (num_class > 1) {
    return InvalidArgument(fmt::format("{}.num_class: {} but objective '{}' has one output", kParams, num_class,
                                       objective.name));
  }
  return 1;
}

Result<std::vector<std::string>> ReadFeatureNames(const JsonDoc& learner, int32_t num_feature) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* names, JsonOptionalMember(learner, "feature_names", kLearner));
  std::vector<std::string> out;
  if (names == nullptr) return out;
  if (!names->is_array()) return InvalidArgument("learner.feature_names: must be an array of strings");
  if (names->empty()) return out;
  if (names->size() != static_cast<size_t>(num_feature)) {
    return InvalidArgument(fmt::format("learner.feature_names: {} names for num_feature {}", names->size(), num_feature));
  }
  for (size_t i = 0; i < names->size(); ++i) {
    FS_ASSIGN_OR_RETURN(std::string name, JsonString((*names)[i], fmt::format("learner.feature_names[{}]", i)));
    out.push_back(std::move(name));
  }
  return out;
}

Result<const JsonDoc*> ReadGbtreeModel(const JsonDoc& learner) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* booster, JsonMember(learner, "gradient_booster", kLearner));
  FS_ASSIGN_OR_RETURN(const JsonDoc* name_json, JsonMember(*booster, "name", "learner.gradient_booster"));
  FS_ASSIGN_OR_RETURN(std::string name, JsonString(*name_json, "learner.gradient_booster.name"));
  if (name != "gbtree") {
    return Unimplemented(fmt::format("gradient booster '{}' is not supported (gbtree only)", name));
  }
  return JsonMember(*booster, "model", "learner.gradient_booster");
}

// ---- one tree --------------------------------------------------------------------------------

struct TreeArrays {
  std::vector<int64_t> left, right, split_index, split_type;
  std::vector<float> split_condition, sum_hessian;
  std::vector<bool> default_left;
};

Result<const JsonDoc*> TreeMember(const JsonDoc& tree, std::string_view key, const std::string& where) {
  return JsonMember(tree, key, where);
}

Result<TreeArrays> ReadTreeArrays(const JsonDoc& tree, const std::string& where, size_t n) {
  TreeArrays a;
  auto field = [&](std::string_view key) -> Result<ArrayField> {
    FS_ASSIGN_OR_RETURN(const JsonDoc* v, TreeMember(tree, key, where));
    return ArrayField{v, where, key};
  };
  FS_ASSIGN_OR_RETURN(ArrayField left, field("left_children"));
  FS_ASSIGN_OR_RETURN(a.left, JsonIntArray(left, n));
  FS_ASSIGN_OR_RETURN(ArrayField right, field("right_children"));
  FS_ASSIGN_OR_RETURN(a.right, JsonIntArray(right, n));
  FS_ASSIGN_OR_RETURN(ArrayField index, field("split_indices"));
  FS_ASSIGN_OR_RETURN(a.split_index, JsonIntArray(index, n));
  FS_ASSIGN_OR_RETURN(ArrayField condition, field("split_conditions"));
  FS_ASSIGN_OR_RETURN(a.split_condition, JsonFloatArray(condition, n));
  FS_ASSIGN_OR_RETURN(ArrayField hessian, field("sum_hessian"));
  FS_ASSIGN_OR_RETURN(a.sum_hessian, JsonFloatArray(hessian, n));
  FS_ASSIGN_OR_RETURN(ArrayField default_left, field("default_left"));
  FS_ASSIGN_OR_RETURN(a.default_left, JsonBoolArray(default_left, n));
  FS_ASSIGN_OR_RETURN(const JsonDoc* split_type, JsonOptionalMember(tree, "split_type", where));
  if (split_type != nullptr) {
    FS_ASSIGN_OR_RETURN(a.split_type, JsonIntArray(ArrayField{split_type, where, "split_type"}, n));
  } else {
    a.split_type.assign(n, 0);
  }
  return a;
}

Result<size_t> ReadNumNodes(const JsonDoc& tree, const std::string& where) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* param, TreeMember(tree, "tree_param", where));
  const std::string param_path = where + ": tree_param";
  FS_ASSIGN_OR_RETURN(int64_t n, IntegerMember(*param, "num_nodes", param_path));
  if (n < 1 || n > std::numeric_limits<int32_t>::max()) {
    return InvalidArgument(fmt::format("{}: num_nodes {} is out of range", where, n));
  }
  FS_ASSIGN_OR_RETURN(const JsonDoc* leaf_vector, JsonOptionalMember(*param, "size_leaf_vector", param_path));
  if (leaf_vector != nullptr) {
    FS_ASSIGN_OR_RETURN(int64_t size, JsonIntegerLike(*leaf_vector, param_path + ".size_leaf_vector"));
    if (size > 1) {
      return Unimplemented(fmt::format("{}: vector leaves (size_leaf_vector {}, multi_output_tree) are not supported",
                                       where, size));
    }
  }
  return static_cast<size_t>(n);
}

Result<TreeNode> MakeNode(const TreeArrays& a, size_t j, size_t n, int32_t num_feature, const std::string& where) {
  TreeNode node;
  node.cover = a.sum_hessian[j];
  if (a.left[j] == -1 && a.right[j] == -1) {
    node.leaf_value = a.split_condition[j];  // XGBoost keeps a leaf's value in split_conditions
    return node;
  }
  for (auto [side, child] : {std::pair{"left", a.left[j]}, std::pair{"right", a.right[j]}}) {
    if (child < 0 || child >= static_cast<int64_t>(n)) {
      return InvalidArgument(fmt::format("{}, node {}: {} child {} is out of range [0, {})", where, j, side, child, n));
    }
  }
  if (a.split_type[j] != 0) {
    return Unimplemented(fmt::format("{}, node {}: categorical split on feature {} is not supported", where, j,
                                     a.split_index[j]));
  }
  if (a.split_index[j] < 0 || a.split_index[j] >= num_feature) {
    return InvalidArgument(fmt::format("{}, node {}: split feature {} is out of range [0, {}) (num_feature)", where, j,
                                       a.split_index[j], num_feature));
  }
  node.feature = static_cast<int32_t>(a.split_index[j]);
  node.left = static_cast<int32_t>(a.left[j]);
  node.right = static_cast<int32_t>(a.right[j]);
  node.mode = CompareMode::kLt;
  node.missing_goes_left = a.default_left[j];
  node.threshold = a.split_condition[j];
  return node;
}

Result<Tree> ReadTree(const JsonDoc& json, size_t t, int32_t num_feature, int32_t output) {
  const std::string where = fmt::format("tree {}", t);
  FS_ASSIGN_OR_RETURN(size_t n, ReadNumNodes(json, where));
  FS_ASSIGN_OR_RETURN(TreeArrays arrays, ReadTreeArrays(json, where, n));
  Tree tree;
  tree.output = output;
  tree.nodes.reserve(n);
  for (size_t j = 0; j < n; ++j) {
    FS_ASSIGN_OR_RETURN(TreeNode node, MakeNode(arrays, j, n, num_feature, where));
    tree.nodes.push_back(node);
  }
  return tree;
}

Result<std::vector<int64_t>> ReadTreeInfo(const JsonDoc& model, size_t num_trees, int32_t num_outputs) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* info_json, JsonMember(model, "tree_info", kModel));
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> info, JsonIntArray(ArrayField{info_json, kModel, "tree_info"}, num_trees));
  for (size_t t = 0; t < info.size(); ++t) {
    if (info[t] < 0 || info[t] >= num_outputs) {
      return InvalidArgument(fmt::format("tree {}: tree_info {} is out of range [0, {}) (outputs)", t, info[t], num_outputs));
    }
  }
  return info;
}

Result<std::vector<Tree>> ReadTrees(const JsonDoc& model, int32_t num_feature, int32_t num_outputs) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* trees_json, JsonMember(model, "trees", kModel));
  if (!trees_json->is_array()) return InvalidArgument(fmt::format("{}.trees: must be an array", kModel));
  FS_ASSIGN_OR_RETURN(const JsonDoc* param, JsonMember(model, "gbtree_model_param", kModel));
  FS_ASSIGN_OR_RETURN(int64_t num_trees, IntegerMember(*param, "num_trees", fmt::format("{}.gbtree_model_param", kModel)));
  if (num_trees != static_cast<int64_t>(trees_json->size())) {
    return InvalidArgument(fmt::format("{}: gbtree_model_param.num_trees is {} but there are {} trees", kModel,
                                       num_trees, trees_json->size()));
  }
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> info, ReadTreeInfo(model, trees_json->size(), num_outputs));
  std::vector<Tree> trees;
  trees.reserve(trees_json->size());
  for (size_t t = 0; t < trees_json->size(); ++t) {
    FS_ASSIGN_OR_RETURN(Tree tree, ReadTree((*trees_json)[t], t, num_feature, static_cast<int32_t>(info[t])));
    trees.push_back(std::move(tree));
  }
  return trees;
}

Result<XgboostModel> Import(const JsonDoc& root) {
  XgboostModel out;
  FS_ASSIGN_OR_RETURN(out.version, ReadVersion(root));
  FS_ASSIGN_OR_RETURN(const JsonDoc* learner, JsonMember(root, "learner", "model"));
  FS_ASSIGN_OR_RETURN(LearnerParams params, ReadLearnerParams(*learner));
  FS_ASSIGN_OR_RETURN(out.objective, ReadObjective(*learner));
  FS_ASSIGN_OR_RETURN(int32_t num_outputs, NumOutputs(*out.objective, params.num_class));
  FS_ASSIGN_OR_RETURN(out.feature_names, ReadFeatureNames(*learner, params.num_feature));
  FS_ASSIGN_OR_RETURN(const JsonDoc* model, ReadGbtreeModel(*learner));
  FS_ASSIGN_OR_RETURN(float base_margin, BaseScoreToMargin(*out.objective, params.base_score));
  TreeEnsemble::Spec spec;
  spec.num_features = params.num_feature;
  spec.num_outputs = num_outputs;
  spec.base_margin.assign(num_outputs, base_margin);
  spec.post_transform = out.objective->transform;
  FS_ASSIGN_OR_RETURN(spec.trees, ReadTrees(*model, params.num_feature, num_outputs));
  FS_ASSIGN_OR_RETURN(out.ensemble, TreeEnsemble::Create(std::move(spec)));
  out.num_class = out.objective->answer == AnswerKind::kClassProbabilities ? num_outputs : 0;
  out.base_score = params.base_score;
  return out;
}

}  // namespace

Result<XgboostModel> ImportXgboostJson(std::string_view json_text) {
  FS_ASSIGN_OR_RETURN(JsonDoc root, ParseJsonDocument(json_text));
  if (!root.is_object()) return InvalidArgument(fmt::format("model: must be a JSON object, got {}", JsonTypeName(root)));
  return Import(root);
}

}  // namespace finserve::runtime::tree
