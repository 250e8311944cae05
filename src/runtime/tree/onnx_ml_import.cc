#include "runtime/tree/onnx_ml_import.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace finserve::runtime::tree {
namespace {

constexpr int8_t kLeafMode = -1;
// Vector-leaf trees store nodes x outputs floats; beyond this a hostile file would ask for
// gigabytes (256 MiB of leaf values per tree is far above any real model).
constexpr size_t kMaxLeafVectorValues = size_t{1} << 26;

Result<int8_t> ParseMode(const std::string& mode, size_t i) {
  static const std::pair<std::string_view, CompareMode> kModes[] = {
      {"BRANCH_LEQ", CompareMode::kLe}, {"BRANCH_LT", CompareMode::kLt}, {"BRANCH_GTE", CompareMode::kGe},
      {"BRANCH_GT", CompareMode::kGt},  {"BRANCH_EQ", CompareMode::kEq}, {"BRANCH_NEQ", CompareMode::kNeq}};
  if (mode == "LEAF") return kLeafMode;
  for (const auto& [name, m] : kModes) {
    if (mode == name) return static_cast<int8_t>(m);
  }
  return InvalidArgument(fmt::format("nodes_modes[{}]: '{}' is not one of LEAF, BRANCH_LEQ, BRANCH_LT, "
                                     "BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ", i, mode));
}

Status CheckLengths(const OnnxMlTreeAttributes& a) {
  const size_t n = a.node_ids.size();
  if (n == 0) return InvalidArgument("nodes_nodeids is empty: the ensemble has no nodes");
  const std::pair<std::string_view, size_t> node_arrays[] = {
      {"nodes_treeids", a.tree_ids.size()},       {"nodes_featureids", a.feature_ids.size()},
      {"nodes_truenodeids", a.true_ids.size()},   {"nodes_falsenodeids", a.false_ids.size()},
      {"nodes_modes", a.modes.size()},            {"nodes_values", a.thresholds.size()}};
  for (const auto& [name, size] : node_arrays) {
    if (size != n) return InvalidArgument(fmt::format("{} has {} entries but nodes_nodeids has {}", name, size, n));
  }
  if (!a.missing_tracks_true.empty() && a.missing_tracks_true.size() != n) {
    return InvalidArgument(fmt::format("nodes_missing_value_tracks_true has {} entries but nodes_nodeids has {}",
                                       a.missing_tracks_true.size(), n));
  }
  const size_t v = a.vote_weights.size();
  const std::pair<std::string, size_t> vote_arrays[] = {{a.vote_prefix + "_treeids", a.vote_tree_ids.size()},
                                                         {a.vote_prefix + "_nodeids", a.vote_node_ids.size()},
                                                         {a.vote_prefix + "_ids", a.vote_output_ids.size()}};
  for (const auto& [name, size] : vote_arrays) {
    if (size != v) {
      return InvalidArgument(fmt::format("{} has {} entries but {}_weights has {}", name, size, a.vote_prefix, v));
    }
  }
  if (a.num_outputs < 1) return InvalidArgument(fmt::format("the ensemble must have at least one output, got {}", a.num_outputs));
  return Status::Ok();
}

// Attribute indices grouped by tree (trees in order of first appearance), nodes in file order,
// and each node's tree-local position.
struct NodeIndex {
  std::map<int64_t, int32_t> tree_of_id;
  std::vector<std::map<int64_t, int32_t>> local_of_id;  // per tree: node id -> position
  std::vector<std::vector<size_t>> members;             // per tree: attribute indices
};

Result<NodeIndex> IndexNodes(const OnnxMlTreeAttributes& a) {
  NodeIndex index;
  for (size_t i = 0; i < a.node_ids.size(); ++i) {
    auto [it, added] = index.tree_of_id.emplace(a.tree_ids[i], static_cast<int32_t>(index.members.size()));
    if (added) {
      index.members.emplace_back();
      index.local_of_id.emplace_back();
    }
    const int32_t t = it->second;
    auto& locals = index.local_of_id[t];
    if (!locals.emplace(a.node_ids[i], static_cast<int32_t>(index.members[t].size())).second) {
      return InvalidArgument(
          fmt::format("nodes_nodeids[{}]: tree {} defines node {} twice", i, a.tree_ids[i], a.node_ids[i]));
    }
    index.members[t].push_back(i);
  }
  return index;
}

Result<int32_t> ChildPosition(const OnnxMlTreeAttributes& a, const NodeIndex& index, int32_t t, size_t i,
                              bool true_side) {
  const int64_t id = true_side ? a.true_ids[i] : a.false_ids[i];
  const auto& locals = index.local_of_id[t];
  auto it = locals.find(id);
  if (it == locals.end()) {
    return InvalidArgument(fmt::format("{}[{}]: tree {}, node {}: child {} does not exist in tree {}",
                                       true_side ? "nodes_truenodeids" : "nodes_falsenodeids", i, a.tree_ids[i],
                                       a.node_ids[i], id, a.tree_ids[i]));
  }
  return it->second;
}

// The tree's nodes with the root (the one node no branch points to) moved to position 0.
Result<std::vector<int32_t>> RootFirstOrder(const OnnxMlTreeAttributes& a, const NodeIndex& index,
                                            const std::vector<int8_t>& modes, int32_t t) {
  const auto& members = index.members[t];
  std::vector<bool> referenced(members.size(), false);
  for (size_t pos = 0; pos < members.size(); ++pos) {
    const size_t i = members[pos];
    if (modes[i] == kLeafMode) continue;
    for (bool side : {true, false}) {
      FS_ASSIGN_OR_RETURN(int32_t child, ChildPosition(a, index, t, i, side));
      referenced[child] = true;
    }
  }
  std::vector<int32_t> roots;
  for (size_t pos = 0; pos < members.size(); ++pos) {
    if (!referenced[pos]) roots.push_back(static_cast<int32_t>(pos));
  }
  const int64_t tree_id = a.tree_ids[members[0]];
  if (roots.size() != 1) {
    return InvalidArgument(roots.empty()
                               ? fmt::format("tree {}: every node is some branch's child (a cycle): no root", tree_id)
                               : fmt::format("tree {}: {} nodes are nobody's child (nodes {} and {}): a tree has one root",
                                             tree_id, roots.size(), a.node_ids[members[roots[0]]],
                                             a.node_ids[members[roots[1]]]));
  }
  std::vector<int32_t> order = {roots[0]};
  for (int32_t pos = 0; pos < static_cast<int32_t>(members.size()); ++pos) {
    if (pos != roots[0]) order.push_back(pos);
  }
  return order;
}

struct TreeDraft {
  Tree tree;
  std::vector<int32_t> engine_of_local;  // file position -> engine node index
};

Result<TreeDraft> BuildTreeNodes(const OnnxMlTreeAttributes& a, const NodeIndex& index,
                                 const std::vector<int8_t>& modes, int32_t t, bool* has_equality) {
  FS_ASSIGN_OR_RETURN(std::vector<int32_t> order, RootFirstOrder(a, index, modes, t));
  TreeDraft draft;
  draft.engine_of_local.assign(order.size(), 0);
  for (size_t e = 0; e < order.size(); ++e) draft.engine_of_local[order[e]] = static_cast<int32_t>(e);
  draft.tree.nodes.resize(order.size());
  for (size_t e = 0; e < order.size(); ++e) {
    const size_t i = index.members[t][order[e]];
    TreeNode& node = draft.tree.nodes[e];
    if (modes[i] == kLeafMode) continue;  // feature -1: a leaf
    if (a.feature_ids[i] < 0 || a.feature_ids[i] >= std::numeric_limits<int32_t>::max()) {
      return InvalidArgument(fmt::format("nodes_featureids[{}]: tree {}, node {}: feature {} is out of range", i,
                                         a.tree_ids[i], a.node_ids[i], a.feature_ids[i]));
    }
    node.feature = static_cast<int32_t>(a.feature_ids[i]);
    node.mode = static_cast<CompareMode>(modes[i]);
    node.threshold = a.thresholds[i];
    FS_ASSIGN_OR_RETURN(int32_t left, ChildPosition(a, index, t, i, true));
    FS_ASSIGN_OR_RETURN(int32_t right, ChildPosition(a, index, t, i, false));
    node.left = draft.engine_of_local[left];
    node.right = draft.engine_of_local[right];
    const bool tracks_true = !a.missing_tracks_true.empty() && a.missing_tracks_true[i] != 0;
    node.missing_goes_left = tracks_true || node.mode == CompareMode::kNeq;
    *has_equality = *has_equality || node.mode == CompareMode::kEq || node.mode == CompareMode::kNeq;
  }
  return draft;
}

// Votes of one tree: (engine node, output) -> combined weight.
using TreeVotes = std::map<std::pair<int32_t, int32_t>, double>;

Status CollectVotes(const OnnxMlTreeAttributes& a, const NodeIndex& index, const std::vector<TreeDraft>& drafts,
                    std::vector<TreeVotes>* votes, std::vector<bool>* voted) {
  votes->assign(drafts.size(), {});
  voted->assign(static_cast<size_t>(a.num_outputs), false);
  const std::string& p = a.vote_prefix;
  for (size_t v = 0; v < a.vote_weights.size(); ++v) {
    auto t = index.tree_of_id.find(a.vote_tree_ids[v]);
    const auto* locals = t == index.tree_of_id.end() ? nullptr : &index.local_of_id[t->second];
    auto n = locals ? locals->find(a.vote_node_ids[v]) : std::map<int64_t, int32_t>::const_iterator();
    if (!locals || n == locals->end()) {
      return InvalidArgument(fmt::format("{}_nodeids[{}]: tree {} has no node {}", p, v, a.vote_tree_ids[v],
                                         a.vote_node_ids[v]));
    }
    const int32_t node = drafts[t->second].engine_of_local[n->second];
    if (!drafts[t->second].tree.nodes[node].is_leaf()) {
      return InvalidArgument(fmt::format("{}_nodeids[{}]: tree {}, node {} is a branch: weights belong on leaves", p,
                                         v, a.vote_tree_ids[v], a.vote_node_ids[v]));
    }
    const int64_t out = a.vote_output_ids[v];
    if (out < 0 || out >= a.num_outputs) {
      return InvalidArgument(fmt::format("{}_ids[{}]: {} {} is out of range [0, {})", p, v, p, out, a.num_outputs));
    }
    const double w = a.vote_weights[v];
    auto [it, added] = (*votes)[t->second].emplace(std::make_pair(node, static_cast<int32_t>(out)), w);
    if (!added) {
      double& acc = it->second;
      acc = a.combine == VoteCombination::kSum ? acc + w
            : a.combine == VoteCombination::kMin ? std::min(acc, w) : std::max(acc, w);
    }
    (*voted)[static_cast<size_t>(out)] = true;
  }
  return Status::Ok();
}

// Scalar leaves when every vote of the tree is for one output, vector leaves otherwise.
Status PlaceVotes(const TreeVotes& votes, int32_t num_outputs, VoteCombination combine, size_t t, Tree* tree) {
  const float none = combine == VoteCombination::kSum ? 0.0f : std::numeric_limits<float>::quiet_NaN();
  int32_t single = votes.empty() ? 0 : votes.begin()->first.second;
  for (const auto& [key, w] : votes) {
    if (key.second != single) single = -1;
  }
  if (single >= 0) {
    tree->output = single;
    for (TreeNode& node : tree->nodes) node.leaf_value = node.is_leaf() ? none : 0.0f;
    for (const auto& [key, w] : votes) tree->nodes[key.first].leaf_value = static_cast<float>(w);
    return Status::Ok();
  }
  if (tree->nodes.size() * static_cast<size_t>(num_outputs) > kMaxLeafVectorValues) {
    return InvalidArgument(fmt::format("tree {}: {} nodes x {} outputs of leaf weights is more than {} values", t,
                                       tree->nodes.size(), num_outputs, kMaxLeafVectorValues));
  }
  tree->output = Tree::kVectorLeaf;
  tree->leaf_vectors.assign(tree->nodes.size() * static_cast<size_t>(num_outputs), none);
  for (const auto& [key, w] : votes) {
    tree->leaf_vectors[static_cast<size_t>(key.first) * num_outputs + key.second] = static_cast<float>(w);
  }
  return Status::Ok();
}

Result<int32_t> CountFeatures(const OnnxMlTreeAttributes& a, const std::vector<Tree>& trees) {
  int32_t needed = 0;
  for (const Tree& tree : trees) {
    for (const TreeNode& node : tree.nodes) needed = std::max(needed, node.feature + 1);
  }
  if (a.num_features > 0 && needed > a.num_features) {
    return InvalidArgument(fmt::format("nodes_featureids uses feature {} but the input has {} features", needed - 1,
                                       a.num_features));
  }
  return std::max({needed, a.num_features, 1});
}

}  // namespace

Result<OnnxMlTrees> ImportOnnxMlTrees(const OnnxMlTreeAttributes& a) {
  FS_RETURN_IF_ERROR(CheckLengths(a));
  std::vector<int8_t> modes(a.modes.size());
  for (size_t i = 0; i < a.modes.size(); ++i) {
    FS_ASSIGN_OR_RETURN(modes[i], ParseMode(a.modes[i], i));
  }
  FS_ASSIGN_OR_RETURN(NodeIndex index, IndexNodes(a));
  OnnxMlTrees out;
  std::vector<TreeDraft> drafts;
  for (int32_t t = 0; t < static_cast<int32_t>(index.members.size()); ++t) {
    FS_ASSIGN_OR_RETURN(TreeDraft draft, BuildTreeNodes(a, index, modes, t, &out.has_equality_splits));
    drafts.push_back(std::move(draft));
  }
  std::vector<TreeVotes> votes;
  FS_RETURN_IF_ERROR(CollectVotes(a, index, drafts, &votes, &out.voted_outputs));
  TreeEnsemble::Spec spec;
  spec.num_outputs = a.num_outputs;
  spec.base_margin.assign(static_cast<size_t>(a.num_outputs), 0.0f);
  for (size_t t = 0; t < drafts.size(); ++t) {
    FS_RETURN_IF_ERROR(PlaceVotes(votes[t], a.num_outputs, a.combine, t, &drafts[t].tree));
    spec.trees.push_back(std::move(drafts[t].tree));
  }
  FS_ASSIGN_OR_RETURN(spec.num_features, CountFeatures(a, spec.trees));
  FS_ASSIGN_OR_RETURN(out.ensemble, TreeEnsemble::Create(std::move(spec)));
  return out;
}

}  // namespace finserve::runtime::tree
