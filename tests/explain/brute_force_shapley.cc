#include "explain/brute_force_shapley.h"

#include <cstdlib>
#include <set>

namespace finserve::explain::testing {
namespace {

using runtime::tree::Tree;
using runtime::tree::TreeEnsemble;

struct TreeGame {
  const TreeEnsemble& ensemble;
  size_t t;
  int32_t k;
  const float* row;
  std::vector<int32_t> players;  // the distinct split features

  double Leaf(int32_t id) const {
    const Tree& tree = ensemble.tree(t);
    return tree.has_vector_leaves() ? ensemble.leaf_vector(t, id)[k] : tree.nodes[id].leaf_value;
  }

  // Expected value below `id` with the features in `coalition` (bits over players) fixed.
  double Value(int32_t id, uint32_t coalition) const {
    const auto& node = ensemble.tree(t).nodes[id];
    if (node.is_leaf()) return Leaf(id);
    for (size_t p = 0; p < players.size(); ++p) {
      if (players[p] == node.feature && (coalition >> p & 1u)) return Value(node.Next(row[node.feature]), coalition);
    }
    const auto& nodes = ensemble.tree(t).nodes;
    return (static_cast<double>(nodes[node.left].cover) * Value(node.left, coalition) +
            static_cast<double>(nodes[node.right].cover) * Value(node.right, coalition)) /
           static_cast<double>(node.cover);
  }
};

std::vector<int32_t> SplitFeatures(const Tree& tree) {
  std::set<int32_t> features;
  std::vector<int32_t> stack = {0};
  while (!stack.empty()) {
    const auto& node = tree.nodes[stack.back()];
    stack.pop_back();
    if (node.is_leaf()) continue;
    features.insert(node.feature);
    stack.push_back(node.left);
    stack.push_back(node.right);
  }
  return {features.begin(), features.end()};
}

double Factorial(int n) { return n <= 1 ? 1.0 : n * Factorial(n - 1); }

}  // namespace

std::vector<double> BruteForceTreeShapley(const TreeEnsemble& ensemble, const float* row) {
  const int32_t nf = ensemble.num_features();
  const int32_t no = ensemble.num_outputs();
  std::vector<double> out(static_cast<size_t>(no) * (nf + 1), 0.0);
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const Tree& tree = ensemble.tree(t);
    TreeGame game{ensemble, t, 0, row, SplitFeatures(tree)};
    const int n = static_cast<int>(game.players.size());
    if (n > 14) std::abort();  // not a small tree: a bug in the test
    const int32_t first = tree.has_vector_leaves() ? 0 : tree.output;
    const int32_t last = tree.has_vector_leaves() ? no - 1 : tree.output;
    for (int32_t k = first; k <= last; ++k) {
      game.k = k;
      std::vector<double> value(1u << n);
      for (uint32_t s = 0; s < value.size(); ++s) value[s] = game.Value(0, s);
      double* phi = out.data() + static_cast<size_t>(k) * (nf + 1);
      phi[nf] += value[0];
      for (int i = 0; i < n; ++i) {
        for (uint32_t s = 0; s < value.size(); ++s) {
          if (s >> i & 1u) continue;
          const int size = __builtin_popcount(s);
          const double weight = Factorial(size) * Factorial(n - size - 1) / Factorial(n);
          phi[game.players[i]] += weight * (value[s | (1u << i)] - value[s]);
        }
      }
    }
  }
  for (int32_t k = 0; k < no; ++k) out[static_cast<size_t>(k) * (nf + 1) + nf] += ensemble.base_margin()[k];
  return out;
}

}  // namespace finserve::explain::testing
