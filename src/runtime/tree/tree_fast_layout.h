// FastForest: the flat, compiled form of a TreeEnsemble that the fast kernels walk. Internal to
// the tree engine (tree_eval_fast.* and its kernels); nothing else should include it.
//
// Splits are rewritten exactly (tree_split_rewrite.h): the per-tree arrays use the column form
// (one comparison, no NaN test), the single-row blocks the explicit form. == and != have no exact
// "v < t" form; such ensembles are not compiled.
//
// Two per-tree layouts, both in the shared node arrays:
//  - perfect: trees of depth <= kMaxPerfectDepth padded to a perfect binary tree, level order,
//    node i's children at 2i+1 and 2i+2, so no child pointers are stored. A leaf above the bottom
//    level becomes a subtree whose leaves all carry its value: any path through the padding gives
//    the same bits. Within level L the nodes sit at [2^L - 1, 2^(L+1) - 1), so a kernel tracking
//    the position j within the level finds the node at base + 2^L - 1 + j and its child at 2j+r.
//  - sparse: deeper trees and vector-leaf trees keep their own shape, renumbered breadth first so
//    that the children of a node are adjacent (right = left + 1); `children[i]` is the left child,
//    or -(leaf slot + 1) for a leaf.
// Consecutive perfect trees form chunks of up to kChunkTrees, all padded to the chunk's deepest
// tree, so kernels can walk several trees in lockstep: a gather's latency is hidden behind the
// other trees' work instead of stalling one dependent chain. For one row at a time, each chunk's
// trees are also stored as TreeBlocks of 16, interleaved lane by lane (one tree per SIMD lane; the
// last block's unused lanes are padding). Immutable after Build; thread-safe to read.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "runtime/tree/tree_ensemble.h"
#include "runtime/tree/tree_split_rewrite.h"

namespace finserve::runtime::tree::internal {

constexpr int32_t kMaxPerfectDepth = 8;
constexpr int32_t kBlockTrees = 16;
constexpr int32_t kChunkTrees = 64;
// Zeroed entries after the node and leaf arrays, so SIMD kernels may load 64 entries starting at
// any level of any tree.
constexpr size_t kArrayPadding = 64;

enum class TreeLayout : uint8_t { kPerfect, kSparse };

struct FlatTree {
  TreeLayout layout = TreeLayout::kPerfect;
  int32_t depth = 0;     // perfect: the padded depth
  int32_t output = 0;    // scalar leaves: the output they add to; Tree::kVectorLeaf otherwise
  uint32_t nodes = 0;    // first node in FastForest::codes (columns) / thresholds / children
  uint32_t leaves = 0;   // first leaf value in FastForest::leaf_values
};

// Trees [first_tree, first_tree + num_trees): one sparse tree, or perfect trees of one depth that
// also form blocks [first_block, first_block + num_blocks), 16 trees each (the last one padded).
struct TreeChunk {
  TreeLayout layout = TreeLayout::kPerfect;
  int32_t depth = 0;
  uint32_t first_tree = 0;
  uint32_t num_trees = 0;
  uint32_t first_block = 0;
  uint32_t num_blocks = 0;
};

// 16 trees, one per lane, splits in the explicit form. The top kBlockTopNodes nodes (levels 0-2,
// read with plain loads): node n of lane l at (top + n * 16 + l) in block_codes and
// block_thresholds. Deeper nodes (gathered) keep code and threshold side by side, so one cache
// line serves both gathers: node n of lane l at block_pairs[deep + 2 * ((n - 7) * 16 + l)] and the
// next entry (threshold bits). Leaf j of lane l at block_leaves[leaves + j * 16 + l].
constexpr size_t kBlockTopNodes = 7;
struct TreeBlock {
  uint32_t top = 0;
  uint32_t deep = 0;
  uint32_t leaves = 0;
};

struct FastForest {
  int32_t num_features = 0;
  int32_t num_columns = 0;  // 2 or 3 times num_features (NaN indicators only when a split needs them)
  int32_t num_outputs = 1;
  std::vector<float> base_margin;
  std::vector<FlatTree> trees;
  std::vector<TreeChunk> chunks;  // in tree order, covering every tree once
  std::vector<uint32_t> codes;
  std::vector<float> thresholds;
  std::vector<int32_t> children;  // sparse trees only (zero for perfect-tree entries)
  std::vector<float> leaf_values;  // vector leaves: num_outputs values per leaf slot
  std::vector<TreeBlock> blocks;
  std::vector<uint32_t> block_codes;
  std::vector<float> block_thresholds;
  std::vector<uint32_t> block_pairs;
  std::vector<float> block_leaves;
};

// Unimplemented if a reachable split uses == or != (no exact "v < t" form).
Result<FastForest> BuildFastForest(const TreeEnsemble& ensemble);

}  // namespace finserve::runtime::tree::internal
