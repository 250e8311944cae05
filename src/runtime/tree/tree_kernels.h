// Kernels of the fast tree evaluator over a FastForest. Internal to the tree engine.
//
// Every kernel produces, for each row, base_margin + leaf(tree 0) + leaf(tree 1) + ... in float
// and in tree order, so all kernels (and the reference evaluator) agree bit for bit; they differ
// only in how they find the leaves. Stateless; thread-safe.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "runtime/tree/tree_fast_layout.h"

namespace finserve::runtime::tree::internal {

// Any x86-64 CPU: one row at a time, one tree at a time.
void PredictRowsScalar(const FastForest& forest, const float* rows, int64_t num_rows, float* margins);

// True if this CPU (and OS) runs the AVX-512 kernels: F, BW, DQ and VL.
bool CpuHasAvx512();
// Lanes over trees for single rows, lanes over rows (16 at a time) for batches.
void PredictRowsAvx512(const FastForest& forest, const float* rows, int64_t num_rows, float* margins);

// The value a column-form split compares (see tree_split_rewrite.h). Tests use it one split at a
// time; the kernels fill all of a row's columns once (RowColumns) and index them.
inline float ColumnValue(const float* row, uint32_t column, uint32_t num_features) {
  constexpr float kInf = std::numeric_limits<float>::infinity();
  if (column < num_features) {
    const float v = row[column];
    return std::isnan(v) ? kInf : v;
  }
  if (column < 2 * num_features) {
    const float v = row[column - num_features];
    return std::isnan(v) ? kInf : -v;
  }
  return std::isnan(row[column - 2 * num_features]) ? 1.0f : 0.0f;
}

// Column form: true if the row goes to the right child.
inline bool GoesRight(uint32_t column, float threshold, const float* row, uint32_t num_features) {
  return !(ColumnValue(row, column, num_features) < threshold);
}

// Explicit form (feature | kMissingLeftBit): true if the row goes to the right child.
inline bool GoesRightExplicit(uint32_t code, float threshold, const float* row) {
  const float v = row[code & kFeatureMask];
  if (std::isnan(v)) return (code & kMissingLeftBit) == 0;
  return !(v < threshold);
}

// All column-form values of one row, so a split is one indexed load and one comparison, without
// branches. Rows of up to 64 features stay on the stack.
class RowColumns {
 public:
  RowColumns(const FastForest& forest, const float* row) {
    const auto n = static_cast<size_t>(forest.num_columns);
    if (n > kInline) heap_.resize(n);
    data_ = n > kInline ? heap_.data() : inline_;
    const auto nf = static_cast<uint32_t>(forest.num_features);
    for (uint32_t c = 0; c < n; ++c) data_[c] = ColumnValue(row, c, nf);
  }
  RowColumns(const RowColumns&) = delete;
  RowColumns& operator=(const RowColumns&) = delete;
  const float* data() const { return data_; }

 private:
  static constexpr size_t kInline = 3 * 64;
  float inline_[kInline];
  std::vector<float> heap_;
  float* data_;
};

inline float PerfectTreeLeaf(const FastForest& forest, const FlatTree& tree, const float* columns) {
  const uint32_t* codes = forest.codes.data() + tree.nodes;
  const float* thresholds = forest.thresholds.data() + tree.nodes;
  uint32_t i = 0;
  for (int32_t level = 0; level < tree.depth; ++level) {
    i = 2 * i + 1 + static_cast<uint32_t>(!(columns[codes[i]] < thresholds[i]));
  }
  return forest.leaf_values[tree.leaves + i - ((1u << tree.depth) - 1)];
}

// The leaf slot a row reaches in a sparse tree.
inline uint32_t SparseTreeSlot(const FastForest& forest, const FlatTree& tree, const float* columns) {
  const uint32_t* codes = forest.codes.data() + tree.nodes;
  const float* thresholds = forest.thresholds.data() + tree.nodes;
  const int32_t* children = forest.children.data() + tree.nodes;
  uint32_t i = 0;
  while (children[i] >= 0) {
    i = static_cast<uint32_t>(children[i]) + static_cast<uint32_t>(!(columns[codes[i]] < thresholds[i]));
  }
  return static_cast<uint32_t>(-(children[i] + 1));
}

// margins[...] += the contribution of one tree for one row (given as its RowColumns).
inline void AccumulateTree(const FastForest& forest, const FlatTree& tree, const float* columns, float* margins) {
  if (tree.layout == TreeLayout::kPerfect) {
    margins[tree.output] += PerfectTreeLeaf(forest, tree, columns);
    return;
  }
  const uint32_t slot = SparseTreeSlot(forest, tree, columns);
  if (tree.output != Tree::kVectorLeaf) {
    margins[tree.output] += forest.leaf_values[tree.leaves + slot];
    return;
  }
  const float* values = forest.leaf_values.data() + tree.leaves + size_t{slot} * forest.num_outputs;
  for (int32_t k = 0; k < forest.num_outputs; ++k) margins[k] += values[k];
}

}  // namespace finserve::runtime::tree::internal
