#include <algorithm>

#include "runtime/tree/tree_kernels.h"

namespace finserve::runtime::tree::internal {

void PredictRowsScalar(const FastForest& forest, const float* rows, int64_t num_rows, float* margins) {
  const int64_t nf = forest.num_features;
  const int64_t no = forest.num_outputs;
  for (int64_t r = 0; r < num_rows; ++r) {
    const float* row = rows + r * nf;
    float* out = margins + r * no;
    std::copy(forest.base_margin.begin(), forest.base_margin.end(), out);
    for (const FlatTree& tree : forest.trees) AccumulateTree(forest, tree, row, out);
  }
}

}  // namespace finserve::runtime::tree::internal
