#include "runtime/tree/tree_ensemble.h"

#include <cmath>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace finserve::runtime::tree {
namespace {

// Generous bounds that keep a hostile file from asking for absurd allocations downstream.
constexpr int32_t kMaxOutputs = 1 << 16;
// The fast kernels index 3 columns per feature for 16 rows with 32-bit offsets.
constexpr int32_t kMaxFeatures = 1 << 24;

std::string Where(size_t tree, int32_t node) { return fmt::format("tree {}, node {}", tree, node); }

Status CheckChild(const Tree& tree, size_t t, int32_t node, std::string_view side, int32_t child) {
  const auto n = static_cast<int32_t>(tree.nodes.size());
  if (child < 0 || child >= n) {
    return InvalidArgument(
        fmt::format("{}: {} child {} is out of range [0, {})", Where(t, node), side, child, n));
  }
  return Status::Ok();
}

Status CheckSplit(const TreeNode& node, size_t t, int32_t id, int32_t num_features) {
  if (node.feature >= num_features) {
    return InvalidArgument(fmt::format("{}: split feature {} is out of range [0, {})", Where(t, id),
                                       node.feature, num_features));
  }
  if (static_cast<uint8_t>(node.mode) > static_cast<uint8_t>(CompareMode::kNeq)) {
    return InvalidArgument(fmt::format("{}: unknown comparison mode {}", Where(t, id),
                                       static_cast<int>(node.mode)));
  }
  if (std::isnan(node.threshold)) {
    return InvalidArgument(fmt::format("{}: split threshold is NaN", Where(t, id)));
  }
  return Status::Ok();
}

// Walks the nodes reachable from the root. Every reachable node must be reached exactly once:
// that rules out cycles and shared subtrees, so evaluation always terminates at a leaf.
// Returns the depth of the deepest leaf.
Result<int32_t> ValidateTreeShape(const Tree& tree, size_t t, int32_t num_features) {
  const auto n = static_cast<int32_t>(tree.nodes.size());
  if (n == 0) return InvalidArgument(fmt::format("tree {}: has no nodes", t));
  std::vector<int32_t> depth(n, -1);
  std::vector<int32_t> stack = {0};
  depth[0] = 0;
  int32_t max_depth = 0;
  while (!stack.empty()) {
    const int32_t id = stack.back();
    stack.pop_back();
    const TreeNode& node = tree.nodes[id];
    if (node.is_leaf()) {
      max_depth = std::max(max_depth, depth[id]);
      continue;
    }
    FS_RETURN_IF_ERROR(CheckSplit(node, t, id, num_features));
    FS_RETURN_IF_ERROR(CheckChild(tree, t, id, "left", node.left));
    FS_RETURN_IF_ERROR(CheckChild(tree, t, id, "right", node.right));
    for (int32_t child : {node.left, node.right}) {
      if (depth[child] >= 0) {
        return InvalidArgument(fmt::format(
            "{}: child {} is reached twice (the tree has a cycle or a shared subtree)", Where(t, id), child));
      }
      depth[child] = depth[id] + 1;
      stack.push_back(child);
    }
  }
  return max_depth;
}

Status ValidateTreeOutputs(const Tree& tree, size_t t, int32_t num_outputs) {
  if (tree.has_vector_leaves()) {
    const size_t want = tree.nodes.size() * static_cast<size_t>(num_outputs);
    if (tree.leaf_vectors.size() != want) {
      return InvalidArgument(fmt::format("tree {}: vector leaves need {} values ({} nodes x {} outputs), got {}",
                                         t, want, tree.nodes.size(), num_outputs, tree.leaf_vectors.size()));
    }
    return Status::Ok();
  }
  if (tree.output < 0 || tree.output >= num_outputs) {
    return InvalidArgument(
        fmt::format("tree {}: output index {} is out of range [0, {})", t, tree.output, num_outputs));
  }
  if (!tree.leaf_vectors.empty()) {
    return InvalidArgument(fmt::format("tree {}: has scalar leaves (output {}) but also leaf vectors", t, tree.output));
  }
  return Status::Ok();
}

Status ValidateHeader(const TreeEnsemble::Spec& spec) {
  if (spec.num_features < 1 || spec.num_features > kMaxFeatures) {
    return InvalidArgument(fmt::format("num_features must be in [1, {}], got {}", kMaxFeatures, spec.num_features));
  }
  if (spec.num_outputs < 1 || spec.num_outputs > kMaxOutputs) {
    return InvalidArgument(fmt::format("num_outputs must be in [1, {}], got {}", kMaxOutputs, spec.num_outputs));
  }
  if (spec.base_margin.size() != static_cast<size_t>(spec.num_outputs)) {
    return InvalidArgument(fmt::format("base_margin has {} values for {} outputs", spec.base_margin.size(),
                                       spec.num_outputs));
  }
  if (static_cast<uint8_t>(spec.post_transform) > static_cast<uint8_t>(PostTransform::kExp)) {
    return InvalidArgument("unknown post transform");
  }
  return Status::Ok();
}

}  // namespace

std::string_view CompareModeName(CompareMode mode) {
  switch (mode) {
    case CompareMode::kLt: return "<";
    case CompareMode::kLe: return "<=";
    case CompareMode::kGt: return ">";
    case CompareMode::kGe: return ">=";
    case CompareMode::kEq: return "==";
    case CompareMode::kNeq: return "!=";
  }
  return "?";
}

std::string_view PostTransformName(PostTransform transform) {
  switch (transform) {
    case PostTransform::kIdentity: return "identity";
    case PostTransform::kLogistic: return "logistic";
    case PostTransform::kSoftmax: return "softmax";
    case PostTransform::kExp: return "exp";
  }
  return "?";
}

Result<TreeEnsemble> TreeEnsemble::Create(Spec spec) {
  FS_RETURN_IF_ERROR(ValidateHeader(spec));
  std::vector<int32_t> depths;
  depths.reserve(spec.trees.size());
  for (size_t t = 0; t < spec.trees.size(); ++t) {
    const Tree& tree = spec.trees[t];
    FS_ASSIGN_OR_RETURN(int32_t depth, ValidateTreeShape(tree, t, spec.num_features));
    FS_RETURN_IF_ERROR(ValidateTreeOutputs(tree, t, spec.num_outputs));
    depths.push_back(depth);
  }
  return TreeEnsemble(std::move(spec), std::move(depths));
}

std::span<const float> TreeEnsemble::leaf_vector(size_t tree, int32_t node) const {
  const auto k = static_cast<size_t>(spec_.num_outputs);
  return std::span<const float>(spec_.trees[tree].leaf_vectors).subspan(static_cast<size_t>(node) * k, k);
}

}  // namespace finserve::runtime::tree
