// Plan building: constant folding at load, topological order from an unsorted file, the memory
// planner's reuse of arena bytes, and aliasing kernels.
#include <gtest/gtest.h>

#include "runtime/onnx/onnx_test_util.h"
#include "runtime/onnx/graph.h"
#include "runtime/onnx/planner.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;
using testing::ModelBuilder;

TEST(OnnxPlan, FoldsConstantSubgraphsOnceAtLoad) {
  // shape = Concat(Shape(w), [-1]) depends only on an initializer: folded; Reshape stays.
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2, 3}).Output("y", TensorProto::FLOAT, {2, 3});
  b.Initializer("w", {1, 2, 3, 4, 5, 6}, {2, 3});
  b.InitializerInt64("one", {1}, {1});
  b.Node("Shape", {"w"}, {"s"});
  b.Node("Mul", {"w", "w"}, {"w2"});
  b.Node("Add", {"x", "w2"}, {"y0"});
  b.Node("Reshape", {"y0", "s"}, {"y"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ExecutionPlan& plan = (*model)->plan();
  ASSERT_EQ(plan.steps.size(), 2u);  // Add and Reshape remain
  auto out = testing::RunModel(**model, {Tensor::FromVector<float>({2, 3}, {1, 1, 1, 1, 1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(testing::Values<float>((*out)[0]), (std::vector<float>{2, 5, 10, 17, 26, 37}));
}

TEST(OnnxPlan, AcceptsNodesListedOutOfOrder) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2}).Output("y", TensorProto::FLOAT, {2});
  b.Node("Neg", {"t"}, {"y"});
  b.Node("Relu", {"x"}, {"t"});
  // The ONNX checker insists on sorted files, so this exercises our own sort via BuildStructure.
  auto graph = Graph::BuildStructure(b.proto());
  ASSERT_TRUE(graph.ok()) << graph.status().ToString();
  EXPECT_EQ(graph->nodes()[0].op_type, "Relu");
  EXPECT_EQ(graph->nodes()[1].op_type, "Neg");
}

TEST(OnnxPlan, ReusesArenaBytesAcrossDisjointLifetimes) {
  // A chain x -> a -> b -> c -> d -> y of [64,64] floats: at most two live at once.
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {64, 64}).Output("y", TensorProto::FLOAT, {64, 64});
  const char* names[] = {"x", "a", "b", "c", "d", "y"};
  for (int i = 0; i < 5; ++i) b.Node(i % 2 ? "Neg" : "Relu", {names[i]}, {names[i + 1]});
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ExecutionPlan& plan = (*model)->plan();
  const int64_t one = 64 * 64 * 4;
  EXPECT_EQ(plan.arena_bytes, 2 * one);  // four intermediates, two slots
  // Values alive at the same time never overlap in the arena.
  for (const PlanValue& v : plan.values) {
    if (v.arena_offset >= 0) {
      EXPECT_EQ(v.static_bytes, one) << v.name;
    }
  }
  auto out = testing::RunModel(**model, {Tensor::FromVector<float>({64, 64}, std::vector<float>(64 * 64, -3.0f))});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(testing::Values<float>((*out)[0])[0], 0.0f);  // relu(-3) = 0 survives the chain
}

TEST(OnnxPlan, AliasingKernelsShareTheirInputBuffer) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2, 3}).Output("y", TensorProto::FLOAT, {3, 2});
  b.InitializerInt64("shape", {3, 2}, {2});
  b.Node("Relu", {"x"}, {"r"});
  b.Node("Reshape", {"r", "shape"}, {"s"});
  b.Node("Neg", {"s"}, {"y"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const ExecutionPlan& plan = (*model)->plan();
  const int r = [&] { for (size_t i = 0; i < plan.values.size(); ++i) if (plan.values[i].name == "s") return static_cast<int>(i); return -1; }();
  ASSERT_GE(r, 0);
  EXPECT_NE(plan.values[r].alias_root, r);  // s lives in r's buffer
  auto out = testing::RunModel(**model, {Tensor::FromVector<float>({2, 3}, {1, -2, 3, -4, 5, -6})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3, 2}));
  EXPECT_EQ(testing::Values<float>((*out)[0]), (std::vector<float>{-1, 0, -3, 0, -5, 0}));
}

TEST(OnnxPlan, GraphOutputThatAliasesAnInputIsCopied) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2}).Output("y", TensorProto::FLOAT, {2}).Output("x", TensorProto::FLOAT, {2});
  b.Node("Identity", {"x"}, {"y"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  Tensor x = Tensor::FromVector<float>({2}, {7, 8});
  auto out = testing::RunModel(**model, {x});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NE((*out)[0].raw_data(), x.raw_data());
  EXPECT_EQ(testing::Values<float>((*out)[0]), (std::vector<float>{7, 8}));
  EXPECT_EQ(testing::Values<float>((*out)[1]), (std::vector<float>{7, 8}));
}

}  // namespace
}  // namespace finserve::runtime::onnx

namespace finserve::runtime::onnx {
namespace {

TEST(OnnxPlan, LeavesHugeConstantOutputsToRunTime) {
  // ConstantOfShape of a constant shape with more than kMaxFoldedElements elements: not folded.
  ModelBuilder b(13);
  b.Output("y", ::onnx::TensorProto::FLOAT, {-1});
  b.InitializerInt64("shape", {kMaxFoldedElements + 1}, {1});
  b.Node("ConstantOfShape", {"shape"}, {"y"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->plan().steps.size(), 1u);

  ModelBuilder small(13);
  small.Output("y", ::onnx::TensorProto::FLOAT, {-1});
  small.InitializerInt64("shape", {16}, {1});
  small.Node("ConstantOfShape", {"shape"}, {"y"});
  model = small.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->plan().steps.size(), 0u);
}

}  // namespace
}  // namespace finserve::runtime::onnx
