// TreeEnsemble's validation and split semantics, and the post transforms.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/tree/post_transform.h"
#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TreeNode Split(int32_t feature, int32_t left, int32_t right, double threshold, CompareMode mode = CompareMode::kLt,
               bool missing_left = true) {
  return TreeNode{feature, left, right, mode, missing_left, threshold, 0, 0};
}

TreeNode Leaf(float value) {
  TreeNode node;
  node.leaf_value = value;
  return node;
}

TreeEnsemble::Spec OneTree(std::vector<TreeNode> nodes) {
  TreeEnsemble::Spec spec;
  spec.num_features = 2;
  spec.base_margin = {0.0f};
  Tree tree;
  tree.nodes = std::move(nodes);
  spec.trees.push_back(tree);
  return spec;
}

std::string CreateError(TreeEnsemble::Spec spec) {
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  return ensemble.ok() ? "ok" : ensemble.status().message();
}

TEST(TreeEnsembleTest, ValidatesStructureNamingTreeAndNode) {
  EXPECT_EQ(CreateError(OneTree({Split(0, 1, 2, 0.5), Leaf(1), Leaf(2)})), "ok");
  EXPECT_EQ(CreateError(OneTree({})), "tree 0: has no nodes");
  EXPECT_EQ(CreateError(OneTree({Split(0, 1, 3, 0.5), Leaf(1), Leaf(2)})),
            "tree 0, node 0: right child 3 is out of range [0, 3)");
  EXPECT_EQ(CreateError(OneTree({Split(0, 1, 2, 0.5), Split(1, 0, 2, 1.0), Leaf(2)})),
            "tree 0, node 1: child 0 is reached twice (the tree has a cycle or a shared subtree)");
  EXPECT_EQ(CreateError(OneTree({Split(2, 1, 2, 0.5), Leaf(1), Leaf(2)})),
            "tree 0, node 0: split feature 2 is out of range [0, 2)");
  EXPECT_EQ(CreateError(OneTree({Split(0, 1, 2, std::nan("")), Leaf(1), Leaf(2)})),
            "tree 0, node 0: split threshold is NaN");
  // Unreachable nodes (XGBoost's deleted nodes) are ignored, whatever they hold.
  EXPECT_EQ(CreateError(OneTree({Split(0, 1, 2, 0.5), Leaf(1), Leaf(2), Split(7, 9, 9, 0)})), "ok");

  TreeEnsemble::Spec bad_output = OneTree({Leaf(1)});
  bad_output.trees[0].output = 1;
  EXPECT_EQ(CreateError(bad_output), "tree 0: output index 1 is out of range [0, 1)");
  TreeEnsemble::Spec bad_vector = OneTree({Leaf(1)});
  bad_vector.trees[0].output = Tree::kVectorLeaf;
  EXPECT_EQ(CreateError(bad_vector), "tree 0: vector leaves need 1 values (1 nodes x 1 outputs), got 0");
  TreeEnsemble::Spec bad_base = OneTree({Leaf(1)});
  bad_base.base_margin = {0.0f, 1.0f};
  EXPECT_EQ(CreateError(bad_base), "base_margin has 2 values for 1 outputs");
}

TEST(TreeEnsembleTest, DepthIsTheDeepestReachableLeaf) {
  auto ensemble = TreeEnsemble::Create(OneTree({Split(0, 2, 1, 0.5), Leaf(1), Split(1, 3, 4, 0.0), Leaf(2), Leaf(3)}));
  ASSERT_TRUE(ensemble.ok());
  EXPECT_EQ(ensemble->TreeDepth(0), 2);
  auto single = TreeEnsemble::Create(OneTree({Leaf(1)}));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->TreeDepth(0), 0);
}

TEST(TreeNodeTest, NextFollowsTheModeAndSendsNaNTheDefaultWay) {
  struct Case { CompareMode mode; float v; int32_t want; };
  const Case cases[] = {
      {CompareMode::kLt, 0.5f, 2}, {CompareMode::kLt, 0.4f, 1},   // XGBoost: x < split goes left
      {CompareMode::kLe, 0.5f, 1}, {CompareMode::kLe, 0.6f, 2},
      {CompareMode::kGt, 0.5f, 2}, {CompareMode::kGt, 0.6f, 1},
      {CompareMode::kGe, 0.5f, 1}, {CompareMode::kGe, 0.4f, 2},
      {CompareMode::kEq, 0.5f, 1}, {CompareMode::kEq, 0.4f, 2},
      {CompareMode::kNeq, 0.5f, 2}, {CompareMode::kNeq, 0.4f, 1},
  };
  for (const Case& c : cases) {
    const TreeNode node = Split(0, 1, 2, 0.5, c.mode);
    EXPECT_EQ(node.Next(c.v), c.want) << CompareModeName(c.mode) << " " << c.v;
  }
  EXPECT_EQ(Split(0, 1, 2, 0.5, CompareMode::kLt, true).Next(kNaN), 1);
  EXPECT_EQ(Split(0, 1, 2, 0.5, CompareMode::kLt, false).Next(kNaN), 2);
  // A double threshold between two floats is compared exactly.
  const double just_above = double{0.1f} + 1e-12;
  EXPECT_EQ(Split(0, 1, 2, just_above, CompareMode::kLt).Next(0.1f), 1);
  EXPECT_EQ(Split(0, 1, 2, just_above, CompareMode::kGe).Next(std::nextafter(0.1f, 1.0f)), 1);
  EXPECT_EQ(Split(0, 1, 2, 0.1, CompareMode::kLt).Next(0.1f), 2);  // 0.1f is above the double 0.1
}

TEST(TreePostTransformTest, MatchesTheMathWithinFloatRounding) {
  for (float m : {-30.0f, -2.5f, -1e-3f, 0.0f, 0.7f, 4.0f, 25.0f}) {
    EXPECT_NEAR(Sigmoid(m), 1.0 / (1.0 + std::exp(-double{m})), 1e-7) << m;
  }
  EXPECT_EQ(Sigmoid(-100.0f), 1.0f / (std::exp(88.7f) + 1.0f));  // XGBoost's clamp: never 0/inf
  const std::vector<float> margins = {1.0f, 2.0f, 3.0f, -1.0f, -1.0f, -1.0f};
  std::vector<float> out(6);
  ApplyPostTransform(PostTransform::kSoftmax, 3, margins, out);
  const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(out[2], std::exp(3.0) / z, 1e-7);
  EXPECT_NEAR(out[3] + out[4] + out[5], 1.0, 1e-7);
  ApplyPostTransform(PostTransform::kExp, 1, margins, out);
  EXPECT_EQ(out[1], std::exp(2.0f));
  ApplyPostTransform(PostTransform::kIdentity, 1, margins, out);
  EXPECT_EQ(out, margins);
}

TEST(TreePostTransformTest, ArgMaxTakesTheFirstLargest) {
  const std::vector<float> values = {0.1f, 0.7f, 0.7f, 0.2f};
  EXPECT_EQ(ArgMax(values), 1);
}

}  // namespace
}  // namespace finserve::runtime::tree
