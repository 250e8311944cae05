#include <cmath>

#include "explain/tree_shap_kernels.h"

namespace finserve::explain::internal {
namespace {

// Per-lane state of one block: hot flags, E = v * prod_{cold} z, the path polynomial
// P(t) = prod_{hot j} (z_j + t) and each lane's Shapley weights c_d(s). Hot flags are floats 0 or
// 1 and every select is h * a + (1 - h) * b, exact for finite values, so that the compiler
// vectorises the lane loops (it does not if-convert floating-point selects).
struct BlockState {
  float z[kMaxFastDepth][kLanes];
  float hot[kMaxFastDepth][kLanes];
  float poly[kMaxFastDepth + 1][kLanes];
  float weight[kMaxFastDepth + 1][kLanes];
  float e[kLanes];
  float cold[kLanes];
};

void LoadSlots(const ShapForest& f, const ShapBlock& b, const uint8_t* decisions, BlockState* s) {
  const int32_t* conditions = f.condition_index.data() + static_cast<size_t>(b.conditions) * kLanes;
  for (int32_t k = 0; k < b.depth; ++k) {
    const float* z = f.zero_fractions.data() + (static_cast<size_t>(b.slots) + k) * kLanes;
    for (int l = 0; l < kLanes; ++l) s->z[k][l] = z[l], s->hot[k][l] = 1.0f;
    for (int c = 0; c < f.condition_counts[b.slots + k]; ++c, conditions += kLanes) {
      for (int l = 0; l < kLanes; ++l) s->hot[k][l] *= static_cast<float>(decisions[conditions[l]]);
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
        const float h = s->hot[k][l];
        s->poly[d][l] = h * (s->poly[d][l] * s->z[k][l] + s->poly[d - 1][l]) + (1.0f - h) * s->poly[d][l];
      }
    }
    for (int l = 0; l < kLanes; ++l) s->poly[0][l] *= s->hot[k][l] * s->z[k][l] + (1.0f - s->hot[k][l]);
  }
}

void ColdValues(const ShapForest& f, const ShapBlock& b, size_t block_index, BlockState* s) {
  const int32_t* lane_depth = f.lane_depths.data() + block_index * kLanes;
  const float* v = f.leaf_values.data() + block_index * kLanes;
  for (int l = 0; l < kLanes; ++l) {
    const float* c = f.weights(lane_depth[l]);
    for (int32_t d = 0; d <= b.depth; ++d) s->weight[d][l] = c[d];
  }
  float fh[kLanes] = {};
  for (int l = 0; l < kLanes; ++l) s->e[l] = v[l];
  for (int32_t k = 0; k < b.depth; ++k) {
    for (int l = 0; l < kLanes; ++l) s->e[l] *= s->hot[k][l] + (1.0f - s->hot[k][l]) * s->z[k][l];
  }
  for (int32_t d = 0; d <= b.depth; ++d) {
    for (int l = 0; l < kLanes; ++l) fh[l] += s->weight[d][l] * s->poly[d][l];
  }
  for (int l = 0; l < kLanes; ++l) s->cold[l] = -(s->e[l] * fh[l]);
}

// Sums r over aligned ranges of 2^m lanes pairwise (the AVX-512 kernel's order) and adds each
// range's sum to its feature.
void AddSlotSums(const ShapForest& f, uint32_t slot, float* r, double* out) {
  for (int32_t width = 1; width < (1 << f.sum_levels[slot]); width *= 2) {
    for (int l = 0; l < kLanes; l += 2 * width) r[l] += r[l + width];
  }
  const SlotSum* sum = f.slot_sums.data() + f.sum_offsets[slot];
  for (uint8_t i = 0; i < f.sum_counts[slot]; ++i, ++sum) out[sum->feature] += r[sum->lane];
}

void AccumulateBlock(const ShapForest& f, const ShapBlock& b, size_t block_index, const uint8_t* decisions,
                     double* acc) {
  BlockState s;
  LoadSlots(f, b, decisions, &s);
  BuildPolynomial(b, &s);
  ColdValues(f, b, block_index, &s);
  const int32_t depth = b.depth;
  double* out = acc + static_cast<size_t>(b.output) * (f.num_features + 2);
  for (int32_t k = 0; k < depth; ++k) {
    const uint32_t slot = b.slots + static_cast<uint32_t>(k);
    // P(t) / (z_k + t), from the top coefficient down, dotted with the weights.
    float q[kLanes], fk[kLanes], r[kLanes];
    for (int l = 0; l < kLanes; ++l) q[l] = s.poly[depth][l], fk[l] = s.weight[depth - 1][l] * q[l];
    for (int32_t d = depth - 1; d >= 1; --d) {
      for (int l = 0; l < kLanes; ++l) {
        q[l] = s.poly[d][l] - s.z[k][l] * q[l];
        fk[l] += s.weight[d - 1][l] * q[l];
      }
    }
    for (int l = 0; l < kLanes; ++l) {
      const float h = s.hot[k][l];
      const float real = static_cast<float>(f.real_lanes[slot] >> l & 1u);
      r[l] = real * (h * (s.e[l] * (1.0f - s.z[k][l]) * fk[l]) + (1.0f - h) * s.cold[l]);
    }
    AddSlotSums(f, slot, r, out);
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

void AccumulateBlocksScalar(const ShapForest& f, const uint8_t* decisions, double* acc) {
  for (size_t i = 0; i < f.blocks.size(); ++i) AccumulateBlock(f, f.blocks[i], i, decisions, acc);
}

}  // namespace finserve::explain::internal
