// TreeEnsemble: the generic, validated forest of decision trees that every tree importer
// produces (XGBoost JSON here, ONNX-ML TreeEnsemble* later) and every tree consumer reads
// (the reference and fast evaluators, TreeSHAP).
//
// Semantics of one internal node: with v = row[feature],
//   v is NaN            -> go to `missing_goes_left ? left : right`
//   Compare(v, mode, t) -> go to `left` (the "yes" branch), otherwise to `right`.
// Comparisons are done in double against `threshold`, so float thresholds (XGBoost) are exact
// and double thresholds (ONNX-ML's *_as_tensor attributes) lose nothing either.
// A leaf adds `leaf_value` to output `Tree::output` (scalar leaves) or, for a vector-leaf tree,
// adds leaf_vector(node)[k] to every output k. A row's margin for output k is
//   base_margin[k] + leaf(tree 0) + leaf(tree 1) + ...   summed in float, in tree order
// (XGBoost's order), then post_transform maps margins to the model's answer.
//
// Ownership and lifetime: a value type; Create() validates once, afterwards the ensemble is
// immutable and every evaluator may rely on its invariants (children in range, no cycles or
// shared subtrees among reachable nodes, features < num_features, outputs < num_outputs).
// Nodes not reachable from the root (XGBoost's deleted nodes) are kept, so node ids stay those
// of the source file, and are ignored. Thread-safety: const access from any thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace finserve::runtime::tree {

// As ONNX-ML's BRANCH_LT, BRANCH_LEQ, BRANCH_GT, BRANCH_GTE, BRANCH_EQ, BRANCH_NEQ; XGBoost = kLt.
enum class CompareMode : uint8_t { kLt, kLe, kGt, kGe, kEq, kNeq };

// How margins become the model's answer. kLogistic and kSoftmax follow XGBoost's float formulas.
enum class PostTransform : uint8_t { kIdentity, kLogistic, kSoftmax, kExp };

std::string_view CompareModeName(CompareMode mode);  // "<", "<=", ...
std::string_view PostTransformName(PostTransform transform);

inline bool Compare(double v, CompareMode mode, double threshold) {
  switch (mode) {
    case CompareMode::kLt: return v < threshold;
    case CompareMode::kLe: return v <= threshold;
    case CompareMode::kGt: return v > threshold;
    case CompareMode::kGe: return v >= threshold;
    case CompareMode::kEq: return v == threshold;
    case CompareMode::kNeq: return v != threshold;
  }
  return false;
}

struct TreeNode {
  int32_t feature = -1;  // split feature; -1 marks a leaf
  int32_t left = -1;     // child when the comparison holds ("yes"); tree-local node index
  int32_t right = -1;    // child when it does not ("no")
  CompareMode mode = CompareMode::kLt;
  bool missing_goes_left = true;  // where a NaN feature value goes
  double threshold = 0;
  float leaf_value = 0;  // leaves of scalar-leaf trees
  float cover = 0;       // training weight reaching the node (XGBoost sum_hessian); for TreeSHAP

  bool is_leaf() const { return feature < 0; }
  // The child a feature value `v` leads to (internal nodes only).
  int32_t Next(float v) const {
    if (std::isnan(v)) return missing_goes_left ? left : right;
    return Compare(static_cast<double>(v), mode, threshold) ? left : right;
  }
  // The same for a double feature value (ONNX models whose input is DOUBLE or integer).
  int32_t Next(double v) const {
    if (std::isnan(v)) return missing_goes_left ? left : right;
    return Compare(v, mode, threshold) ? left : right;
  }
};

struct Tree {
  static constexpr int32_t kVectorLeaf = -1;

  std::vector<TreeNode> nodes;  // nodes[0] is the root
  // The output the scalar leaves add to (XGBoost: tree_info, the class of a multiclass tree),
  // or kVectorLeaf: every leaf adds a whole vector, stored in leaf_vectors.
  int32_t output = 0;
  std::vector<float> leaf_vectors;  // kVectorLeaf only: num_outputs floats per node, node-major

  bool has_vector_leaves() const { return output == kVectorLeaf; }
};

class TreeEnsemble {
 public:
  struct Spec {
    int32_t num_features = 0;
    int32_t num_outputs = 1;
    std::vector<Tree> trees;
    std::vector<float> base_margin;  // one per output, already in margin space
    PostTransform post_transform = PostTransform::kIdentity;
  };

  TreeEnsemble() = default;

  // Validates `spec`; errors name the tree and node ("tree 3, node 7: right child 99 is out of
  // range [0, 15)").
  static Result<TreeEnsemble> Create(Spec spec);

  int32_t num_features() const { return spec_.num_features; }
  int32_t num_outputs() const { return spec_.num_outputs; }
  size_t num_trees() const { return spec_.trees.size(); }
  const std::vector<Tree>& trees() const { return spec_.trees; }
  const Tree& tree(size_t i) const { return spec_.trees[i]; }
  std::span<const float> base_margin() const { return spec_.base_margin; }
  PostTransform post_transform() const { return spec_.post_transform; }

  // The vector a leaf of a vector-leaf tree adds (num_outputs floats).
  std::span<const float> leaf_vector(size_t tree, int32_t node) const;
  // Depth of the deepest reachable leaf of tree `i` (0 for a single leaf).
  int32_t TreeDepth(size_t i) const { return depths_[i]; }

 private:
  explicit TreeEnsemble(Spec spec, std::vector<int32_t> depths)
      : spec_(std::move(spec)), depths_(std::move(depths)) {}

  Spec spec_;
  std::vector<int32_t> depths_;
};

}  // namespace finserve::runtime::tree
