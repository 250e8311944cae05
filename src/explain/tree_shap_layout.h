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
// weights c_d. A slot's 16 contributions are summed per feature in two steps: pairwise sums over
// aligned lane ranges of 2^m lanes (m per slot: the largest such that each range holds one
// feature; slots near the root are shared by all 16 leaves of a subtree, m = 4), then one add per
// range. Null and padding lanes contribute exactly zero (masked), so they never split a range.
// The scalar kernel adds each range sum to its feature at once; the AVX-512 kernel stores them
// compressed into a per-row value buffer (one store per slot) and sums each feature's values
// afterwards along a precomputed list of buffer positions, in double.
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

// One aligned range of lanes of a slot whose (pairwise-summed) contribution goes to `feature`.
struct SlotSum {
  int32_t feature = 0;
  int32_t lane = 0;  // first lane of the range
};

struct ShapBlock {
  int32_t depth = 0;        // path slots per lane
  int32_t output = 0;
  uint32_t slots = 0;       // first entry in zero_fractions / slot_conditions (16 per slot)
  uint32_t conditions = 0;  // first entry in condition_index (16 per condition)
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
  std::vector<uint8_t> condition_uniform;   // one per condition: all 16 lanes test the same byte
  std::vector<uint16_t> real_lanes;         // one per slot: lanes holding a real path element
  std::vector<uint8_t> sum_levels;          // one per slot: m
  std::vector<uint32_t> sum_offsets;        // one per slot: first entry in slot_sums
  std::vector<uint8_t> sum_counts;          // one per slot
  std::vector<SlotSum> slot_sums;
  // AVX-512: where each slot's range sums go in the value buffer, and who reads them.
  std::vector<uint16_t> sum_masks;          // one per slot: the first lane of each real range
  std::vector<uint32_t> value_offsets;      // one per slot
  int32_t num_values = 0;                   // the buffer holds num_values + kValuePadding floats
  std::vector<int32_t> feature_positions;   // per output and feature, padded to 8 with zero_position
  std::vector<uint32_t> feature_begin;      // num_outputs * num_features + 1 offsets into it
  std::vector<float> shapley_weights;       // c_d(s) at [d * (kMaxFastDepth + 1) + s]
  std::vector<float> weights_by_slot;       // c_d(s) at [s * 16 + d] for d < 16, s <= 16
  std::vector<float> bias;                  // per output: base margin + sum of tree means

  static constexpr int32_t kValuePadding = 32;  // overlapping 16-float stores, then a zero
  int32_t zero_position() const { return num_values + kValuePadding - 1; }
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
