#include "runtime/tree/tree_fast_layout.h"

#include <algorithm>
#include <bit>
#include <deque>
#include <utility>

#include <fmt/format.h>

namespace finserve::runtime::tree::internal {
namespace {

using Encoder = CanonicalSplit (*)(const TreeNode& node, int32_t num_features);

CanonicalSplit ExplicitForm(const TreeNode& node, int32_t) { return CanonicalizeSplit(node); }

// Where FillPerfect writes: node i at codes[i * stride], leaf j at leaves[j * stride].
struct PerfectTarget {
  uint32_t* codes;
  float* thresholds;
  float* leaves;
  size_t stride;
};

// Writes `tree` as a perfect tree of `depth` in level order. A leaf above the bottom level fills
// every bottom leaf below its position; the padding nodes above those keep whatever the target
// holds (zeros), since all their paths end on the same value.
void FillPerfect(const Tree& tree, int32_t depth, Encoder encode, int32_t num_features, const PerfectTarget& out) {
  struct Item { int32_t node; size_t pos; int32_t level; };
  std::vector<Item> stack = {{0, 0, 0}};
  while (!stack.empty()) {
    const Item item = stack.back();
    stack.pop_back();
    const TreeNode& node = tree.nodes[item.node];
    if (node.is_leaf()) {
      const int32_t shift = depth - item.level;
      const size_t first = (item.pos - ((size_t{1} << item.level) - 1)) << shift;
      for (size_t j = first; j < first + (size_t{1} << shift); ++j) out.leaves[j * out.stride] = node.leaf_value;
      continue;
    }
    const CanonicalSplit split = encode(node, num_features);
    out.codes[item.pos * out.stride] = split.code;
    out.thresholds[item.pos * out.stride] = split.threshold;
    stack.push_back({split.swap_children ? node.right : node.left, 2 * item.pos + 1, item.level + 1});
    stack.push_back({split.swap_children ? node.left : node.right, 2 * item.pos + 2, item.level + 1});
  }
}

struct Builder {
  const TreeEnsemble& ensemble;
  FastForest& forest;

  void AddPerfectTree(const Tree& tree, int32_t depth);
  void AddSparseTree(const Tree& tree, size_t t);
  void AddBlock(size_t first_tree, size_t count, int32_t depth);
};

void Builder::AddPerfectTree(const Tree& tree, int32_t depth) {
  FlatTree flat{TreeLayout::kPerfect, depth, tree.output, static_cast<uint32_t>(forest.codes.size()),
                static_cast<uint32_t>(forest.leaf_values.size())};
  const size_t internal = (size_t{1} << depth) - 1;
  forest.codes.resize(forest.codes.size() + internal, 0);
  forest.thresholds.resize(forest.thresholds.size() + internal, 0.0f);
  forest.children.resize(forest.children.size() + internal, 0);
  forest.leaf_values.resize(forest.leaf_values.size() + internal + 1, 0.0f);
  FillPerfect(tree, depth, ToColumnSplit, forest.num_features,
              {forest.codes.data() + flat.nodes, forest.thresholds.data() + flat.nodes,
               forest.leaf_values.data() + flat.leaves, 1});
  forest.trees.push_back(flat);
}

void Builder::AddSparseTree(const Tree& tree, size_t t) {
  FlatTree flat{TreeLayout::kSparse, ensemble.TreeDepth(t), tree.output,
                static_cast<uint32_t>(forest.codes.size()), static_cast<uint32_t>(forest.leaf_values.size())};
  // Breadth first; slots are handed out in pairs so that siblings are adjacent.
  std::deque<std::pair<int32_t, size_t>> queue = {{0, 0}};  // (source node, new slot)
  size_t next_slot = 1;
  int32_t next_leaf = 0;
  forest.codes.push_back(0);
  forest.thresholds.push_back(0.0f);
  forest.children.push_back(0);
  while (!queue.empty()) {
    const auto [id, slot] = queue.front();
    queue.pop_front();
    const TreeNode& node = tree.nodes[id];
    const size_t at = flat.nodes + slot;
    if (node.is_leaf()) {
      forest.children[at] = -(next_leaf++) - 1;
      if (tree.has_vector_leaves()) {
        const auto values = ensemble.leaf_vector(t, id);
        forest.leaf_values.insert(forest.leaf_values.end(), values.begin(), values.end());
      } else {
        forest.leaf_values.push_back(node.leaf_value);
      }
      continue;
    }
    const CanonicalSplit split = ToColumnSplit(node, forest.num_features);
    forest.codes[at] = split.code;
    forest.thresholds[at] = split.threshold;
    forest.children[at] = static_cast<int32_t>(next_slot);
    queue.emplace_back(split.swap_children ? node.right : node.left, next_slot);
    queue.emplace_back(split.swap_children ? node.left : node.right, next_slot + 1);
    next_slot += 2;
    forest.codes.resize(flat.nodes + next_slot, 0);
    forest.thresholds.resize(flat.nodes + next_slot, 0.0f);
    forest.children.resize(flat.nodes + next_slot, 0);
  }
  forest.trees.push_back(flat);
}

// Interleaves trees [first_tree, first_tree + count), padded to `depth`, lane by lane; lanes from
// `count` to 16 stay zero (padding, never added to a margin).
void Builder::AddBlock(size_t first_tree, size_t count, int32_t depth) {
  const size_t internal = (size_t{1} << depth) - 1;
  std::vector<uint32_t> codes(internal * kBlockTrees, 0);
  std::vector<float> thresholds(internal * kBlockTrees, 0.0f);
  TreeBlock block{static_cast<uint32_t>(forest.block_codes.size()), static_cast<uint32_t>(forest.block_pairs.size()),
                  static_cast<uint32_t>(forest.block_leaves.size())};
  forest.block_leaves.resize(forest.block_leaves.size() + (internal + 1) * kBlockTrees, 0.0f);
  for (size_t l = 0; l < count; ++l) {
    FillPerfect(ensemble.tree(first_tree + l), depth, ExplicitForm, forest.num_features,
                {codes.data() + l, thresholds.data() + l, forest.block_leaves.data() + block.leaves + l, kBlockTrees});
  }
  const size_t top = std::min(internal, kBlockTopNodes) * kBlockTrees;
  forest.block_codes.insert(forest.block_codes.end(), codes.begin(), codes.begin() + top);
  forest.block_thresholds.insert(forest.block_thresholds.end(), thresholds.begin(), thresholds.begin() + top);
  for (size_t i = top; i < codes.size(); ++i) {
    forest.block_pairs.push_back(codes[i]);
    forest.block_pairs.push_back(std::bit_cast<uint32_t>(thresholds[i]));
  }
  forest.blocks.push_back(block);
}

// Chunks: runs of up to kChunkTrees consecutive perfect trees (padded to their deepest), and one
// chunk per sparse tree.
std::vector<TreeChunk> PlanChunks(const TreeEnsemble& ensemble) {
  std::vector<TreeChunk> chunks;
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const int32_t depth = ensemble.TreeDepth(t);
    const bool perfect = !ensemble.tree(t).has_vector_leaves() && depth <= kMaxPerfectDepth;
    const bool extend = perfect && !chunks.empty() && chunks.back().layout == TreeLayout::kPerfect &&
                        chunks.back().num_trees < static_cast<uint32_t>(kChunkTrees);
    if (extend) {
      chunks.back().depth = std::max(chunks.back().depth, depth);
      ++chunks.back().num_trees;
      continue;
    }
    TreeChunk chunk;
    chunk.layout = perfect ? TreeLayout::kPerfect : TreeLayout::kSparse;
    chunk.depth = depth;
    chunk.first_tree = static_cast<uint32_t>(t);
    chunk.num_trees = 1;
    chunks.push_back(chunk);
  }
  return chunks;
}

Status CheckConvertible(const TreeEnsemble& ensemble) {
  for (size_t t = 0; t < ensemble.num_trees(); ++t) {
    const auto& nodes = ensemble.tree(t).nodes;
    for (size_t n = 0; n < nodes.size(); ++n) {
      const CompareMode mode = nodes[n].mode;
      if (!nodes[n].is_leaf() && (mode == CompareMode::kEq || mode == CompareMode::kNeq)) {
        return Unimplemented(fmt::format("tree {}, node {}: the fast evaluator has no '{}' splits", t, n,
                                         CompareModeName(mode)));
      }
    }
  }
  return Status::Ok();
}

void AddPadding(FastForest& forest) {
  for (auto* v : {&forest.codes, &forest.block_codes, &forest.block_pairs}) v->resize(v->size() + kArrayPadding, 0);
  for (auto* v : {&forest.thresholds, &forest.leaf_values, &forest.block_thresholds, &forest.block_leaves}) {
    v->resize(v->size() + kArrayPadding, 0.0f);
  }
  forest.children.resize(forest.children.size() + kArrayPadding, 0);
}

}  // namespace

Result<FastForest> BuildFastForest(const TreeEnsemble& ensemble) {
  FS_RETURN_IF_ERROR(CheckConvertible(ensemble));
  FastForest forest;
  forest.num_features = ensemble.num_features();
  forest.num_outputs = ensemble.num_outputs();
  forest.base_margin.assign(ensemble.base_margin().begin(), ensemble.base_margin().end());
  forest.chunks = PlanChunks(ensemble);
  Builder builder{ensemble, forest};
  for (TreeChunk& chunk : forest.chunks) {
    for (uint32_t t = chunk.first_tree; t < chunk.first_tree + chunk.num_trees; ++t) {
      if (chunk.layout == TreeLayout::kPerfect) {
        builder.AddPerfectTree(ensemble.tree(t), chunk.depth);
      } else {
        builder.AddSparseTree(ensemble.tree(t), t);
      }
    }
    if (chunk.layout != TreeLayout::kPerfect) continue;
    chunk.first_block = static_cast<uint32_t>(forest.blocks.size());
    chunk.num_blocks = (chunk.num_trees + kBlockTrees - 1) / kBlockTrees;
    for (uint32_t b = 0; b < chunk.num_blocks; ++b) {
      const uint32_t first = b * kBlockTrees;
      builder.AddBlock(chunk.first_tree + first, std::min<uint32_t>(kBlockTrees, chunk.num_trees - first), chunk.depth);
    }
  }
  const auto nf = static_cast<uint32_t>(forest.num_features);
  const bool indicators = std::any_of(forest.codes.begin(), forest.codes.end(), [nf](uint32_t c) { return c >= 2 * nf; });
  forest.num_columns = static_cast<int32_t>((indicators ? 3 : 2) * nf);
  AddPadding(forest);
  return forest;
}

}  // namespace finserve::runtime::tree::internal
