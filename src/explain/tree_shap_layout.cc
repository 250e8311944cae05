#include "explain/tree_shap_layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "explain/tree_shap_reference.h"

namespace finserve::explain::internal {
namespace {

using runtime::tree::CompareMode;
using runtime::tree::Tree;
using runtime::tree::TreeEnsemble;
using runtime::tree::TreeNode;

// The smallest float >= t and the largest float <= t.
float CeilToFloat(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) < t) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}
float FloorToFloat(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
  return f;
}

// For float v: v < T  <=>  v < CeilToFloat(T);  v <= T  <=>  v < next float above FloorToFloat(T).
// False when the split has no such form (== / !=, or <= / > against +infinity).
bool CanonicalizeSplit(const TreeNode& node, float* threshold, int32_t* flags) {
  *flags = node.missing_goes_left ? SplitFlags::kNanLeft : 0;
  float le = 0;
  const bool has_le = FloorToFloat(node.threshold) < std::numeric_limits<float>::infinity();
  if (has_le) le = std::nextafter(FloorToFloat(node.threshold), std::numeric_limits<float>::infinity());
  switch (node.mode) {
    case CompareMode::kLt: *threshold = CeilToFloat(node.threshold), *flags |= SplitFlags::kLeftWhenLess; return true;
    case CompareMode::kGe: *threshold = CeilToFloat(node.threshold); return true;
    case CompareMode::kLe: *threshold = le, *flags |= SplitFlags::kLeftWhenLess; return has_le;
    case CompareMode::kGt: *threshold = le; return has_le;
    case CompareMode::kEq:
    case CompareMode::kNeq: return false;
  }
  return false;
}

struct PathSlot {
  int32_t feature = -1;  // -1: a null element (a later split on a feature already on the path)
  float zero_fraction = 1;
  std::vector<int32_t> conditions;
};

struct LeafPath {
  float value = 0;
  std::vector<PathSlot> slots;
};

// Global index of every reachable internal node, tree by tree.
struct SplitNumbering {
  std::vector<std::vector<int32_t>> index;  // [tree][node] -> g, or -1
  int32_t count = 0;
};

SplitNumbering NumberSplits(const TreeEnsemble& ensemble) {
  SplitNumbering n;
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const auto& nodes = ensemble.tree(t).nodes;
    n.index.emplace_back(nodes.size(), -1);
    std::vector<int32_t> stack = {0};
    while (!stack.empty()) {
      const int32_t id = stack.back();
      stack.pop_back();
      if (nodes[id].is_leaf()) continue;
      n.index[t][id] = n.count++;
      stack.push_back(nodes[id].right);
      stack.push_back(nodes[id].left);
    }
  }
  return n;
}

void FillSplits(const TreeEnsemble& ensemble, const SplitNumbering& numbering, ShapForest* f) {
  const size_t padded = (static_cast<size_t>(numbering.count) + kLanes - 1) / kLanes * kLanes;
  f->num_splits = numbering.count;
  f->split_features.assign(padded, 0);
  f->split_thresholds.assign(padded, 0.0f);
  f->split_flags.assign(padded, 0);
  f->exact_nodes.clear();
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const auto& nodes = ensemble.tree(t).nodes;
    for (size_t id = 0; id < nodes.size(); ++id) {
      const int32_t g = numbering.index[t][id];
      if (g < 0) continue;
      f->split_features[g] = nodes[id].feature;
      f->canonical = CanonicalizeSplit(nodes[id], &f->split_thresholds[g], &f->split_flags[g]) && f->canonical;
    }
  }
  if (f->canonical) return;
  f->exact_nodes.resize(numbering.count);
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    for (size_t id = 0; id < ensemble.tree(t).nodes.size(); ++id) {
      if (numbering.index[t][id] >= 0) f->exact_nodes[numbering.index[t][id]] = ensemble.tree(t).nodes[id];
    }
  }
}

// Leaves of tree t for output k, left to right, with their paths.
void CollectLeaves(const TreeEnsemble& ensemble, size_t t, int32_t k, const SplitNumbering& numbering,
                   std::vector<LeafPath>* leaves) {
  const Tree& tree = ensemble.tree(t);
  const int32_t n = numbering.count;
  struct Frame {
    int32_t node;
    std::vector<PathSlot> slots;
  };
  std::vector<Frame> stack;
  stack.push_back({0, {}});
  while (!stack.empty()) {
    Frame frame = std::move(stack.back());
    stack.pop_back();
    const TreeNode& node = tree.nodes[frame.node];
    if (node.is_leaf()) {
      const float v = tree.has_vector_leaves() ? ensemble.leaf_vector(t, frame.node)[k] : node.leaf_value;
      leaves->push_back({v, std::move(frame.slots)});
      continue;
    }
    const int32_t g = numbering.index[t][frame.node];
    for (const int32_t child : {node.right, node.left}) {  // left popped first
      std::vector<PathSlot> slots = frame.slots;
      const float ratio = tree.nodes[child].cover / node.cover;
      const int32_t condition = child == node.left ? g : n + g;
      PathSlot* same = nullptr;
      for (auto& s : slots) same = s.feature == node.feature ? &s : same;
      if (same != nullptr) {
        same->zero_fraction = ratio * same->zero_fraction;
        same->conditions.push_back(condition);
        slots.push_back(PathSlot{});
      } else {
        slots.push_back(PathSlot{node.feature, ratio, {condition}});
      }
      stack.push_back({child, std::move(slots)});
    }
  }
}

// The largest m such that every aligned range of 2^m lanes holds at most one real feature.
int32_t SumLevel(const std::vector<int32_t>& lane_features, int32_t scratch) {
  for (int32_t m = 4; m > 0; --m) {
    bool ok = true;
    for (int32_t first = 0; ok && first < kLanes; first += 1 << m) {
      int32_t feature = scratch;
      for (int32_t l = first; ok && l < first + (1 << m); ++l) {
        if (lane_features[l] == scratch) continue;
        ok = feature == scratch || feature == lane_features[l];
        feature = lane_features[l];
      }
    }
    if (ok) return m;
  }
  return 0;
}

void AddSlotSums(const std::vector<int32_t>& lane_features, int32_t scratch, ShapForest* f) {
  const int32_t m = SumLevel(lane_features, scratch);
  uint16_t real = 0;
  f->sum_levels.push_back(static_cast<uint8_t>(m));
  f->sum_offsets.push_back(static_cast<uint32_t>(f->slot_sums.size()));
  int count = 0;
  for (int32_t first = 0; first < kLanes; first += 1 << m) {
    int32_t feature = scratch;
    for (int32_t l = first; l < first + (1 << m); ++l) {
      if (lane_features[l] != scratch) feature = lane_features[l], real = static_cast<uint16_t>(real | (1u << l));
    }
    if (feature != scratch) f->slot_sums.push_back({feature, first}), ++count;
  }
  f->sum_counts.push_back(static_cast<uint8_t>(count));
  f->real_lanes.push_back(real);
  uint16_t mask = 0;
  for (uint8_t i = 0; i < count; ++i) {
    mask = static_cast<uint16_t>(mask | (1u << f->slot_sums[f->sum_offsets.back() + i].lane));
  }
  f->sum_masks.push_back(mask);
  f->value_offsets.push_back(static_cast<uint32_t>(f->num_values));
  f->num_values += count;
}

// One block of up to 16 leaves (lanes beyond `count` are padding with value 0).
void AddBlock(const LeafPath* leaves, int32_t count, int32_t depth, int32_t output, ShapForest* f) {
  const int32_t scratch = f->num_features + 1;
  ShapBlock block{depth, output, static_cast<uint32_t>(f->condition_counts.size()),
                  static_cast<uint32_t>(f->condition_index.size() / kLanes)};
  for (int32_t l = 0; l < kLanes; ++l) {
    f->leaf_values.push_back(l < count ? leaves[l].value : 0.0f);
    int32_t real = 0;
    for (int32_t k = 0; l < count && k < static_cast<int32_t>(leaves[l].slots.size()); ++k) {
      real += leaves[l].slots[k].feature >= 0 ? 1 : 0;
    }
    f->lane_depths.push_back(real);
  }
  for (int32_t k = 0; k < depth; ++k) {
    // A real slot of lane l, or nullptr for a null slot, a slot past the path's end or padding.
    auto slot = [&](int32_t l) -> const PathSlot* {
      if (l >= count || k >= static_cast<int32_t>(leaves[l].slots.size())) return nullptr;
      return leaves[l].slots[k].feature >= 0 ? &leaves[l].slots[k] : nullptr;
    };
    size_t conditions = 1;
    std::vector<int32_t> lane_features(kLanes, scratch);
    for (int32_t l = 0; l < kLanes; ++l) {
      const PathSlot* s = slot(l);
      f->zero_fractions.push_back(s != nullptr ? s->zero_fraction : 1.0f);
      if (s != nullptr) conditions = std::max(conditions, s->conditions.size()), lane_features[l] = s->feature;
    }
    f->condition_counts.push_back(static_cast<uint8_t>(conditions));
    for (size_t c = 0; c < conditions; ++c) {
      for (int32_t l = 0; l < kLanes; ++l) {
        const PathSlot* s = slot(l);
        const int32_t none = s == nullptr && c == 0 ? f->never_index() : f->always_index();
        f->condition_index.push_back(s != nullptr && c < s->conditions.size() ? s->conditions[c] : none);
      }
      const int32_t* row = &f->condition_index[f->condition_index.size() - kLanes];
      f->condition_uniform.push_back(std::all_of(row, row + kLanes, [&](int32_t i) { return i == row[0]; }) ? 1 : 0);
    }
    AddSlotSums(lane_features, scratch, f);
  }
  f->blocks.push_back(block);
}

std::vector<float> ShapleyWeights() {
  std::vector<float> w(static_cast<size_t>(kMaxFastDepth + 1) * (kMaxFastDepth + 1), 0.0f);
  for (int32_t d = 1; d <= kMaxFastDepth; ++d) {
    double binomial = 1;  // C(d-1, s)
    for (int32_t s = 0; s < d; ++s) {
      w[static_cast<size_t>(d) * (kMaxFastDepth + 1) + s] = static_cast<float>(1.0 / (d * binomial));
      binomial = binomial * (d - 1 - s) / (s + 1);
    }
  }
  return w;
}

// The same weights transposed for lane depths below 16: one 16-float row per s, indexed by d.
std::vector<float> WeightsBySlot(const std::vector<float>& weights) {
  std::vector<float> out(static_cast<size_t>(kLanes + 1) * kLanes, 0.0f);
  for (int32_t s = 0; s <= kLanes; ++s) {
    for (int32_t d = 0; d < kLanes; ++d) out[s * kLanes + d] = weights[static_cast<size_t>(d) * (kMaxFastDepth + 1) + s];
  }
  return out;
}

// For every output and feature, the value-buffer positions of its range sums (blocks in order),
// padded to a multiple of 8 with the always-zero position.
void BuildReductionPlan(ShapForest* f) {
  const size_t nf = static_cast<size_t>(f->num_features);
  std::vector<std::vector<int32_t>> positions(static_cast<size_t>(f->num_outputs) * nf);
  for (const ShapBlock& b : f->blocks) {
    for (int32_t k = 0; k < b.depth; ++k) {
      const uint32_t slot = b.slots + static_cast<uint32_t>(k);
      for (uint8_t i = 0; i < f->sum_counts[slot]; ++i) {
        const SlotSum& sum = f->slot_sums[f->sum_offsets[slot] + i];
        positions[b.output * nf + sum.feature].push_back(static_cast<int32_t>(f->value_offsets[slot] + i));
      }
    }
  }
  f->feature_begin.push_back(0);
  for (auto& list : positions) {
    while (list.size() % 8 != 0) list.push_back(f->zero_position());
    f->feature_positions.insert(f->feature_positions.end(), list.begin(), list.end());
    f->feature_begin.push_back(static_cast<uint32_t>(f->feature_positions.size()));
  }
}

std::vector<float> Bias(const TreeEnsemble& ensemble) {
  std::vector<float> bias(ensemble.num_outputs(), 0.0f);
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const Tree& tree = ensemble.tree(t);
    const int32_t first = tree.has_vector_leaves() ? 0 : tree.output;
    const int32_t last = tree.has_vector_leaves() ? ensemble.num_outputs() - 1 : tree.output;
    for (int32_t k = first; k <= last; ++k) bias[k] += NodeMeanValues(ensemble, t, k)[0];
  }
  for (int32_t k = 0; k < ensemble.num_outputs(); ++k) bias[k] += ensemble.base_margin()[k];
  return bias;
}

Status AddOutputBlocks(const TreeEnsemble& ensemble, int32_t k, const SplitNumbering& numbering, ShapForest* f) {
  std::vector<LeafPath> leaves;
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const Tree& tree = ensemble.tree(t);
    if (!tree.has_vector_leaves() && tree.output != k) continue;
    if (tree.nodes[0].is_leaf()) continue;  // a single leaf only moves the bias
    if (ensemble.TreeDepth(t) > kMaxFastDepth) {
      return Unimplemented("tree " + std::to_string(t) + " is deeper than " + std::to_string(kMaxFastDepth));
    }
    CollectLeaves(ensemble, t, k, numbering, &leaves);
  }
  for (size_t first = 0; first < leaves.size(); first += kLanes) {
    const int32_t count = static_cast<int32_t>(std::min<size_t>(kLanes, leaves.size() - first));
    int32_t depth = 0;
    for (int32_t l = 0; l < count; ++l) depth = std::max(depth, static_cast<int32_t>(leaves[first + l].slots.size()));
    AddBlock(&leaves[first], count, depth, k, f);
  }
  return Status::Ok();
}

template <typename T>
size_t Bytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

}  // namespace

size_t ShapForest::memory_bytes() const {
  return sizeof(*this) + Bytes(split_features) + Bytes(split_thresholds) + Bytes(split_flags) + Bytes(exact_nodes) +
         Bytes(blocks) + Bytes(leaf_values) + Bytes(lane_depths) + Bytes(zero_fractions) + Bytes(condition_counts) +
         Bytes(condition_index) + Bytes(condition_uniform) + Bytes(real_lanes) + Bytes(sum_levels) +
         Bytes(sum_offsets) + Bytes(sum_counts) + Bytes(slot_sums) + Bytes(sum_masks) + Bytes(value_offsets) +
         Bytes(feature_positions) + Bytes(feature_begin) + Bytes(shapley_weights) + Bytes(weights_by_slot) +
         Bytes(bias);
}

Status CheckCovers(const TreeEnsemble& ensemble) {
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const auto& nodes = ensemble.tree(t).nodes;
    std::vector<int32_t> stack = {0};
    while (!stack.empty()) {
      const int32_t id = stack.back();
      stack.pop_back();
      const float cover = nodes[id].cover;
      if (!(cover > 0) || !std::isfinite(cover)) {
        return InvalidArgument("tree " + std::to_string(t) + ", node " + std::to_string(id) + " has cover " +
                               std::to_string(cover) + "; TreeSHAP needs the training weight (cover) of every node");
      }
      if (nodes[id].is_leaf()) continue;
      stack.push_back(nodes[id].left);
      stack.push_back(nodes[id].right);
    }
  }
  return Status::Ok();
}

Result<ShapForest> BuildShapForest(const TreeEnsemble& ensemble) {
  FS_RETURN_IF_ERROR(CheckCovers(ensemble));
  ShapForest f;
  f.num_features = ensemble.num_features();
  f.num_outputs = ensemble.num_outputs();
  const SplitNumbering numbering = NumberSplits(ensemble);
  FillSplits(ensemble, numbering, &f);
  for (int32_t k = 0; k < f.num_outputs; ++k) FS_RETURN_IF_ERROR(AddOutputBlocks(ensemble, k, numbering, &f));
  BuildReductionPlan(&f);
  f.shapley_weights = ShapleyWeights();
  f.weights_by_slot = WeightsBySlot(f.shapley_weights);
  f.bias = Bias(ensemble);
  for (auto* v : {&f.leaf_values, &f.zero_fractions}) v->shrink_to_fit();
  f.lane_depths.shrink_to_fit();
  f.condition_index.shrink_to_fit();
  f.slot_sums.shrink_to_fit();
  return f;
}

}  // namespace finserve::explain::internal
