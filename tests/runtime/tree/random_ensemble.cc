#include "runtime/tree/random_ensemble.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace finserve::runtime::tree::testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

}  // namespace

TreeNode RandomEnsembleFactory::RandomSplit(const RandomEnsembleOptions& options) {
  std::uniform_int_distribution<int> pick(0, 99);
  TreeNode node;
  node.feature = std::uniform_int_distribution<int32_t>(0, options.num_features - 1)(rng_);
  node.missing_goes_left = pick(rng_) < 50;
  node.mode = options.all_modes ? static_cast<CompareMode>(std::uniform_int_distribution<int>(0, 3)(rng_))
                                : CompareMode::kLt;
  const int kind = pick(rng_);
  const double grid = 0.25 * std::uniform_int_distribution<int>(-8, 8)(rng_);
  if (kind < 70 || !options.all_modes) {
    node.threshold = static_cast<float>(grid + (kind % 3 == 0 ? 0.1 : 0.0));
  } else if (kind < 85) {  // strictly between two floats
    node.threshold = grid + (pick(rng_) < 50 ? 1e-12 : -1e-12) + 0.1;
  } else if (kind < 90) {
    node.threshold = pick(rng_) < 50 ? kInf : -kInf;
  } else if (kind < 95) {
    const double big[] = {std::numeric_limits<float>::max(), 1e300, 1e-42, 3e38 * 1.5};
    node.threshold = big[pick(rng_) % 4] * (pick(rng_) < 50 ? 1 : -1);
  } else {
    node.threshold = std::uniform_real_distribution<double>(-3, 3)(rng_);
  }
  node.cover = static_cast<float>(pick(rng_) + 1);
  thresholds_.push_back(node.threshold);
  return node;
}

float RandomEnsembleFactory::RandomLeaf() {
  // Magnitudes from 1e-4 to 1e2 so that float summation order shows in the bits.
  const double magnitude = std::pow(10.0, std::uniform_real_distribution<double>(-4, 2)(rng_));
  return static_cast<float>(magnitude * std::uniform_real_distribution<double>(-1, 1)(rng_));
}

Tree RandomEnsembleFactory::RandomTree(const RandomEnsembleOptions& options, int32_t max_depth) {
  Tree tree;
  std::uniform_real_distribution<double> coin(0, 1);
  struct Item { int32_t id; int32_t depth; };
  tree.nodes.push_back(TreeNode{});
  std::vector<Item> stack = {{0, 0}};
  while (!stack.empty()) {
    const Item item = stack.back();
    stack.pop_back();
    const double leaf_probability = item.depth == 0 ? 0.1 : 0.15 + 0.6 * item.depth / max_depth;
    if (item.depth >= max_depth || coin(rng_) < leaf_probability) continue;  // stays a leaf
    TreeNode split = RandomSplit(options);
    split.left = static_cast<int32_t>(tree.nodes.size());
    split.right = split.left + 1;
    tree.nodes.resize(tree.nodes.size() + 2);
    tree.nodes[item.id] = split;
    stack.push_back({split.left, item.depth + 1});
    stack.push_back({split.right, item.depth + 1});
  }
  return tree;
}

Tree RandomEnsembleFactory::ChainTree(const RandomEnsembleOptions& options, int32_t depth) {
  Tree tree;
  tree.nodes.push_back(TreeNode{});
  int32_t current = 0;
  for (int32_t d = 0; d < depth; ++d) {
    TreeNode split = RandomSplit(options);
    const auto first = static_cast<int32_t>(tree.nodes.size());
    const bool continue_left = (rng_() & 1) != 0;
    split.left = first;
    split.right = first + 1;
    tree.nodes.resize(tree.nodes.size() + 2);
    tree.nodes[current] = split;
    current = continue_left ? first : first + 1;
  }
  return tree;
}

// New ids for every node but the root, plus unreachable nodes, so that nothing depends on
// children being adjacent or on the node order of the source.
void RandomEnsembleFactory::ShuffleNodes(Tree& tree) {
  const auto n = static_cast<int32_t>(tree.nodes.size());
  const int32_t extra = static_cast<int32_t>(rng_() % 3);
  std::vector<int32_t> new_id(n + extra);
  std::iota(new_id.begin(), new_id.end(), 0);
  std::shuffle(new_id.begin() + 1, new_id.end(), rng_);
  std::vector<TreeNode> nodes(n + extra);
  for (int32_t i = 0; i < n; ++i) {
    TreeNode node = tree.nodes[i];
    if (!node.is_leaf()) {
      node.left = new_id[node.left];
      node.right = new_id[node.right];
    }
    nodes[new_id[i]] = node;
  }
  for (int32_t i = n; i < n + extra; ++i) {  // unreachable: an orphan leaf or an orphan split
    TreeNode orphan = (rng_() & 1) ? TreeNode{} : TreeNode{0, 0, 0, CompareMode::kLt, true, 0.5, 0, 1};
    nodes[new_id[i]] = orphan;
  }
  tree.nodes = std::move(nodes);
}

void RandomEnsembleFactory::FinishLeaves(const RandomEnsembleOptions& options, Tree& tree) {
  if (tree.has_vector_leaves()) {
    tree.leaf_vectors.assign(tree.nodes.size() * options.num_outputs, 0.0f);
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      if (!tree.nodes[i].is_leaf()) continue;
      for (int32_t k = 0; k < options.num_outputs; ++k) tree.leaf_vectors[i * options.num_outputs + k] = RandomLeaf();
    }
    return;
  }
  for (TreeNode& node : tree.nodes) {
    if (node.is_leaf()) node.leaf_value = RandomLeaf();
  }
}

TreeEnsemble RandomEnsembleFactory::Make(const RandomEnsembleOptions& options) {
  thresholds_.clear();
  TreeEnsemble::Spec spec;
  spec.num_features = options.num_features;
  spec.num_outputs = options.num_outputs;
  for (int32_t k = 0; k < options.num_outputs; ++k) spec.base_margin.push_back(RandomLeaf());
  std::uniform_int_distribution<int> pick(0, 99);
  for (int32_t t = 0; t < options.num_trees; ++t) {
    const int kind = pick(rng_);
    Tree tree;
    if (options.deep_trees && kind < 4) {
      tree = ChainTree(options, 20 + static_cast<int32_t>(rng_() % 21));
    } else if (options.deep_trees && kind < 10) {
      tree = RandomTree(options, 9 + static_cast<int32_t>(rng_() % 4));
    } else {
      tree = RandomTree(options, 1 + static_cast<int32_t>(rng_() % 7));
    }
    tree.output = static_cast<int32_t>(rng_() % options.num_outputs);
    if (options.vector_leaves && pick(rng_) < 20) tree.output = Tree::kVectorLeaf;
    FinishLeaves(options, tree);
    // Leaf vectors are indexed by node id, so shuffle before attaching them would break them.
    if (!tree.has_vector_leaves()) ShuffleNodes(tree);
    spec.trees.push_back(std::move(tree));
  }
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  if (!ensemble.ok()) std::abort();  // a bug in this generator
  return std::move(ensemble).value();
}

std::vector<float> RandomEnsembleFactory::MakeRows(int64_t rows, int32_t num_features) {
  std::vector<float> out(static_cast<size_t>(rows * num_features));
  std::uniform_int_distribution<int> pick(0, 99);
  std::uniform_real_distribution<float> uniform(-3, 3);
  for (float& v : out) {
    const int kind = pick(rng_);
    const double t = thresholds_.empty() ? 0.0 : thresholds_[rng_() % thresholds_.size()];
    if (kind < 10) v = std::numeric_limits<float>::quiet_NaN();
    else if (kind < 14) v = kInf;
    else if (kind < 18) v = -kInf;
    else if (kind < 50) v = static_cast<float>(t);
    else if (kind < 60) v = std::nextafter(static_cast<float>(t), (kind & 1) ? kInf : -kInf);
    else if (kind < 64) v = (kind & 1) ? 0.0f : -0.0f;
    else v = uniform(rng_);
  }
  return out;
}

}  // namespace finserve::runtime::tree::testing
