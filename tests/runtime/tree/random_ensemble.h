// Random TreeEnsembles and inputs for the fast-vs-reference twin tests: every comparison mode,
// float and double thresholds (including infinities), NaN directions, single-leaf trees, deep
// unbalanced chains, trees too deep for the perfect layout, vector leaves, shuffled node ids and
// unreachable nodes; inputs mix NaN, +-inf, exact thresholds and their float neighbours.
// Deterministic for a given seed.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree::testing {

struct RandomEnsembleOptions {
  int32_t num_features = 8;
  int32_t num_outputs = 1;
  int32_t num_trees = 40;
  bool all_modes = true;         // false: XGBoost-like (< only, float thresholds)
  bool vector_leaves = false;    // some trees add a whole vector
  bool deep_trees = true;        // some chains of depth 20-40 and random trees of depth 9-12
};

class RandomEnsembleFactory {
 public:
  explicit RandomEnsembleFactory(uint32_t seed) : rng_(seed) {}

  TreeEnsemble Make(const RandomEnsembleOptions& options);
  // rows x num_features values drawn from the thresholds of the last Make() and specials.
  std::vector<float> MakeRows(int64_t rows, int32_t num_features);

 private:
  Tree RandomTree(const RandomEnsembleOptions& options, int32_t max_depth);
  Tree ChainTree(const RandomEnsembleOptions& options, int32_t depth);
  TreeNode RandomSplit(const RandomEnsembleOptions& options);
  float RandomLeaf();
  void ShuffleNodes(Tree& tree);
  void FinishLeaves(const RandomEnsembleOptions& options, Tree& tree);

  std::mt19937 rng_;
  std::vector<double> thresholds_;  // pool the inputs draw from
};

}  // namespace finserve::runtime::tree::testing
