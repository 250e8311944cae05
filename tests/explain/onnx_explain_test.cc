// Explaining ONNX models: linear and logistic graphs recognised from the loaded plan (Gemm with
// either weight orientation, MatMul + Add, Sigmoid, Softmax, a side label output) give exact
// linear SHAP; graphs that only look linear (Gemm alpha, a hidden layer) are refused; and the
// sampling explainer works on any ONNX model (an MLP): additive, deterministic.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "explain/linear_shap.h"
#include "explain/onnx_linear.h"
#include "explain/sampling_shapley.h"
#include "runtime/onnx/onnx_test_util.h"

namespace finserve::explain {
namespace {

using ::onnx::TensorProto;
using ::testing::HasSubstr;
using runtime::onnx::testing::ModelBuilder;
using runtime::onnx::testing::SetAttr;

const std::vector<float> kW = {0.8f, -1.5f, 0.25f, 2.0f};  // one output, four features

std::unique_ptr<runtime::onnx::OnnxModel> Load(const ModelBuilder& b) {
  auto model = b.Load();
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return model.ok() ? std::move(model).value() : nullptr;
}

// x [N,4] -> Gemm(W^T as [1,4], transB=1, bias -0.3) -> Sigmoid -> p [N,1]
ModelBuilder LogisticGemm() {
  ModelBuilder b;
  b.Input("x", TensorProto::FLOAT, {"N", 4}).Output("p", TensorProto::FLOAT, {"N", 1});
  b.Initializer("w", kW, {1, 4}).Initializer("c", {-0.3f}, {1});
  SetAttr(b.Node("Gemm", {"x", "w", "c"}, {"z"}), "transB", int64_t{1});
  b.Node("Sigmoid", {"z"}, {"p"});
  return b;
}

std::vector<float> Rows() { return {0.5f, 1.0f, -2.0f, 0.1f, -1.0f, 0.0f, 3.0f, -0.5f, 2.0f, -0.7f, 0.0f, 1.2f}; }

TEST(OnnxLinearTest, LogisticGemmGivesExactLinearShapInLogOdds) {
  auto model = Load(LogisticGemm());
  ASSERT_NE(model, nullptr);
  auto form = RecognizeOnnxLinear(*model);
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->link, LinearForm::Link::kSigmoid);
  EXPECT_EQ(form->MarginSpace(), "log_odds");
  ASSERT_EQ(form->weights.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(static_cast<float>(form->weights[i]), kW[i]);
  EXPECT_FLOAT_EQ(static_cast<float>(form->intercepts[0]), -0.3f);
  const std::vector<double> means = {0.1, 0.2, -0.3, 0.4};
  auto shap = LinearShapExplainer::Create(4, form->weights, form->intercepts, means, form->MarginSpace());
  ASSERT_TRUE(shap.ok());
  const std::vector<float> rows = Rows();
  std::vector<float> phi(3 * 5);
  ASSERT_TRUE((*shap)->Explain(rows.data(), 3, phi.data()).ok());
  auto outputs = runtime::onnx::testing::RunModel(*model, {Tensor::FromVector<float>(Shape{3, 4}, rows)});
  ASSERT_TRUE(outputs.ok());
  for (int r = 0; r < 3; ++r) {
    double sum = 0;
    for (int i = 0; i < 5; ++i) sum += phi[r * 5 + i];
    const double p = (*outputs)[0].data<float>()[r];
    EXPECT_NEAR(sum, std::log(p / (1 - p)), 1e-4) << "additivity in log-odds, row " << r;
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(phi[r * 5 + i], kW[i] * (rows[r * 4 + i] - means[i]), 1e-6);
  }
}

TEST(OnnxLinearTest, RecognisesMatMulAddSoftmaxAndSquareWeights) {
  {  // MatMul [4,1] + Add + Sigmoid, with a label output computed after the probabilities
    ModelBuilder b;
    b.Input("x", TensorProto::FLOAT, {"N", 4}).Output("p", TensorProto::FLOAT, {"N", 1});
    b.Output("label", TensorProto::BOOL, {"N", 1});
    b.Initializer("w", kW, {4, 1}).Initializer("c", {0.7f}, {1}).Initializer("half", {0.5f}, {1});
    b.Node("MatMul", {"x", "w"}, {"m"});
    b.Node("Add", {"c", "m"}, {"z"});
    b.Node("Sigmoid", {"z"}, {"p"});
    b.Node("Greater", {"p", "half"}, {"label"});
    auto form = RecognizeOnnxLinear(*Load(b));
    ASSERT_TRUE(form.ok()) << form.status().ToString();
    EXPECT_FLOAT_EQ(static_cast<float>(form->intercepts[0]), 0.7f);
    EXPECT_FLOAT_EQ(static_cast<float>(form->weights[3]), 2.0f);
    EXPECT_EQ(form->output_index, 0u);  // p, not the label
  }
  {  // Gemm [4,3] + Softmax: multinomial logistic regression
    ModelBuilder b;
    b.Input("x", TensorProto::FLOAT, {"N", 4}).Output("p", TensorProto::FLOAT, {"N", 3});
    b.Initializer("w", {1, 0, -1, 0.5f, 2, 0, 0, -1, 1, 3, 0, 0}, {4, 3}).Initializer("c", {0.1f, 0.2f, 0.3f}, {3});
    b.Node("Gemm", {"x", "w", "c"}, {"z"});
    SetAttr(b.Node("Softmax", {"z"}, {"p"}), "axis", int64_t{1});
    auto form = RecognizeOnnxLinear(*Load(b));
    ASSERT_TRUE(form.ok()) << form.status().ToString();
    EXPECT_EQ(form->link, LinearForm::Link::kSoftmax);
    EXPECT_EQ(form->num_outputs, 3);
    EXPECT_FLOAT_EQ(static_cast<float>(form->weights[0 * 4 + 1]), 0.5f);  // class 0, feature 1 = w[1][0]
  }
  for (int64_t trans : {0, 1}) {  // a square weight: the orientation is found by the check
    ModelBuilder b;
    b.Input("x", TensorProto::FLOAT, {"N", 2}).Output("y", TensorProto::FLOAT, {"N", 2});
    b.Initializer("w", {1, 2, 3, 4}, {2, 2});
    SetAttr(b.Node("Gemm", {"x", "w"}, {"y"}), "transB", trans);
    auto form = RecognizeOnnxLinear(*Load(b));
    ASSERT_TRUE(form.ok()) << form.status().ToString();
    EXPECT_EQ(form->link, LinearForm::Link::kIdentity);
    EXPECT_FLOAT_EQ(static_cast<float>(form->weights[1]), trans ? 2.0f : 3.0f) << trans;  // output 0, feature 1
  }
}

TEST(OnnxLinearTest, RefusesGraphsThatAreNotLinear) {
  ModelBuilder alpha = LogisticGemm();
  for (auto& node : *alpha.proto().mutable_graph()->mutable_node()) {
    if (node.op_type() == "Gemm") SetAttr(node, "alpha", 0.5f);
  }
  auto scaled = RecognizeOnnxLinear(*Load(alpha));
  EXPECT_THAT(scaled.status().message(), HasSubstr("do not reproduce its outputs"));

  ModelBuilder mlp;
  mlp.Input("x", TensorProto::FLOAT, {"N", 4}).Output("p", TensorProto::FLOAT, {"N", 1});
  mlp.Initializer("w1", {1, 0, 0, 1, -1, 1, 0.5f, 0}, {4, 2}).Initializer("w2", {1, -1}, {2, 1});
  mlp.Node("MatMul", {"x", "w1"}, {"h"});
  mlp.Node("Relu", {"h"}, {"r"});
  mlp.Node("MatMul", {"r", "w2"}, {"z"});
  mlp.Node("Sigmoid", {"z"}, {"p"});
  EXPECT_THAT(RecognizeOnnxLinear(*Load(mlp)).status().message(), HasSubstr("op 'Relu' is not part of a linear model"));
}

TEST(OnnxSamplingTest, AnyOnnxModelIsExplainedAdditivelyAndDeterministically) {
  ModelBuilder mlp;
  mlp.Input("x", TensorProto::FLOAT, {"N", 4}).Output("p", TensorProto::FLOAT, {"N", 1});
  mlp.Initializer("w1", {1, 0, 0, 1, -1, 1, 0.5f, 0}, {4, 2}).Initializer("w2", {1, -1}, {2, 1});
  mlp.Node("MatMul", {"x", "w1"}, {"h"});
  mlp.Node("Relu", {"h"}, {"r"});
  mlp.Node("MatMul", {"r", "w2"}, {"z"});
  mlp.Node("Sigmoid", {"z"}, {"p"});
  auto model = Load(mlp);
  ASSERT_NE(model, nullptr);
  const std::vector<float> background = {0, 0, 0, 0, 1, -1, 0.5f, 2, -0.5f, 0.3f, 1, -1};
  auto explain = [&](uint64_t seed) {
    auto e = SamplingShapleyExplainer::Create(*model, 0, background, {32, seed}, "probability");
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    std::vector<float> phi(3 * 5);
    EXPECT_TRUE((*e)->Explain(Rows().data(), 3, phi.data()).ok());
    return phi;
  };
  const std::vector<float> phi = explain(4);
  EXPECT_EQ(phi, explain(4));
  auto outputs = runtime::onnx::testing::RunModel(*model, {Tensor::FromVector<float>(Shape{3, 4}, Rows())});
  ASSERT_TRUE(outputs.ok());
  for (int r = 0; r < 3; ++r) {
    double sum = 0;
    for (int i = 0; i < 5; ++i) sum += phi[r * 5 + i];
    EXPECT_NEAR(sum, (*outputs)[0].data<float>()[r], 1e-6) << "additivity in probability, row " << r;
  }
}

}  // namespace
}  // namespace finserve::explain
