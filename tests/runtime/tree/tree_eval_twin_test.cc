// The fast evaluator against its reference twin: bit-identical margins on random ensembles and
// inputs (NaN, +-inf, values exactly on thresholds), for every kernel this CPU runs and for batch
// sizes that exercise the single-row path, full 16-row blocks and padded tails.
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/tree/random_ensemble.h"
#include "runtime/tree/tree_eval_fast.h"
#include "runtime/tree/tree_eval_reference.h"
#include "runtime/tree/tree_fast_layout.h"
#include "runtime/tree/tree_kernels.h"

namespace finserve::runtime::tree {
namespace {

using testing::RandomEnsembleFactory;
using testing::RandomEnsembleOptions;

std::vector<TreeKernel> KernelsOnThisCpu() {
  std::vector<TreeKernel> kernels = {TreeKernel::kScalar};
  if (internal::CpuHasAvx512()) kernels.push_back(TreeKernel::kAvx512);
  return kernels;
}

// Compares bits, so that -0 vs +0 or a different NaN would fail too.
void ExpectSameBits(const std::vector<float>& fast, const std::vector<float>& reference, const std::string& what) {
  ASSERT_EQ(fast.size(), reference.size());
  for (size_t i = 0; i < fast.size(); ++i) {
    ASSERT_EQ(0, std::memcmp(&fast[i], &reference[i], sizeof(float)))
        << what << " element " << i << ": fast " << fast[i] << " reference " << reference[i];
  }
}

void CheckTwins(const TreeEnsemble& ensemble, RandomEnsembleFactory& factory, const std::string& what) {
  const ReferenceEvaluator reference(ensemble);
  for (TreeKernel kernel : KernelsOnThisCpu()) {
    auto fast = FastTreeEvaluator::Create(ensemble, kernel);
    ASSERT_TRUE(fast.ok()) << fast.status().ToString();
    for (int64_t rows : {1, 2, 5, 6, 15, 16, 17, 40, 64, 70, 129, 200}) {
      const std::vector<float> x = factory.MakeRows(rows, ensemble.num_features());
      std::vector<float> want(rows * ensemble.num_outputs());
      std::vector<float> got(want.size(), -1.0f);
      reference.PredictMargins(x.data(), rows, want.data());
      (*fast)->PredictMargins(x.data(), rows, got.data());
      ExpectSameBits(got, want, what + " kernel " + std::string(TreeKernelName(kernel)) + " rows " +
                                    std::to_string(rows));
    }
  }
}

struct TwinCase {
  std::string name;
  RandomEnsembleOptions options;
};

void PrintTo(const TwinCase& c, std::ostream* os) { *os << c.name; }

class TreeTwinTest : public ::testing::TestWithParam<TwinCase> {};

TEST_P(TreeTwinTest, FastMatchesReferenceBitForBit) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    RandomEnsembleFactory factory(seed * 7919u);
    const TreeEnsemble ensemble = factory.Make(GetParam().options);
    CheckTwins(ensemble, factory, GetParam().name + " seed " + std::to_string(seed));
    if (HasFatalFailure()) return;
  }
}

RandomEnsembleOptions Options(int32_t features, int32_t outputs, int32_t trees, bool all_modes, bool vectors,
                              bool deep) {
  return RandomEnsembleOptions{features, outputs, trees, all_modes, vectors, deep};
}

INSTANTIATE_TEST_SUITE_P(
    RandomEnsembles, TreeTwinTest,
    ::testing::Values(TwinCase{"xgboost_like_16_features", Options(16, 1, 70, false, false, false)},
                      TwinCase{"all_modes_5_features", Options(5, 1, 50, true, false, true)},
                      TwinCase{"all_modes_31_features", Options(31, 1, 48, true, false, true)},
                      TwinCase{"multiclass_40_features", Options(40, 3, 60, true, false, true)},
                      TwinCase{"vector_leaves_64_features", Options(64, 4, 40, true, true, true)},
                      TwinCase{"wide_100_features", Options(100, 1, 50, true, false, true)},
                      TwinCase{"one_feature", Options(1, 2, 35, true, true, true)}),
    [](const ::testing::TestParamInfo<TwinCase>& info) { return info.param.name; });

TEST(TreeTwinTest, SingleLeafTreesOnly) {
  TreeEnsemble::Spec spec;
  spec.num_features = 3;
  spec.base_margin = {0.25f};
  for (int t = 0; t < 37; ++t) {
    Tree tree;
    tree.nodes.push_back(TreeNode{});
    tree.nodes[0].leaf_value = 0.1f * static_cast<float>(t + 1);
    spec.trees.push_back(tree);
  }
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  ASSERT_TRUE(ensemble.ok()) << ensemble.status().ToString();
  RandomEnsembleFactory factory(3);
  CheckTwins(*ensemble, factory, "single leaves");
}

// "x < -inf, NaN goes left" sends only NaN left: the column form needs NaN indicator columns.
TEST(TreeTwinTest, SplitsOnlyNaNCanTakeUseIndicatorColumns) {
  TreeEnsemble::Spec spec;
  spec.num_features = 2;
  spec.base_margin = {0.0f};
  for (int t = 0; t < 40; ++t) {
    Tree tree;
    const double threshold = -std::numeric_limits<double>::infinity();
    tree.nodes = {TreeNode{t % 2, 1, 2, CompareMode::kLt, true, threshold, 0, 0}, TreeNode{}, TreeNode{}};
    tree.nodes[1].leaf_value = 1.0f;
    tree.nodes[2].leaf_value = 0.001f * static_cast<float>(t);
    spec.trees.push_back(tree);
  }
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  ASSERT_TRUE(ensemble.ok());
  auto forest = internal::BuildFastForest(*ensemble);
  ASSERT_TRUE(forest.ok());
  EXPECT_EQ(forest->num_columns, 6);
  RandomEnsembleFactory factory(5);
  CheckTwins(*ensemble, factory, "nan indicators");
}

TEST(TreeTwinTest, NoTreesGivesTheBaseMargin) {
  TreeEnsemble::Spec spec;
  spec.num_features = 2;
  spec.num_outputs = 2;
  spec.base_margin = {0.5f, -1.5f};
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  ASSERT_TRUE(ensemble.ok());
  for (TreeKernel kernel : KernelsOnThisCpu()) {
    auto fast = FastTreeEvaluator::Create(*ensemble, kernel);
    ASSERT_TRUE(fast.ok());
    std::vector<float> x(40, 1.0f), margins(40);
    (*fast)->PredictMargins(x.data(), 20, margins.data());
    for (int r = 0; r < 20; ++r) {
      EXPECT_EQ(margins[2 * r], 0.5f);
      EXPECT_EQ(margins[2 * r + 1], -1.5f);
    }
  }
}

// Both exact rewrites must route every float exactly as Compare() does in double, for every mode,
// both NaN directions, and thresholds between floats, at the float limits and at infinity.
TEST(TreeSplitRewriteTest, RoutesLikeCompareForEveryModeAndThreshold) {
  const float inf = std::numeric_limits<float>::infinity();
  const float max = std::numeric_limits<float>::max();
  const double thresholds[] = {0.0, -0.0, 1.0, 0.1, 0.1 + 1e-12, 1.0 - 1e-17, 1.0 + 1e-9, max, -max, 1e300, -1e300,
                               static_cast<double>(max) * 1.0000001, 1e-42, -1e-45, 1e-50, inf, -inf};
  std::vector<float> values = {0.0f, -0.0f, inf, -inf, max, -max, 1e-45f, -1e-45f,
                               std::numeric_limits<float>::quiet_NaN()};
  for (double t : thresholds) {
    const auto f = static_cast<float>(t);
    for (float v : {f, std::nextafter(f, inf), std::nextafter(f, -inf)}) values.push_back(v);
  }
  for (CompareMode mode : {CompareMode::kLt, CompareMode::kLe, CompareMode::kGt, CompareMode::kGe}) {
    for (double t : thresholds) {
      for (bool missing_left : {false, true}) {
        const TreeNode node{0, 1, 2, mode, missing_left, t, 0, 0};
        const internal::CanonicalSplit explicit_form = internal::CanonicalizeSplit(node);
        const internal::CanonicalSplit column_form = internal::ToColumnSplit(node, 1);
        for (float v : values) {
          const bool right = internal::GoesRightExplicit(explicit_form.code, explicit_form.threshold, &v);
          EXPECT_EQ(right != explicit_form.swap_children ? node.right : node.left, node.Next(v))
              << "explicit form, mode " << CompareModeName(mode) << " t " << t << " v " << v;
          const bool column_right = internal::GoesRight(column_form.code, column_form.threshold, &v, 1);
          EXPECT_EQ(column_right != column_form.swap_children ? node.right : node.left, node.Next(v))
              << "column form, mode " << CompareModeName(mode) << " t " << t << " v " << v << " missing left "
              << missing_left;
        }
      }
    }
  }
}

TEST(TreeFastEvaluatorTest, RefusesEqualitySplits) {
  TreeEnsemble::Spec spec;
  spec.num_features = 1;
  spec.base_margin = {0.0f};
  Tree tree;
  tree.nodes = {TreeNode{0, 1, 2, CompareMode::kEq, true, 1.0, 0, 0}, TreeNode{}, TreeNode{}};
  spec.trees.push_back(tree);
  auto ensemble = TreeEnsemble::Create(std::move(spec));
  ASSERT_TRUE(ensemble.ok());
  auto fast = FastTreeEvaluator::Create(*ensemble);
  ASSERT_FALSE(fast.ok());
  EXPECT_EQ(fast.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(fast.status().message().find("tree 0, node 0"), std::string::npos) << fast.status().message();
}

}  // namespace
}  // namespace finserve::runtime::tree
