// The portable kernel (any x86-64): scalar code, branch-free splits on precomputed row columns,
// 4 trees of a chunk walked in lockstep so their dependent loads overlap, and tiles of 16 rows so
// a tree's nodes are read from memory once per tile. Same summation order as every kernel.
#include <algorithm>
#include <vector>

#include "runtime/tree/tree_kernels.h"

namespace finserve::runtime::tree::internal {
namespace {

constexpr int64_t kTileRows = 16;
constexpr uint32_t kLockstep = 4;

// Leaves of trees[0, 4), perfect trees of one depth, for one row's columns.
void PerfectLeaves4(const FastForest& forest, const FlatTree* trees, int32_t depth, const float* columns,
                    float* leaves) {
  const uint32_t* codes[kLockstep];
  const float* thresholds[kLockstep];
  uint32_t i[kLockstep];
  for (uint32_t k = 0; k < kLockstep; ++k) {
    codes[k] = forest.codes.data() + trees[k].nodes;
    thresholds[k] = forest.thresholds.data() + trees[k].nodes;
    i[k] = 0;
  }
  for (int32_t level = 0; level < depth; ++level) {
    for (uint32_t k = 0; k < kLockstep; ++k) {
      i[k] = 2 * i[k] + 1 + static_cast<uint32_t>(!(columns[codes[k][i[k]]] < thresholds[k][i[k]]));
    }
  }
  const uint32_t first_leaf = (1u << depth) - 1;
  for (uint32_t k = 0; k < kLockstep; ++k) leaves[k] = forest.leaf_values[trees[k].leaves + i[k] - first_leaf];
}

void AccumulatePerfectChunk(const FastForest& forest, const TreeChunk& chunk, const float* columns, float* margins) {
  const FlatTree* trees = forest.trees.data() + chunk.first_tree;
  uint32_t t = 0;
  for (; t + kLockstep <= chunk.num_trees; t += kLockstep) {
    float leaves[kLockstep];
    PerfectLeaves4(forest, trees + t, chunk.depth, columns, leaves);
    for (uint32_t k = 0; k < kLockstep; ++k) margins[trees[t + k].output] += leaves[k];
  }
  for (; t < chunk.num_trees; ++t) AccumulateTree(forest, trees[t], columns, margins);
}

}  // namespace

void PredictRowsScalar(const FastForest& forest, const float* rows, int64_t num_rows, float* margins) {
  const int64_t nf = forest.num_features;
  const int64_t no = forest.num_outputs;
  const auto nc = static_cast<size_t>(forest.num_columns);
  std::vector<float> columns(static_cast<size_t>(std::min(kTileRows, num_rows)) * nc);
  for (int64_t first = 0; first < num_rows; first += kTileRows) {
    const int64_t tile = std::min(kTileRows, num_rows - first);
    for (int64_t r = 0; r < tile; ++r) {
      const RowColumns row(forest, rows + (first + r) * nf);
      std::copy(row.data(), row.data() + nc, columns.begin() + static_cast<ptrdiff_t>(r * nc));
      std::copy(forest.base_margin.begin(), forest.base_margin.end(), margins + (first + r) * no);
    }
    for (const TreeChunk& chunk : forest.chunks) {
      for (int64_t r = 0; r < tile; ++r) {
        const float* row_columns = &columns[r * nc];
        float* out = margins + (first + r) * no;
        if (chunk.layout == TreeLayout::kPerfect) {
          AccumulatePerfectChunk(forest, chunk, row_columns, out);
        } else {
          AccumulateTree(forest, forest.trees[chunk.first_tree], row_columns, out);
        }
      }
    }
  }
}

}  // namespace finserve::runtime::tree::internal
