#include "explain/tree_shap_reference.h"

#include <algorithm>

namespace finserve::explain {
namespace {

using runtime::tree::Tree;
using runtime::tree::TreeEnsemble;
using runtime::tree::TreeNode;

struct PathElement {
  int32_t feature = -1;
  float zero_fraction = 0;
  float one_fraction = 0;
  float pweight = 0;
};

// Adds a feature with the given fractions to the path of `depth` elements (EXTEND).
void ExtendPath(PathElement* path, int depth, float zero_fraction, float one_fraction, int32_t feature) {
  path[depth] = PathElement{feature, zero_fraction, one_fraction, depth == 0 ? 1.0f : 0.0f};
  for (int i = depth - 1; i >= 0; --i) {
    path[i + 1].pweight += one_fraction * path[i].pweight * static_cast<float>(i + 1) / static_cast<float>(depth + 1);
    path[i].pweight = zero_fraction * path[i].pweight * static_cast<float>(depth - i) / static_cast<float>(depth + 1);
  }
}

// Removes element `index` from the path of depth `depth` (UNWIND).
void UnwindPath(PathElement* path, int depth, int index) {
  const float one_fraction = path[index].one_fraction;
  const float zero_fraction = path[index].zero_fraction;
  float next_one_portion = path[depth].pweight;
  for (int i = depth - 1; i >= 0; --i) {
    if (one_fraction != 0) {
      const float tmp = path[i].pweight;
      path[i].pweight = next_one_portion * static_cast<float>(depth + 1) / (static_cast<float>(i + 1) * one_fraction);
      next_one_portion = tmp - path[i].pweight * zero_fraction * static_cast<float>(depth - i) /
                                   static_cast<float>(depth + 1);
    } else {
      path[i].pweight = (path[i].pweight * static_cast<float>(depth + 1)) /
                        (zero_fraction * static_cast<float>(depth - i));
    }
  }
  for (int i = index; i < depth; ++i) {
    path[i].feature = path[i + 1].feature;
    path[i].zero_fraction = path[i + 1].zero_fraction;
    path[i].one_fraction = path[i + 1].one_fraction;
  }
}

// Total weight of the path with element `index` unwound, without changing the path.
float UnwoundPathSum(const PathElement* path, int depth, int index) {
  const float one_fraction = path[index].one_fraction;
  const float zero_fraction = path[index].zero_fraction;
  float next_one_portion = path[depth].pweight;
  float total = 0;
  for (int i = depth - 1; i >= 0; --i) {
    if (one_fraction != 0) {
      const float tmp = next_one_portion * static_cast<float>(depth + 1) / (static_cast<float>(i + 1) * one_fraction);
      total += tmp;
      next_one_portion = path[i].pweight -
                         tmp * zero_fraction * (static_cast<float>(depth - i) / static_cast<float>(depth + 1));
    } else {
      total += (path[i].pweight / zero_fraction) / (static_cast<float>(depth - i) / static_cast<float>(depth + 1));
    }
  }
  return total;
}

float LeafValue(const TreeEnsemble& ensemble, size_t t, int32_t node, int32_t k) {
  const Tree& tree = ensemble.tree(t);
  return tree.has_vector_leaves() ? ensemble.leaf_vector(t, node)[k] : tree.nodes[node].leaf_value;
}

struct TreeWalk {
  const TreeEnsemble& ensemble;
  size_t t;
  int32_t k;  // the output whose leaf values are explained
  const float* row;
  float* phi;  // num_features + 1

  void Recurse(int32_t node_id, int depth, PathElement* parent_path, float parent_zero, float parent_one,
               int32_t parent_feature) const {
    const TreeNode& node = ensemble.tree(t).nodes[node_id];
    PathElement* path = parent_path + depth + 1;
    std::copy(parent_path, parent_path + depth + 1, path);
    ExtendPath(path, depth, parent_zero, parent_one, parent_feature);
    if (node.is_leaf()) {
      const float value = LeafValue(ensemble, t, node_id, k);
      for (int i = 1; i <= depth; ++i) {
        const float w = UnwoundPathSum(path, depth, i);
        phi[path[i].feature] += w * (path[i].one_fraction - path[i].zero_fraction) * value;
      }
      return;
    }
    const Tree& tree = ensemble.tree(t);
    const int32_t hot = node.Next(row[node.feature]);
    const int32_t cold = hot == node.left ? node.right : node.left;
    const float w = node.cover;
    const float hot_zero = tree.nodes[hot].cover / w;
    const float cold_zero = tree.nodes[cold].cover / w;
    float incoming_zero = 1;
    float incoming_one = 1;
    int index = 0;
    for (; index <= depth; ++index) {
      if (path[index].feature == node.feature) break;
    }
    if (index != depth + 1) {
      incoming_zero = path[index].zero_fraction;
      incoming_one = path[index].one_fraction;
      UnwindPath(path, depth, index);
      depth -= 1;
    }
    Recurse(hot, depth + 1, path, hot_zero * incoming_zero, incoming_one, node.feature);
    Recurse(cold, depth + 1, path, cold_zero * incoming_zero, 0, node.feature);
  }
};

float FillMeanValue(const TreeEnsemble& ensemble, size_t t, int32_t k, int32_t node_id, std::vector<float>* means) {
  const TreeNode& node = ensemble.tree(t).nodes[node_id];
  float result;
  if (node.is_leaf()) {
    result = LeafValue(ensemble, t, node_id, k);
  } else {
    const auto& nodes = ensemble.tree(t).nodes;
    result = FillMeanValue(ensemble, t, k, node.left, means) * nodes[node.left].cover;
    result += FillMeanValue(ensemble, t, k, node.right, means) * nodes[node.right].cover;
    result /= node.cover;
  }
  (*means)[node_id] = result;
  return result;
}

}  // namespace

std::vector<float> NodeMeanValues(const TreeEnsemble& ensemble, size_t t, int32_t k) {
  std::vector<float> means(ensemble.tree(t).nodes.size(), 0.0f);
  FillMeanValue(ensemble, t, k, 0, &means);
  return means;
}

void ReferenceTreeShap(const TreeEnsemble& ensemble, const float* row, float* out) {
  const int32_t nf = ensemble.num_features();
  const int32_t no = ensemble.num_outputs();
  std::fill(out, out + static_cast<size_t>(no) * (nf + 1), 0.0f);
  std::vector<float> tree_phi(nf + 1);
  std::vector<PathElement> path_storage;
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const Tree& tree = ensemble.tree(t);
    const int32_t max_depth = ensemble.TreeDepth(t) + 2;
    path_storage.assign(static_cast<size_t>(max_depth * (max_depth + 1)) / 2, PathElement{});
    const int32_t first = tree.has_vector_leaves() ? 0 : tree.output;
    const int32_t last = tree.has_vector_leaves() ? no - 1 : tree.output;
    for (int32_t k = first; k <= last; ++k) {
      std::fill(tree_phi.begin(), tree_phi.end(), 0.0f);
      tree_phi[nf] += NodeMeanValues(ensemble, t, k)[0];
      TreeWalk walk{ensemble, t, k, row, tree_phi.data()};
      walk.Recurse(0, 0, path_storage.data(), 1, 1, -1);
      float* phi = out + static_cast<size_t>(k) * (nf + 1);
      for (int32_t j = 0; j <= nf; ++j) phi[j] += tree_phi[j];
    }
  }
  for (int32_t k = 0; k < no; ++k) out[static_cast<size_t>(k) * (nf + 1) + nf] += ensemble.base_margin()[k];
}

}  // namespace finserve::explain
