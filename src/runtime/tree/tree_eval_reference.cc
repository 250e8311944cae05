#include "runtime/tree/tree_eval_reference.h"

#include <algorithm>

namespace finserve::runtime::tree {

namespace {

template <typename Row>
int32_t WalkToLeaf(const Tree& tree, const Row* row) {
  int32_t id = 0;
  while (!tree.nodes[id].is_leaf()) {
    const TreeNode& node = tree.nodes[id];
    id = node.Next(row[node.feature]);
  }
  return id;
}

}  // namespace

int32_t ReferenceLeaf(const Tree& tree, const float* row) { return WalkToLeaf(tree, row); }
int32_t ReferenceLeaf(const Tree& tree, const double* row) { return WalkToLeaf(tree, row); }

template <typename Row>
void ReferenceEvaluator::PredictRow(const Row* row, float* margins) const {
  const auto base = ensemble_.base_margin();
  std::copy(base.begin(), base.end(), margins);
  for (size_t t = 0; t < ensemble_.num_trees(); ++t) {
    const Tree& tree = ensemble_.tree(t);
    const int32_t leaf = ReferenceLeaf(tree, row);
    if (tree.has_vector_leaves()) {
      const auto values = ensemble_.leaf_vector(t, leaf);
      for (size_t k = 0; k < values.size(); ++k) margins[k] += values[k];
    } else {
      margins[tree.output] += tree.nodes[leaf].leaf_value;
    }
  }
}

void ReferenceEvaluator::PredictMargins(const float* rows, int64_t num_rows, float* margins) const {
  const int64_t nf = ensemble_.num_features();
  const int64_t no = ensemble_.num_outputs();
  for (int64_t r = 0; r < num_rows; ++r) PredictRow(rows + r * nf, margins + r * no);
}

void ReferenceEvaluator::PredictMargins(const double* rows, int64_t num_rows, float* margins) const {
  const int64_t nf = ensemble_.num_features();
  const int64_t no = ensemble_.num_outputs();
  for (int64_t r = 0; r < num_rows; ++r) PredictRow(rows + r * nf, margins + r * no);
}

}  // namespace finserve::runtime::tree
