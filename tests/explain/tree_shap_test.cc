// TreeSHAP against its twins: the brute-force Shapley enumeration (exact, in double) on small
// random trees, and the recursive reference kernel on large ones (every comparison mode, NaN
// directions, infinities, repeated features on a path, vector leaves, chains 40 splits deep);
// additivity (contributions + bias = margin) for every kernel on every model; batch = single rows.
#include "explain/tree_shap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "explain/brute_force_shapley.h"
#include "explain/tree_shap_reference.h"
#include "runtime/tree/random_ensemble.h"
#include "runtime/tree/tree_eval_reference.h"

namespace finserve::explain {
namespace {

using runtime::tree::CompareMode;
using runtime::tree::Tree;
using runtime::tree::TreeEnsemble;
using runtime::tree::TreeNode;
using runtime::tree::testing::RandomEnsembleFactory;
using runtime::tree::testing::RandomEnsembleOptions;

// The random factory gives splits arbitrary covers and leaves none: give every node a cover.
// consistent: a split's cover is the sum of its children's (as XGBoost's are); otherwise up to
// 50% more (children never outweigh their parent, in any real model).
float AssignCover(Tree& tree, int32_t id, std::mt19937& rng, bool consistent) {
  TreeNode& node = tree.nodes[id];
  std::uniform_int_distribution<int> pick(1, 200);
  if (node.is_leaf()) return node.cover = static_cast<float>(pick(rng)) * 0.25f;
  const float sum = AssignCover(tree, node.left, rng, consistent) + AssignCover(tree, node.right, rng, consistent);
  const float extra = consistent ? 1.0f : std::uniform_real_distribution<float>(1.0f, 1.5f)(rng);
  return tree.nodes[id].cover = sum * extra;
}

TreeEnsemble WithCovers(const TreeEnsemble& ensemble, uint32_t seed, bool consistent) {
  std::mt19937 rng(seed);
  TreeEnsemble::Spec spec;
  spec.num_features = ensemble.num_features();
  spec.num_outputs = ensemble.num_outputs();
  spec.base_margin.assign(ensemble.base_margin().begin(), ensemble.base_margin().end());
  spec.trees = ensemble.trees();
  for (Tree& tree : spec.trees) AssignCover(tree, 0, rng, consistent);
  auto out = TreeEnsemble::Create(std::move(spec));
  EXPECT_TRUE(out.ok());
  return std::move(out).value();
}

std::vector<ShapKernel> Kernels() {
  std::vector<ShapKernel> kernels = {ShapKernel::kReference, ShapKernel::kScalar};
  if (TreeShap::Create(WithCovers(RandomEnsembleFactory(1).Make({}), 1, true), ShapKernel::kAvx512).ok()) {
    kernels.push_back(ShapKernel::kAvx512);
  }
  return kernels;
}

std::vector<float> Explain(const TreeShap& shap, const std::vector<float>& rows, int64_t n) {
  std::vector<float> out(static_cast<size_t>(n) * shap.num_outputs() * (shap.num_features() + 1));
  shap.Explain(rows.data(), n, out.data());
  return out;
}

// Contributions + bias = the ensemble's margin, per row and output.
void ExpectAdditive(const TreeEnsemble& ensemble, const std::vector<float>& rows, const std::vector<float>& phi,
                    int64_t n, double tolerance) {
  const int32_t nf = ensemble.num_features();
  const int32_t no = ensemble.num_outputs();
  std::vector<float> margins(static_cast<size_t>(n) * no);
  runtime::tree::ReferenceEvaluator(ensemble).PredictMargins(rows.data(), n, margins.data());
  for (int64_t r = 0; r < n; ++r) {
    for (int32_t k = 0; k < no; ++k) {
      double sum = 0;
      for (int32_t j = 0; j <= nf; ++j) sum += phi[(r * no + k) * (nf + 1) + j];
      const double margin = margins[r * no + k];
      ASSERT_NEAR(sum, margin, tolerance * (1 + std::fabs(margin))) << "row " << r << " output " << k;
    }
  }
}

double MaxRelativeError(const std::vector<float>& got, const std::vector<double>& want) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    worst = std::max(worst, std::fabs(got[i] - want[i]) / (1 + std::fabs(want[i])));
  }
  return worst;
}

TEST(TreeShapTest, EveryKernelEqualsBruteForceShapleyOnSmallTrees) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    RandomEnsembleOptions options;
    options.num_features = 6;
    options.num_trees = 12;
    options.deep_trees = false;
    options.num_outputs = seed % 3 == 0 ? 3 : 1;
    options.vector_leaves = seed % 3 == 0;
    RandomEnsembleFactory factory(seed);
    const TreeEnsemble ensemble = WithCovers(factory.Make(options), seed, seed % 2 == 0);
    const int64_t n = 40;
    const std::vector<float> rows = factory.MakeRows(n, options.num_features);
    for (ShapKernel kernel : Kernels()) {
      auto shap = TreeShap::Create(ensemble, kernel);
      ASSERT_TRUE(shap.ok()) << shap.status().ToString();
      const std::vector<float> phi = Explain(**shap, rows, n);
      const size_t per_row = phi.size() / n;
      double worst = 0;
      for (int64_t r = 0; r < n; ++r) {
        const std::vector<double> want = testing::BruteForceTreeShapley(ensemble, &rows[r * options.num_features]);
        const std::vector<float> got(phi.begin() + r * per_row, phi.begin() + (r + 1) * per_row);
        worst = std::max(worst, MaxRelativeError(got, want));
      }
      // Float against double: the leaves span 1e-4..1e2 and a row sums a dozen trees.
      EXPECT_LT(worst, 1e-5) << "seed " << seed << " kernel " << ShapKernelName(kernel);
      ExpectAdditive(ensemble, rows, phi, n, 1e-5);
    }
  }
}

TEST(TreeShapTest, FastKernelsEqualTheRecursiveReferenceOnLargeEnsembles) {
  for (uint32_t seed = 20; seed < 26; ++seed) {
    RandomEnsembleOptions options;
    options.num_features = 12;
    options.num_trees = 60;
    options.deep_trees = true;  // chains of 20-40 splits, random trees of depth 9-12
    options.num_outputs = seed % 2 == 0 ? 1 : 4;
    options.vector_leaves = seed % 2 == 1;
    RandomEnsembleFactory factory(seed);
    const TreeEnsemble ensemble = WithCovers(factory.Make(options), seed, true);
    const int64_t n = 64;
    const std::vector<float> rows = factory.MakeRows(n, options.num_features);
    auto reference = TreeShap::Create(ensemble, ShapKernel::kReference);
    ASSERT_TRUE(reference.ok());
    const std::vector<float> want = Explain(**reference, rows, n);
    for (ShapKernel kernel : Kernels()) {
      auto shap = TreeShap::Create(ensemble, kernel);
      ASSERT_TRUE(shap.ok()) << shap.status().ToString();
      EXPECT_EQ((*shap)->kernel(), kernel);
      const std::vector<float> got = Explain(**shap, rows, n);
      const std::vector<double> want_d(want.begin(), want.end());
      EXPECT_LT(MaxRelativeError(got, want_d), 2e-5) << "seed " << seed << " kernel " << ShapKernelName(kernel);
      ExpectAdditive(ensemble, rows, got, n, 2e-5);
    }
  }
}

TEST(TreeShapTest, BatchEqualsSingleRows) {
  RandomEnsembleFactory factory(77);
  const TreeEnsemble ensemble = WithCovers(factory.Make({}), 77, true);
  const int64_t n = 33;
  const std::vector<float> rows = factory.MakeRows(n, 8);
  for (ShapKernel kernel : Kernels()) {
    auto shap = TreeShap::Create(ensemble, kernel);
    ASSERT_TRUE(shap.ok());
    const std::vector<float> batch = Explain(**shap, rows, n);
    const size_t per_row = batch.size() / n;
    for (int64_t r = 0; r < n; ++r) {
      std::vector<float> one(per_row);
      (*shap)->Explain(&rows[r * 8], 1, one.data());
      for (size_t j = 0; j < per_row; ++j) ASSERT_EQ(one[j], batch[r * per_row + j]) << "row " << r;
    }
  }
}

TEST(TreeShapTest, PathsDeeperThanTheBlockKernelsUseTheReference) {
  TreeEnsemble::Spec spec;
  spec.num_features = 3;
  spec.base_margin = {0.5f};
  Tree tree;
  for (int d = 0; d < 70; ++d) {  // a chain: node 2d splits, 2d+1 is a leaf, 2d+2 continues
    TreeNode split{d % 3, 2 * d + 1, 2 * d + 2, CompareMode::kLt, d % 2 == 0, 0.01 * d, 0, 0};
    tree.nodes.push_back(split);
    tree.nodes.push_back(TreeNode{-1, -1, -1, CompareMode::kLt, true, 0, 0.1f * d, 0});
  }
  tree.nodes.push_back(TreeNode{-1, -1, -1, CompareMode::kLt, true, 0, 7.0f, 0});
  spec.trees.push_back(tree);
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  ASSERT_TRUE(ensemble.ok());
  const TreeEnsemble covered = WithCovers(*ensemble, 3, true);
  auto shap = TreeShap::Create(covered);
  ASSERT_TRUE(shap.ok()) << shap.status().ToString();
  EXPECT_EQ((*shap)->kernel(), ShapKernel::kReference);
  const std::vector<float> row = {0.3f, NAN, 0.7f};
  ExpectAdditive(covered, row, Explain(**shap, row, 1), 1, 1e-5);
}

TEST(TreeShapTest, RefusesTreesWithoutCovers) {
  RandomEnsembleFactory factory(5);
  const TreeEnsemble ensemble = factory.Make({});  // leaves carry no cover
  auto shap = TreeShap::Create(ensemble);
  ASSERT_FALSE(shap.ok());
  EXPECT_THAT(shap.status().message(), ::testing::HasSubstr("TreeSHAP needs the training weight (cover)"));
  EXPECT_THAT(shap.status().message(), ::testing::StartsWith("tree 0, node "));
}

TEST(TreeShapTest, ReportsPrecomputedMemory) {
  RandomEnsembleFactory factory(9);
  const TreeEnsemble ensemble = WithCovers(factory.Make({}), 9, true);
  auto shap = TreeShap::Create(ensemble, ShapKernel::kScalar);
  ASSERT_TRUE(shap.ok());
  EXPECT_GT((*shap)->memory_bytes(), 1000u);
}

}  // namespace
}  // namespace finserve::explain
