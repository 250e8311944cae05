// Kernel semantics across the opset versions where an op's signature changed (attributes that
// became inputs, new defaults), and request-dependent errors. Expected values are worked out by
// hand (or numpy) and written down; the ONNX node suite covers the latest version of each op.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "runtime/onnx/onnx_test_util.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ModelBuilder;
using testing::RunModel;
using testing::SetAttr;
using testing::Values;

Tensor Iota(std::vector<int64_t> dims) {
  Tensor t = Tensor::Uninitialized(DataType::kFp32, Shape(dims));
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = static_cast<float>(i);
  return t;
}

// Graph outputs must declare a type and a rank (the checker insists); dims stay unknown so
// that shape inference and the kernels decide them.
struct Out {
  std::string name;
  int type;
  int rank;
};

struct OneNode {
  ModelBuilder b;
  ::onnx::NodeProto* node;
  OneNode(int opset, const std::string& op, std::vector<std::string> ins, int in_type, std::vector<testing::Dim> in_dims,
          std::vector<Out> outs)
      : b(opset) {
    b.Input(ins[0], in_type, std::move(in_dims));
    std::vector<std::string> names;
    for (const Out& o : outs) {
      b.Output(o.name, o.type, std::vector<testing::Dim>(static_cast<size_t>(o.rank), testing::Dim(-1)));
      names.push_back(o.name);
    }
    node = &b.Node(op, std::move(ins), std::move(names));
  }
  Result<std::vector<Tensor>> Run(const std::vector<Tensor>& inputs) {
    FS_ASSIGN_OR_RETURN(auto model, b.Load());
    return RunModel(*model, inputs);
  }
};

TEST(OnnxKernels, SqueezeAxesFromAttributeBefore13AndFromInputAfter) {
  OneNode v11(11, "Squeeze", {"x"}, TensorProto::FLOAT, {1, 3, 1}, {{"y", TensorProto::FLOAT, 2}});
  SetAttr(*v11.node, "axes", std::vector<int64_t>{-1});
  auto out = v11.Run({Iota({1, 3, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({1, 3}));

  OneNode v13(13, "Squeeze", {"x", "axes"}, TensorProto::FLOAT, {1, 3, 1}, {{"y", TensorProto::FLOAT, 2}});
  v13.b.InitializerInt64("axes", {0}, {1});
  out = v13.Run({Iota({1, 3, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3, 1}));

  OneNode all(13, "Squeeze", {"x"}, TensorProto::FLOAT, {1, 3, 1}, {{"y", TensorProto::FLOAT, 1}});
  out = all.Run({Iota({1, 3, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3}));
}

TEST(OnnxKernels, UnsqueezeAxesFromAttributeBefore13AndFromInputAfter) {
  OneNode v11(11, "Unsqueeze", {"x"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 3}});
  SetAttr(*v11.node, "axes", std::vector<int64_t>{0, -1});
  auto out = v11.Run({Iota({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({1, 3, 1}));

  OneNode v13(13, "Unsqueeze", {"x", "axes"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 2}});
  v13.b.InitializerInt64("axes", {1}, {1});
  out = v13.Run({Iota({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({3, 1}));
}

TEST(OnnxKernels, SplitSizesFromAttributeBefore13AndFromInputAfter) {
  OneNode v11(11, "Split", {"x"}, TensorProto::FLOAT, {5}, {{"a", TensorProto::FLOAT, 1}, {"b", TensorProto::FLOAT, 1}});
  SetAttr(*v11.node, "split", std::vector<int64_t>{2, 3});
  auto out = v11.Run({Iota({5})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 1));
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(2, 3, 4));

  OneNode v13(13, "Split", {"x", "split"}, TensorProto::FLOAT, {2, 4}, {{"a", TensorProto::FLOAT, 2}, {"b", TensorProto::FLOAT, 2}});
  SetAttr(*v13.node, "axis", int64_t{1});
  v13.b.InitializerInt64("split", {3, 1}, {2});
  out = v13.Run({Iota({2, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 1, 2, 4, 5, 6));
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(3, 7));

  OneNode equal(13, "Split", {"x"}, TensorProto::FLOAT, {4}, {{"a", TensorProto::FLOAT, 1}, {"b", TensorProto::FLOAT, 1}});
  out = equal.Run({Iota({4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(2, 3));
}

TEST(OnnxKernels, ClipBoundsFromAttributesBefore11FromInputsAfterAndIntegersFrom12) {
  OneNode v6(6, "Clip", {"x"}, TensorProto::FLOAT, {4}, {{"y", TensorProto::FLOAT, 1}});
  SetAttr(*v6.node, "min", 0.5f);
  SetAttr(*v6.node, "max", 2.0f);
  auto out = v6.Run({Iota({4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0.5f, 1, 2, 2));

  OneNode v11(11, "Clip", {"x", "", "hi"}, TensorProto::FLOAT, {4}, {{"y", TensorProto::FLOAT, 1}});
  v11.b.Initializer("hi", {1.5f}, {});
  out = v11.Run({Iota({4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 1, 1.5f, 1.5f));

  OneNode v12(12, "Clip", {"x", "lo"}, TensorProto::INT64, {3}, {{"y", TensorProto::INT64, 1}});
  v12.b.InitializerInt64("lo", {0}, {});
  out = v12.Run({Tensor::FromVector<int64_t>({3}, {-5, 3, std::numeric_limits<int64_t>::max()})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<int64_t>((*out)[0]), ElementsAre(0, 3, std::numeric_limits<int64_t>::max()));
}

TEST(OnnxKernels, ReduceSumAxesFromAttributeBefore13FromInputAfterWithNoopOnEmpty) {
  OneNode v11(11, "ReduceSum", {"x"}, TensorProto::FLOAT, {2, 3}, {{"y", TensorProto::FLOAT, 1}});
  SetAttr(*v11.node, "axes", std::vector<int64_t>{1});
  SetAttr(*v11.node, "keepdims", int64_t{0});
  auto out = v11.Run({Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(3, 12));

  OneNode v13(13, "ReduceSum", {"x", "axes"}, TensorProto::FLOAT, {2, 3}, {{"y", TensorProto::FLOAT, 2}});
  v13.b.InitializerInt64("axes", {0}, {1});
  out = v13.Run({Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({1, 3}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(3, 5, 7));

  OneNode noop(13, "ReduceSum", {"x"}, TensorProto::FLOAT, {2, 3}, {{"y", TensorProto::FLOAT, 2}});
  SetAttr(*noop.node, "noop_with_empty_axes", int64_t{1});
  out = noop.Run({Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2, 3}));

  OneNode all(13, "ReduceSum", {"x"}, TensorProto::FLOAT, {2, 3}, {{"y", TensorProto::FLOAT, 2}});
  out = all.Run({Iota({2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(15));
}

TEST(OnnxKernels, SoftmaxCoercesTo2DBefore13AndUsesOneAxisAfter) {
  // x = [[[0,1],[2,3]]]: opset 11 axis=1 normalises over all 4 values; opset 13 axis=1 over pairs.
  OneNode v11(11, "Softmax", {"x"}, TensorProto::FLOAT, {1, 2, 2}, {{"y", TensorProto::FLOAT, 3}});
  SetAttr(*v11.node, "axis", int64_t{1});
  auto out = v11.Run({Iota({1, 2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const double z = 1 + std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(Values<float>((*out)[0])[3], std::exp(3.0) / z, 1e-6);

  OneNode v13(13, "Softmax", {"x"}, TensorProto::FLOAT, {1, 2, 2}, {{"y", TensorProto::FLOAT, 3}});
  SetAttr(*v13.node, "axis", int64_t{1});
  out = v13.Run({Iota({1, 2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NEAR(Values<float>((*out)[0])[3], std::exp(3.0) / (std::exp(1.0) + std::exp(3.0)), 1e-6);

  OneNode log13(13, "LogSoftmax", {"x"}, TensorProto::FLOAT, {1, 2, 2}, {{"y", TensorProto::FLOAT, 3}});
  out = log13.Run({Iota({1, 2, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NEAR(Values<float>((*out)[0])[0], -std::log(1 + std::exp(1.0)), 1e-6);
}

TEST(OnnxKernels, TopKFromAttributeBefore10InputAfterAndSmallestFrom11) {
  OneNode v1(1, "TopK", {"x"}, TensorProto::FLOAT, {5}, {{"v", TensorProto::FLOAT, 1}, {"i", TensorProto::INT64, 1}});
  SetAttr(*v1.node, "k", int64_t{2});
  auto out = v1.Run({Tensor::FromVector<float>({5}, {3, 9, 1, 9, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(9, 9));
  EXPECT_THAT(Values<int64_t>((*out)[1]), ElementsAre(1, 3));

  OneNode v11(11, "TopK", {"x", "k"}, TensorProto::FLOAT, {5}, {{"v", TensorProto::FLOAT, 1}, {"i", TensorProto::INT64, 1}});
  SetAttr(*v11.node, "largest", int64_t{0});
  v11.b.InitializerInt64("k", {3}, {1});
  out = v11.Run({Tensor::FromVector<float>({5}, {3, 9, 1, 9, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 3, 4));
  EXPECT_THAT(Values<int64_t>((*out)[1]), ElementsAre(2, 0, 4));
}

TEST(OnnxKernels, SliceAttributesBefore10InputsAfterWithNegativeSteps) {
  OneNode v1(1, "Slice", {"x"}, TensorProto::FLOAT, {2, 4}, {{"y", TensorProto::FLOAT, 2}});
  SetAttr(*v1.node, "starts", std::vector<int64_t>{1});
  SetAttr(*v1.node, "ends", std::vector<int64_t>{1000});
  SetAttr(*v1.node, "axes", std::vector<int64_t>{1});
  auto out = v1.Run({Iota({2, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 2, 3, 5, 6, 7));

  OneNode v13(13, "Slice", {"x", "s", "e", "a", "st"}, TensorProto::FLOAT, {2, 4}, {{"y", TensorProto::FLOAT, 2}});
  v13.b.InitializerInt64("s", {-1}, {1});
  v13.b.InitializerInt64("e", {std::numeric_limits<int64_t>::min()}, {1});
  v13.b.InitializerInt64("a", {1}, {1});
  v13.b.InitializerInt64("st", {-2}, {1});
  out = v13.Run({Iota({2, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(3, 1, 7, 5));
}

TEST(OnnxKernels, ReshapeCopiesZerosUnlessAllowZero) {
  OneNode v13(13, "Reshape", {"x", "s"}, TensorProto::FLOAT, {2, 3, 4}, {{"y", TensorProto::FLOAT, 2}});
  v13.b.InitializerInt64("s", {0, -1}, {2});
  auto out = v13.Run({Iota({2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2, 12}));

  OneNode bad(13, "Reshape", {"x", "s"}, TensorProto::FLOAT, {-1}, {{"y", TensorProto::FLOAT, 2}});
  bad.b.Input("s", TensorProto::INT64, {2});
  out = bad.Run({Iota({6}), Tensor::FromVector<int64_t>({2}, {4, -1})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

TEST(OnnxKernels, GatherRejectsOutOfRangeIndicesAtRequestTime) {
  OneNode g(13, "Gather", {"x", "i"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 1}});
  g.b.Input("i", TensorProto::INT64, {-1});
  auto out = g.Run({Iota({3}), Tensor::FromVector<int64_t>({2}, {-1, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(2, 0));
  out = g.Run({Iota({3}), Tensor::FromVector<int64_t>({1}, {3})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("out of range"));
}

TEST(OnnxKernels, CastSaturatesFloatToIntAndRejectsUnparsableStrings) {
  OneNode c(13, "Cast", {"x"}, TensorProto::FLOAT, {4}, {{"y", TensorProto::INT32, 1}});
  SetAttr(*c.node, "to", int64_t{TensorProto::INT32});
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto out = c.Run({Tensor::FromVector<float>({4}, {1e20f, -1e20f, nan, -2.7f})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<int32_t>((*out)[0]),
              ElementsAre(std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(), 0, -2));

  OneNode s(13, "Cast", {"x"}, TensorProto::STRING, {2}, {{"y", TensorProto::FLOAT, 1}});
  SetAttr(*s.node, "to", int64_t{TensorProto::FLOAT});
  std::vector<std::string> bad = {"1.5", "abc"};
  out = s.Run({Tensor::FromStrings({2}, std::span<const std::string>(bad))});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("not a number"));
}

TEST(OnnxKernels, IntegerArithmeticWrapsInsteadOfOverflowing) {
  OneNode add(13, "Add", {"x", "x"}, TensorProto::INT32, {2}, {{"y", TensorProto::INT32, 1}});
  auto out = add.Run({Tensor::FromVector<int32_t>({2}, {std::numeric_limits<int32_t>::max(), 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<int32_t>((*out)[0]), ElementsAre(-2, 2));
  OneNode div(13, "Div", {"x", "d"}, TensorProto::INT32, {1}, {{"y", TensorProto::INT32, 1}});
  div.b.Input("d", TensorProto::INT32, {1});
  out = div.Run({Tensor::FromVector<int32_t>({1}, {std::numeric_limits<int32_t>::min()}),
                 Tensor::FromVector<int32_t>({1}, {-1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<int32_t>((*out)[0]), ElementsAre(std::numeric_limits<int32_t>::min()));
}

TEST(OnnxKernels, DropoutIsIdentityAtInferenceAcrossOpsets) {
  OneNode v7(7, "Dropout", {"x"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 1}, {"mask", TensorProto::FLOAT, 1}});
  auto out = v7.Run({Iota({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 1, 2));
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(1, 1, 1));

  OneNode v13(13, "Dropout", {"x", "r", "t"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 1}});
  v13.b.Initializer("r", {0.3f}, {});
  auto* t = v13.b.proto().mutable_graph()->add_initializer();
  t->set_name("t");
  t->set_data_type(TensorProto::BOOL);
  t->add_int32_data(1);
  auto model = v13.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("training_mode"));
}

TEST(OnnxKernels, GemmBroadcastsCAndAppliesAlphaBetaAndTransposes) {
  OneNode g(13, "Gemm", {"a", "b", "c"}, TensorProto::FLOAT, {3, 2}, {{"y", TensorProto::FLOAT, 2}});
  SetAttr(*g.node, "transA", int64_t{1});
  SetAttr(*g.node, "alpha", 2.0f);
  SetAttr(*g.node, "beta", 0.5f);
  g.b.Initializer("b", {1, 0, 0, 1, 1, 1}, {3, 2});
  g.b.Initializer("c", {10, 20}, {2});
  // A^T = [[0,2,4],[1,3,5]]; A^T B = [[4,6],[6,8]]; 2*that + 0.5*[10,20].
  auto out = g.Run({Iota({3, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(13, 22, 17, 26));
}

TEST(OnnxKernels, MatMulBroadcastsBatchDimsAndPromotes1D) {
  OneNode m(13, "MatMul", {"a", "b"}, TensorProto::FLOAT, {2, 1, 2, 3}, {{"y", TensorProto::FLOAT, 4}});
  m.b.Input("b", TensorProto::FLOAT, {3, 3, 1});
  auto out = m.Run({Iota({2, 1, 2, 3}), Iota({3, 3, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2, 3, 2, 1}));
  // batch (1, 2): a[1] = [[6,7,8],[9,10,11]], b[2] = [6,7,8]^T -> [6*6+7*7+8*8, 9*6+10*7+11*8]
  const auto v = Values<float>((*out)[0]);
  EXPECT_EQ(v[10], 149);
  EXPECT_EQ(v[11], 212);

  OneNode vec(13, "MatMul", {"a", "b"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 1}});
  vec.b.Input("b", TensorProto::FLOAT, {3, 2});
  out = vec.Run({Iota({3}), Iota({3, 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({2}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(10, 13));
}

}  // namespace
}  // namespace finserve::runtime::onnx

namespace finserve::runtime::onnx {
namespace {

TEST(OnnxKernels, HugeShapesFromRequestsAreRefusedNotOverflowed) {
  OneNode r(13, "Reshape", {"x", "s"}, TensorProto::FLOAT, {2}, {{"y", TensorProto::FLOAT, 3}});
  r.b.Input("s", TensorProto::INT64, {3});
  auto out = r.Run({Iota({2}), Tensor::FromVector<int64_t>({3}, {int64_t{1} << 40, int64_t{1} << 40, -1})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);

  OneNode e(13, "Expand", {"x", "s"}, TensorProto::FLOAT, {1}, {{"y", TensorProto::FLOAT, 2}});
  e.b.Input("s", TensorProto::INT64, {2});
  out = e.Run({Iota({1}), Tensor::FromVector<int64_t>({2}, {int64_t{1} << 20, int64_t{1} << 20})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);

  OneNode sp(13, "Split", {"x", "sizes"}, TensorProto::FLOAT, {4}, {{"a", TensorProto::FLOAT, 1}, {"b", TensorProto::FLOAT, 1}});
  sp.b.Input("sizes", TensorProto::INT64, {2});
  out = sp.Run({Iota({4}), Tensor::FromVector<int64_t>({2}, {std::numeric_limits<int64_t>::max(), 5})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace finserve::runtime::onnx

namespace finserve::runtime::onnx {
namespace {

TEST(OnnxKernels, PadFromAttributesBefore11WithReflectAndCropping) {
  OneNode reflect(2, "Pad", {"x"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 1}});
  SetAttr(*reflect.node, "pads", std::vector<int64_t>{2, 1});
  SetAttr(*reflect.node, "mode", std::string("reflect"));
  auto out = reflect.Run({Iota({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(2, 1, 0, 1, 2, 1));

  OneNode crop(2, "Pad", {"x"}, TensorProto::FLOAT, {3}, {{"y", TensorProto::FLOAT, 1}});
  SetAttr(*crop.node, "pads", std::vector<int64_t>{-1, 2});
  SetAttr(*crop.node, "value", 7.0f);
  out = crop.Run({Iota({3})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 2, 7, 7));
}

}  // namespace
}  // namespace finserve::runtime::onnx
