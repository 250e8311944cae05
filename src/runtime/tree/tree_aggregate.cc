#include "runtime/tree/tree_aggregate.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "runtime/tree/tree_eval_reference.h"

namespace finserve::runtime::tree {
namespace {

// Folds one leaf value into out[k]; NaN means the leaf does not vote for k.
inline void Fold(LeafAggregation aggregation, float value, float* out, uint8_t* seen) {
  if (std::isnan(value)) return;
  const bool better = aggregation == LeafAggregation::kMin ? value < *out : value > *out;
  if (!*seen || better) *out = value;
  *seen = 1;
}

template <typename Row>
void PredictRowExtremes(const TreeEnsemble& e, LeafAggregation aggregation, const Row* row, float* out,
                        std::vector<uint8_t>& seen) {
  const int32_t no = e.num_outputs();
  std::fill(seen.begin(), seen.end(), 0);
  for (int32_t k = 0; k < no; ++k) out[k] = 0.0f;
  for (size_t t = 0; t < e.num_trees(); ++t) {
    const Tree& tree = e.tree(t);
    const int32_t leaf = ReferenceLeaf(tree, row);
    if (tree.has_vector_leaves()) {
      const auto values = e.leaf_vector(t, leaf);
      for (int32_t k = 0; k < no; ++k) {
        Fold(aggregation, values[k], out + k, &seen[k]);
      }
    } else {
      Fold(aggregation, tree.nodes[leaf].leaf_value, out + tree.output, &seen[tree.output]);
    }
  }
}

template <typename Row>
void PredictAll(const TreeEnsemble& e, LeafAggregation aggregation, const Row* rows, int64_t num_rows, float* out) {
  std::vector<uint8_t> seen(static_cast<size_t>(e.num_outputs()));
  const int64_t nf = e.num_features();
  const int64_t no = e.num_outputs();
  for (int64_t r = 0; r < num_rows; ++r) PredictRowExtremes(e, aggregation, rows + r * nf, out + r * no, seen);
}

}  // namespace

void PredictExtremes(const TreeEnsemble& ensemble, LeafAggregation aggregation, const float* rows,
                     int64_t num_rows, float* out) {
  PredictAll(ensemble, aggregation, rows, num_rows, out);
}

void PredictExtremes(const TreeEnsemble& ensemble, LeafAggregation aggregation, const double* rows,
                     int64_t num_rows, float* out) {
  PredictAll(ensemble, aggregation, rows, num_rows, out);
}

}  // namespace finserve::runtime::tree
