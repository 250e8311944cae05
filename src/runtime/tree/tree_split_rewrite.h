// Exact rewrites of a TreeNode's split into the single comparison the fast kernels make. Internal
// to the tree engine. Both forms route every float input exactly like TreeNode::Next.
//
// Explicit form (CanonicalizeSplit): "go left iff v < threshold" on a float threshold, NaN going
// left iff the top bit of `code` (feature | kMissingLeftBit) is set. <=, >, >= and double
// thresholds convert exactly for float inputs: v < t <=> v < ceil_float(t), v <= t <=>
// v < next_up(floor_float(t)), and > / >= are the complements with the children swapped.
//
// Column form (ToColumnSplit): no NaN test at all. The kernels read "columns" built from the row,
//   column f          = x_f, NaN -> +inf        (for nodes sending NaN right: +inf < t never holds)
//   column nf + f     = -x_f, NaN -> +inf       (nodes sending NaN left: x >= t <=> -x < next_up(-t),
//                                                with the children swapped)
//   column 2 nf + f   = 1 if x_f is NaN, else 0 (the odd node only NaN can send left: t = -inf)
// and every split is "go left iff column < threshold".
#pragma once

#include <cstdint>

#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree::internal {

constexpr uint32_t kMissingLeftBit = 0x80000000u;
constexpr uint32_t kFeatureMask = 0x7fffffffu;

struct CanonicalSplit {
  uint32_t code = 0;  // explicit form: feature | kMissingLeftBit; column form: the column
  float threshold = 0;
  bool swap_children = false;  // the "v < threshold" child is the node's original right child
};

// For internal nodes with mode <, <=, > or >=.
CanonicalSplit CanonicalizeSplit(const TreeNode& node);
CanonicalSplit ToColumnSplit(const TreeNode& node, int32_t num_features);

}  // namespace finserve::runtime::tree::internal
