// The ONNX-ML importer of the tree engine: the attribute arrays of a TreeEnsembleClassifier or
// TreeEnsembleRegressor node -> a validated TreeEnsemble.
//
// ONNX-ML stores a forest as parallel arrays: one entry per node (tree id, node id, feature,
// mode, threshold, true/false child ids, whether a missing value takes the true branch) and one
// entry per leaf vote (tree id, node id, class or target id, weight). The importer maps them onto
// the engine's semantics:
//   BRANCH_LEQ/LT/GTE/GT/EQ/NEQ -> CompareMode kLe/kLt/kGe/kGt/kEq/kNeq; the "true" child is the
//       engine's left child
//   a NaN feature value goes to the true child when nodes_missing_value_tracks_true is set, and
//       otherwise wherever the comparison with NaN sends it: the false child for every mode but
//       BRANCH_NEQ (NaN != t holds), exactly as ONNX Runtime evaluates it
//   thresholds stay double (the *_as_tensor attributes of ai.onnx.ml opset 3 lose nothing)
//   the root of each tree is its one node that no branch points to; trees keep the order in
//       which their ids first appear
//   votes: a tree whose leaves all vote for the same single output becomes a scalar-leaf tree for
//       that output, any other a vector-leaf tree; several votes of one leaf for one output are
//       summed (kSum) or reduced with min/max (kMin/kMax); an output a leaf does not vote for is
//       0 there for kSum and NaN ("no vote", see tree_aggregate.h) for kMin/kMax
// The ensemble has a zero base margin and the identity post transform: ONNX's base_values,
// aggregate_function and post_transform are applied by the caller, in ONNX's order.
// Errors name the attribute, the index and the tree/node ("nodes_truenodeids[12]: tree 3, node 5:
// child 99 does not exist in tree 3"). Pure function; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree {

enum class VoteCombination : uint8_t { kSum, kMin, kMax };

struct OnnxMlTreeAttributes {
  // One entry per node (nodes_*); missing_tracks_true may be empty (all false).
  std::vector<int64_t> tree_ids, node_ids, feature_ids, true_ids, false_ids, missing_tracks_true;
  std::vector<std::string> modes;
  std::vector<double> thresholds;
  // One entry per leaf vote (class_* or target_*).
  std::vector<int64_t> vote_tree_ids, vote_node_ids, vote_output_ids;
  std::vector<double> vote_weights;
  std::string vote_prefix = "target";  // "class" or "target", for messages
  int32_t num_outputs = 1;             // classes or n_targets
  int32_t num_features = 0;            // 0: one more than the largest feature id
  VoteCombination combine = VoteCombination::kSum;
};

struct OnnxMlTrees {
  TreeEnsemble ensemble;
  std::vector<bool> voted_outputs;     // outputs at least one leaf votes for
  bool has_equality_splits = false;    // BRANCH_EQ / BRANCH_NEQ (the fast evaluator has neither)
};

Result<OnnxMlTrees> ImportOnnxMlTrees(const OnnxMlTreeAttributes& attributes);

}  // namespace finserve::runtime::tree
