#include "runtime/tree/tree_split_rewrite.h"

#include <cmath>
#include <limits>

namespace finserve::runtime::tree::internal {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// Smallest float >= t: for float v, v < t  <=>  v < CeilToFloat(t).
float CeilToFloat(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) < t) f = std::nextafter(f, kInf);
  return f;
}

// Largest float <= t: for float v, v <= t  <=>  v <= FloorToFloat(t).
float FloorToFloat(double t) {
  float f = static_cast<float>(t);
  if (static_cast<double>(f) > t) f = std::nextafter(f, -kInf);
  return f;
}

// "v < t" for modes < and >=; "v <= t" (as v < next float up) for <= and >. A condition that
// holds for every non-NaN v (v <= +inf) cannot be written "v < T"; it is written as its
// complement "v < -inf" (never true) with the children swapped once more.
void CanonicalThreshold(const TreeNode& node, CanonicalSplit* split) {
  const bool less_than = node.mode == CompareMode::kLt || node.mode == CompareMode::kGe;
  split->swap_children = node.mode == CompareMode::kGt || node.mode == CompareMode::kGe;
  if (less_than) {
    split->threshold = CeilToFloat(node.threshold);
    return;
  }
  const float floor = FloorToFloat(node.threshold);
  if (floor == kInf) {
    split->threshold = -kInf;
    split->swap_children = !split->swap_children;
    return;
  }
  split->threshold = std::nextafter(floor, kInf);
}

}  // namespace

CanonicalSplit CanonicalizeSplit(const TreeNode& node) {
  CanonicalSplit split;
  CanonicalThreshold(node, &split);
  const bool missing_left = node.missing_goes_left != split.swap_children;
  split.code = static_cast<uint32_t>(node.feature) | (missing_left ? kMissingLeftBit : 0u);
  return split;
}

CanonicalSplit ToColumnSplit(const TreeNode& node, int32_t num_features) {
  CanonicalSplit split = CanonicalizeSplit(node);
  const auto feature = split.code & kFeatureMask;
  const auto nf = static_cast<uint32_t>(num_features);
  if ((split.code & kMissingLeftBit) == 0) {
    split.code = feature;  // NaN -> +inf goes right, as it should
    return split;
  }
  split.swap_children = !split.swap_children;
  if (split.threshold == -kInf) {
    // Left (before the swap) only for NaN: left now iff the NaN indicator is 0.
    split.code = 2 * nf + feature;
    split.threshold = 0.5f;
    return split;
  }
  // Left (before the swap) iff v < t or NaN; now left iff -v < next_up(-t), i.e. v >= t.
  split.code = nf + feature;
  split.threshold = std::nextafter(-split.threshold, kInf);
  return split;
}

}  // namespace finserve::runtime::tree::internal
