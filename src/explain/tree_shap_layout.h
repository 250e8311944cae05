// ShapForest: the precomputed form of a TreeEnsemble that the fast TreeSHAP kernels read.
// Internal to tree_shap.*; nothing else should include it.
//
// Path-dependent TreeSHAP is a sum over leaves. For one leaf with path features P (a feature split
// on twice counts once), zero fractions z_j (product of cover(child) / cover(node) over the path's
// splits on j) and, for the explained row, the set H of "hot" features (those whose every split
// on the path the row follows), the leaf's contributions are
//   cold j (j not in H):  -E * F(H)
//   hot  i (i in H):       E * (1 - z_i) * F(H \ {i})
// with E = v * prod_{j not in H} z_j and F(M) = sum_s c_d(s) [t^s] prod_{j in M} (z_j + t),
// c_d(s) = s! (d-1-s)! / d!, d = |P|. That is the Shapley value of the product game
// v * prod_j (j in S ? [row follows j] : z_j), which is what the recursive algorithm computes,
// without its divisions, in O(d^2) per leaf. Features with z = 1 and always followed are null
// players: padding paths with them changes nothing, which lets 16 leaves share one vector.
//
// Layout: leaves of all trees, grouped by output, in tree order and left-to-right within a tree,
// cut into blocks of 16 (one leaf per SIMD lane). Element slot k of a lane is the path's split at
// depth k (a repeated feature's later splits are null elements, its first carries the product of
// the fractions and all its conditions). A condition is an index into the row's decision bytes:
// [0, N) "node g sends the row left", [N, 2N) "... right", 2N always true, 2N+1 never. Null and
// padding slots are never hot, so they stay out of the path polynomial: padding with z = 1 factors
// is exact in theory but makes the deflation P(t) / (z + t) lose everything to cancellation on
// long paths. Each lane therefore keeps its own count d of real elements, and its own Shapley
// weights c_d. For each slot the
// lanes are grouped by feature, so a block's contributions are summed per feature with a few
// horizontal reductions (slots near the root are shared by all 16 leaves of a subtree).
// Immutable after Build; thread-safe to read.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "runtime/tree/tree_ensemble.h"

namespace finserve::explain::internal {

constexpr int32_t kLanes = 16;
// Deeper paths go to the reference kernel: c_d(s) and the path polynomials stay far inside
// float range up to here.
constexpr int32_t kMaxFastDepth = 64;
// Bytes of slack after the decision bytes: kernels read 4 bytes at any condition index.
constexpr size_t kDecisionPadding = 4;

// "left iff (v < threshold) == left_when_less", NaN left iff nan_left; exact for <, <=, >, >=
// on float inputs (see CanonicalizeSplit in tree_shap_layout.cc).
struct SplitFlags {
  static constexpr int32_t kLeftWhenLess = 1;
  static constexpr int32_t kNanLeft = 2;
};

struct LaneGroup {
  int32_t feature = 0;  // num_features + 1 for padding (a scratch slot)
  uint32_t lanes = 0;   // bit l = lane l
};

struct ShapBlock {
  int32_t depth = 0;        // path slots per lane
  int32_t output = 0;
  uint32_t slots = 0;       // first entry in zero_fractions / slot_conditions (16 per slot)
  uint32_t conditions = 0;  // first entry in condition_index (16 per condition)
  uint32_t groups = 0;      // first entry in group_counts (one per slot)
};


struct ShapForest {
  int32_t num_features = 0;
  int32_t num_outputs = 0;

  // Decision pass: one entry per internal node, padded to a multiple of 16.
  int32_t num_splits = 0;
  bool canonical = true;                    // false: decide with exact_nodes (== / != splits)
  std::vector<int32_t> split_features;
  std::vector<float> split_thresholds;
  std::vector<int32_t> split_flags;
  std::vector<runtime::tree::TreeNode> exact_nodes;

  std::vector<ShapBlock> blocks;
  std::vector<float> leaf_values;           // 16 per block
  std::vector<int32_t> lane_depths;         // 16 per block: real path elements d of each lane
  std::vector<float> zero_fractions;        // 16 per slot
  std::vector<uint8_t> condition_counts;    // one per slot
  std::vector<int32_t> condition_index;     // 16 per condition
  std::vector<uint16_t> group_counts;       // one per slot
  std::vector<uint32_t> group_offsets;      // one per slot: first entry in lane_groups
  std::vector<LaneGroup> lane_groups;
  std::vector<float> shapley_weights;       // c_d(s) at [d * (kMaxFastDepth + 1) + s]
  std::vector<float> bias;                  // per output: base margin + sum of tree means

  int32_t always_index() const { return 2 * num_splits; }
  int32_t never_index() const { return 2 * num_splits + 1; }
  size_t decision_bytes() const { return 2 * static_cast<size_t>(num_splits) + 2 + kDecisionPadding; }
  const float* weights(int32_t d) const { return shapley_weights.data() + static_cast<size_t>(d) * (kMaxFastDepth + 1); }
  size_t memory_bytes() const;
};

// Unimplemented if a path is deeper than kMaxFastDepth; InvalidArgument if a reachable node has
// no positive cover (TreeSHAP needs the training weight of every node).
Result<ShapForest> BuildShapForest(const runtime::tree::TreeEnsemble& ensemble);

// Checks that every reachable node has a positive, finite cover; errors name tree and node.
Status CheckCovers(const runtime::tree::TreeEnsemble& ensemble);

}  // namespace finserve::explain::internal
