#include <cmath>

#include "explain/tree_shap_kernels.h"

namespace finserve::explain::internal {
namespace {

// Per-lane state of one block: hot flags, E, the path polynomial P(t) = prod_{hot j} (z_j + t).
struct BlockState {
  float z[kMaxFastDepth][kLanes];
  bool hot[kMaxFastDepth][kLanes];
  float poly[kMaxFastDepth + 1][kLanes];
  float weight[kMaxFastDepth + 1][kLanes];  // c_d(s) for each lane's own d
  float e[kLanes];
  float cold[kLanes];
};

void LoadSlots(const ShapForest& f, const ShapBlock& b, const uint8_t* decisions, BlockState* s) {
  const int32_t* conditions = f.condition_index.data() + static_cast<size_t>(b.conditions) * kLanes;
  for (int32_t k = 0; k < b.depth; ++k) {
    const float* z = f.zero_fractions.data() + (static_cast<size_t>(b.slots) + k) * kLanes;
    for (int l = 0; l < kLanes; ++l) s->z[k][l] = z[l], s->hot[k][l] = true;
    for (int c = 0; c < f.condition_counts[b.slots + k]; ++c, conditions += kLanes) {
      for (int l = 0; l < kLanes; ++l) s->hot[k][l] = s->hot[k][l] && decisions[conditions[l]] != 0;
    }
  }
}

void BuildPolynomial(const ShapBlock& b, BlockState* s) {
  for (int l = 0; l < kLanes; ++l) s->poly[0][l] = 1.0f;
  for (int32_t d = 1; d <= b.depth; ++d) {
    for (int l = 0; l < kLanes; ++l) s->poly[d][l] = 0.0f;
  }
  for (int32_t k = 0; k < b.depth; ++k) {
    for (int32_t d = k + 1; d >= 1; --d) {
      for (int l = 0; l < kLanes; ++l) {
        if (s->hot[k][l]) s->poly[d][l] = s->poly[d][l] * s->z[k][l] + s->poly[d - 1][l];
      }
    }
    for (int l = 0; l < kLanes; ++l) {
      if (s->hot[k][l]) s->poly[0][l] *= s->z[k][l];
    }
  }
}

void AccumulateBlock(const ShapForest& f, const ShapBlock& b, size_t block_index, const uint8_t* decisions,
                     float* acc) {
  BlockState s;
  LoadSlots(f, b, decisions, &s);
  BuildPolynomial(b, &s);
  const int32_t depth = b.depth;
  const float* v = f.leaf_values.data() + block_index * kLanes;
  const int32_t* lane_depth = f.lane_depths.data() + block_index * kLanes;
  for (int l = 0; l < kLanes; ++l) {
    const float* c = f.weights(lane_depth[l]);
    for (int32_t d = 0; d <= depth; ++d) s.weight[d][l] = c[d];
  }
  for (int l = 0; l < kLanes; ++l) {
    float e = v[l];
    for (int32_t k = 0; k < depth; ++k) {
      if (!s.hot[k][l]) e *= s.z[k][l];
    }
    float fh = 0;
    for (int32_t d = 0; d <= depth; ++d) fh += s.weight[d][l] * s.poly[d][l];
    s.e[l] = e;
    s.cold[l] = -(e * fh);
  }
  float* out = acc + static_cast<size_t>(b.output) * (f.num_features + 2);
  for (int32_t k = 0; k < depth; ++k) {
    float r[kLanes];
    for (int l = 0; l < kLanes; ++l) {
      // P(t) / (z_k + t), from the top coefficient down, dotted with the weights.
      float q = s.poly[depth][l];
      float fk = s.weight[depth - 1][l] * q;
      for (int32_t d = depth - 1; d >= 1; --d) {
        q = s.poly[d][l] - s.z[k][l] * q;
        fk += s.weight[d - 1][l] * q;
      }
      r[l] = s.hot[k][l] ? s.e[l] * (1.0f - s.z[k][l]) * fk : s.cold[l];
    }
    const LaneGroup* g = f.lane_groups.data() + f.group_offsets[b.slots + k];
    for (uint16_t i = 0; i < f.group_counts[b.slots + k]; ++i, ++g) {
      float sum = 0;
      for (int l = 0; l < kLanes; ++l) {
        if (g->lanes & (1u << l)) sum += r[l];
      }
      out[g->feature] += sum;
    }
  }
}

bool GoesLeftExact(const runtime::tree::TreeNode& node, float v) { return node.Next(v) == node.left; }

}  // namespace

void ComputeDecisionsScalar(const ShapForest& f, const float* row, uint8_t* decisions) {
  const int32_t n = f.num_splits;
  for (int32_t g = 0; g < n; ++g) {
    bool left;
    if (!f.canonical) {
      left = GoesLeftExact(f.exact_nodes[g], row[f.exact_nodes[g].feature]);
    } else {
      const float v = row[f.split_features[g]];
      const int32_t flags = f.split_flags[g];
      left = std::isnan(v) ? (flags & SplitFlags::kNanLeft) != 0
                           : (v < f.split_thresholds[g]) == ((flags & SplitFlags::kLeftWhenLess) != 0);
    }
    decisions[g] = left ? 1 : 0;
    decisions[n + g] = left ? 0 : 1;
  }
  decisions[f.always_index()] = 1;
  decisions[f.never_index()] = 0;
}

void AccumulateBlocksScalar(const ShapForest& f, const uint8_t* decisions, float* acc) {
  for (size_t i = 0; i < f.blocks.size(); ++i) AccumulateBlock(f, f.blocks[i], i, decisions, acc);
}

}  // namespace finserve::explain::internal
