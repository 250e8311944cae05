// ai.onnx.ml kernels: what the conformance cases (tests/conformance/onnx/ml_cases.py, expected
// values from scikit-learn and XGBoost) cannot show: refusals at load that name the node, op,
// domain and opset; request-time errors; ZipMap's shape over the Open Inference Protocol; and the
// fast tree evaluator against the reference walk (FLOAT input takes the fast path, DOUBLE input
// the reference walk on double rows: equal inputs must give equal bits).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <tuple>

#include "runtime/onnx/onnx_test_util.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ModelBuilder;
using testing::RunModel;
using testing::SetAttr;
using testing::SetFloats;
using testing::SetStrings;
using testing::Values;

constexpr char kMl[] = "ai.onnx.ml";

Tensor Floats(std::vector<int64_t> dims, std::vector<float> values) {
  return Tensor::FromVector<float>(Shape(dims), values);
}

// A model with one ai.onnx.ml node.
struct MlNode {
  ModelBuilder b;
  ::onnx::NodeProto* node;
  MlNode(const std::string& op, int in_type, std::vector<testing::Dim> in_dims,
         std::vector<std::tuple<std::string, int, int>> outs, int ml_opset = 3)
      : b(15) {
    b.Import(kMl, ml_opset);
    b.Input("X", in_type, std::move(in_dims));
    std::vector<std::string> names;
    for (const auto& [name, type, rank] : outs) {
      b.Output(name, type, std::vector<testing::Dim>(static_cast<size_t>(rank), testing::Dim(-1)));
      names.push_back(name);
    }
    node = &b.Node(op, {"X"}, names, kMl);
    node->set_name("ml_node");
  }
  Result<std::vector<Tensor>> Run(const std::vector<Tensor>& inputs) {
    FS_ASSIGN_OR_RETURN(auto model, b.Load());
    return RunModel(*model, inputs);
  }
};

// One tree: x0 <= 0.5 ? leaf 1 : (x1 < 2 ? leaf 3 : leaf 4); node ids deliberately not in
// order (the root is listed last) and leaves vote for targets 0/1.
void AddTree(::onnx::NodeProto& n, const std::string& prefix, const std::string& second_mode = "BRANCH_LT") {
  SetAttr(n, "nodes_treeids", std::vector<int64_t>{0, 0, 0, 0, 0});
  SetAttr(n, "nodes_nodeids", std::vector<int64_t>{1, 3, 4, 2, 0});
  SetAttr(n, "nodes_featureids", std::vector<int64_t>{0, 0, 0, 1, 0});
  SetStrings(n, "nodes_modes", {"LEAF", "LEAF", "LEAF", second_mode, "BRANCH_LEQ"});
  SetFloats(n, "nodes_values", {0, 0, 0, 2.0f, 0.5f});
  SetAttr(n, "nodes_truenodeids", std::vector<int64_t>{0, 0, 0, 3, 1});
  SetAttr(n, "nodes_falsenodeids", std::vector<int64_t>{0, 0, 0, 4, 2});
  SetAttr(n, "nodes_missing_value_tracks_true", std::vector<int64_t>{0, 0, 0, 1, 0});
  SetAttr(n, prefix + "_treeids", std::vector<int64_t>{0, 0, 0});
  SetAttr(n, prefix + "_nodeids", std::vector<int64_t>{1, 3, 4});
  SetAttr(n, prefix + "_ids", std::vector<int64_t>{0, 1, 1});
  SetFloats(n, prefix + "_weights", {1.0f, 2.0f, 3.0f});
}

MlNode Regressor(int in_type = TensorProto::FLOAT) {
  MlNode m("TreeEnsembleRegressor", in_type, {"N", 2}, {{"Y", TensorProto::FLOAT, 2}});
  AddTree(*m.node, "target");
  SetAttr(*m.node, "n_targets", int64_t{2});
  return m;
}

TEST(OnnxMlTrees, RootListedLastAndVotesPerTarget) {
  MlNode m = Regressor();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto out = m.Run({Floats({4, 2}, {0.2f, 9, 0.7f, 1, 0.7f, 5, 0.7f, nan})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // Row 0 -> leaf 1 (target 0 += 1); row 1 -> leaf 3 (target 1 += 2); row 2 -> leaf 4 (target 1
  // += 3); row 3: x1 missing tracks true -> leaf 3.
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 0, 0, 2, 0, 3, 0, 2));
}

TEST(OnnxMlTrees, NeqSendsMissingValuesToTheTrueBranch) {
  MlNode m("TreeEnsembleRegressor", TensorProto::FLOAT, {"N", 2}, {{"Y", TensorProto::FLOAT, 2}});
  AddTree(*m.node, "target", "BRANCH_NEQ");
  SetAttr(*m.node, "n_targets", int64_t{2});
  m.node->mutable_attribute(7)->set_ints(3, 0);  // missing does not track true: NaN != 2 still holds
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto out = m.Run({Floats({3, 2}, {0.7f, nan, 0.7f, 2, 0.7f, 5})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(0, 2, 0, 3, 0, 2));
}

TEST(OnnxMlTrees, FastFloatPathAndDoubleReferenceWalkGiveTheSameBits) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-1.0f, 3.0f);
  std::vector<float> xf(2 * 257);
  for (float& v : xf) v = u(rng);
  xf[10] = std::numeric_limits<float>::quiet_NaN();
  xf[11] = 0.5f;  // exactly on the LEQ threshold
  std::vector<double> xd(xf.begin(), xf.end());
  MlNode f = Regressor(TensorProto::FLOAT);
  MlNode d = Regressor(TensorProto::DOUBLE);
  auto of = f.Run({Floats({257, 2}, xf)});
  auto od = d.Run({Tensor::FromVector<double>(Shape({257, 2}), xd)});
  ASSERT_TRUE(of.ok() && od.ok());
  EXPECT_EQ(Values<float>((*of)[0]), Values<float>((*od)[0]));
}

TEST(OnnxMlTrees, DoubleThresholdsOfOpset3CompareWithoutRounding) {
  // The root tests x0 <= 0.5; as a double, 0.1 sits just below the float 0.1f, so 0.1f is not
  // <= 0.1 (the false branch), while with the FLOAT attribute 0.1f <= 0.1f holds.
  for (bool as_tensor : {false, true}) {
    MlNode m("TreeEnsembleRegressor", TensorProto::FLOAT, {"N", 2}, {{"Y", TensorProto::FLOAT, 2}});
    AddTree(*m.node, "target");
    SetAttr(*m.node, "n_targets", int64_t{2});
    auto* attrs = m.node->mutable_attribute();
    attrs->erase(attrs->begin() + 4);  // nodes_values
    if (as_tensor) {
      testing::SetDoubleTensor(*m.node, "nodes_values_as_tensor", {0, 0, 0, 2.0, 0.1});
    } else {
      SetFloats(*m.node, "nodes_values", {0, 0, 0, 2.0f, 0.1f});
    }
    auto out = m.Run({Floats({1, 2}, {0.1f, 9})});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_THAT(Values<float>((*out)[0]), as_tensor ? ElementsAre(0, 3) : ElementsAre(1, 0)) << as_tensor;
  }
}

TEST(OnnxMlTrees, RequestWithTooFewFeaturesIsRefused) {
  MlNode m("TreeEnsembleRegressor", TensorProto::FLOAT, {"N", -1}, {{"Y", TensorProto::FLOAT, 2}});
  AddTree(*m.node, "target");
  auto out = m.Run({Floats({2, 1}, {0.1f, 0.2f})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("X has 1 features but the trees split on feature 1"));
}

TEST(OnnxMlTrees, WiderRowsThanTheTreesUseArePacked) {
  MlNode m("TreeEnsembleRegressor", TensorProto::FLOAT, {"N", -1}, {{"Y", TensorProto::FLOAT, 2}});
  AddTree(*m.node, "target");
  auto out = m.Run({Floats({2, 3}, {0.2f, 9, 100, 0.7f, 1, 100})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(1, 0, 0, 2));
}

// Load-time refusals: each message names the node, the op, the domain and the opset.
struct Refusal {
  std::string what;
  std::function<void(::onnx::NodeProto&)> edit;
  std::string message;
};

TEST(OnnxMlTrees, UnsupportedAttributeValuesAreRefusedAtLoadNamingTheNode) {
  const std::vector<Refusal> refusals = {
      {"unknown mode", [](auto& n) { n.mutable_attribute(3)->set_strings(3, "BRANCH_SOMETIMES"); },
       "nodes_modes[3]: 'BRANCH_SOMETIMES' is not one of"},
      {"post transform", [](auto& n) { SetAttr(n, "post_transform", std::string("SQUASH")); },
       "post_transform 'SQUASH' is not one of NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT"},
      {"aggregate", [](auto& n) { SetAttr(n, "aggregate_function", std::string("MEDIAN")); },
       "aggregate_function 'MEDIAN' is not one of SUM, AVERAGE, MIN, MAX"},
      {"base values", [](auto& n) { SetFloats(n, "base_values", {1, 2, 3}); }, "base_values has 3 values for 2 outputs"},
      {"missing child", [](auto& n) { n.mutable_attribute(5)->set_ints(3, 9); },
       "nodes_truenodeids[3]: tree 0, node 2: child 9 does not exist in tree 0"},
      {"vote on a branch", [](auto& n) { n.mutable_attribute(9)->set_ints(0, 2); },
       "target_nodeids[0]: tree 0, node 2 is a branch: weights belong on leaves"},
      {"target out of range", [](auto& n) { n.mutable_attribute(10)->set_ints(0, 7); },
       "target_ids[0]: target 7 is out of range [0, 2)"},
  };
  for (const Refusal& r : refusals) {
    MlNode m = Regressor();
    r.edit(*m.node);
    auto model = m.b.Load();
    ASSERT_FALSE(model.ok()) << r.what;
    EXPECT_THAT(model.status().message(), HasSubstr("node 'ml_node' (op 'TreeEnsembleRegressor', domain 'ai.onnx.ml', opset 3)"))
        << r.what;
    EXPECT_THAT(model.status().message(), HasSubstr(r.message)) << r.what;
  }
}

TEST(OnnxMlTrees, TwoRootsAreRefused) {
  MlNode m = Regressor();
  m.node->mutable_attribute(5)->set_ints(4, 3);  // the root's true child becomes 3: node 1 is orphaned
  auto model = m.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("tree 0: 2 nodes are nobody's child"));
}

MlNode Classifier(std::vector<int64_t> labels) {
  MlNode m("TreeEnsembleClassifier", TensorProto::FLOAT, {"N", 2},
           {{"label", TensorProto::INT64, 1}, {"scores", TensorProto::FLOAT, 2}});
  AddTree(*m.node, "class");
  SetAttr(*m.node, "classlabels_int64s", labels);
  return m;
}

TEST(OnnxMlTrees, ClassifierNeedsTwoLabelsAndOneLabelList) {
  MlNode one = Classifier({7});
  auto model = one.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("a classifier needs at least two class labels, got 1"));

  // Declared STRING labels, so that ONNX's shape inference (which picks the strings) agrees.
  MlNode both("TreeEnsembleClassifier", TensorProto::FLOAT, {"N", 2},
              {{"label", TensorProto::STRING, 1}, {"scores", TensorProto::FLOAT, 2}});
  AddTree(*both.node, "class");
  SetAttr(*both.node, "classlabels_int64s", std::vector<int64_t>{0, 1});
  SetStrings(*both.node, "classlabels_strings", {"a", "b"});
  model = both.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("exactly one of 'classlabels_int64s' and 'classlabels_strings'"));
}

TEST(OnnxMlTrees, ClassifierPicksTheLargestScoreAndAddsBaseValues) {
  MlNode m = Classifier({10, 20, 30});
  SetFloats(*m.node, "base_values", {0.5f, 0, 0});
  auto out = m.Run({Floats({3, 2}, {0.2f, 0, 0.7f, 1, 0.7f, 5})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // Row 0: class 0 gets 1 + 0.5; rows 1, 2: class 1 gets 2 and 3. Class 2 never votes.
  EXPECT_THAT(Values<int64_t>((*out)[0]), ElementsAre(10, 20, 20));
  EXPECT_THAT(Values<float>((*out)[1]), ElementsAre(1.5f, 0, 0, 0.5f, 2, 0, 0.5f, 3, 0));
}

TEST(OnnxMlTrees, BaseValueSingleForManyClassesIsRefused) {
  MlNode m = Classifier({10, 20, 30});
  SetFloats(*m.node, "base_values", {0.5f});
  auto model = m.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("base_values has 1 value for 3 outputs"));
}

// ---- linear models, preprocessing, encoders

TEST(OnnxMlLinear, CoefficientRowsMustMatchTheLabels) {
  MlNode m("LinearClassifier", TensorProto::FLOAT, {"N", 2},
           {{"label", TensorProto::INT64, 1}, {"scores", TensorProto::FLOAT, 2}}, 1);
  SetFloats(*m.node, "coefficients", {1, 2, 3, 4, 5, 6});
  SetFloats(*m.node, "intercepts", {0, 0, 0});
  SetAttr(*m.node, "classlabels_ints", std::vector<int64_t>{0, 1});
  auto model = m.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("(op 'LinearClassifier', domain 'ai.onnx.ml', opset 1)"));
  EXPECT_THAT(model.status().message(), HasSubstr("3 coefficient rows for 2 class labels"));
}

TEST(OnnxMlLinear, FeatureCountIsCheckedPerRequest) {
  MlNode m("LinearRegressor", TensorProto::FLOAT, {"N", -1}, {{"Y", TensorProto::FLOAT, 2}});
  SetFloats(*m.node, "coefficients", {1, 2});
  SetFloats(*m.node, "intercepts", {0.5f});
  auto out = m.Run({Floats({1, 3}, {1, 1, 1})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("X has 3 features but the coefficients are for 2"));
  out = m.Run({Floats({1, 2}, {1, 10})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(21.5f));
}

TEST(OnnxMlPreprocess, UnknownNormIsRefused) {
  MlNode m("Normalizer", TensorProto::FLOAT, {"N", 2}, {{"Y", TensorProto::FLOAT, 2}});
  SetAttr(*m.node, "norm", std::string("L3"));
  auto model = m.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("norm 'L3' is not one of MAX, L1, L2"));
}

TEST(OnnxMlPreprocess, ImputerNeedsTheAttributeOfItsType) {
  MlNode m("Imputer", TensorProto::FLOAT, {"N", 2}, {{"Y", TensorProto::FLOAT, 2}});
  SetAttr(*m.node, "imputed_value_int64s", std::vector<int64_t>{1, 2});
  auto model = m.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("FP32 input needs 'imputed_value_floats'"));
}

TEST(OnnxMlPreprocess, ScalerPerFeatureValuesMustMatchTheRequest) {
  MlNode m("Scaler", TensorProto::FLOAT, {"N", -1}, {{"Y", TensorProto::FLOAT, 2}});
  SetFloats(*m.node, "scale", {1, 2, 3});
  auto out = m.Run({Floats({1, 2}, {1, 1})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("'scale' has 3 values but X has 2 features"));
}

TEST(OnnxMlEncoders, OneHotUnknownCategoryWithZerosOffNamesTheValue) {
  MlNode m("OneHotEncoder", TensorProto::INT64, {"N"}, {{"Y", TensorProto::FLOAT, 2}});
  SetAttr(*m.node, "cats_int64s", std::vector<int64_t>{3, 5});
  SetAttr(*m.node, "zeros", int64_t{0});
  auto out = m.Run({Tensor::FromVector<int64_t>(Shape({2}), {5, 4})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("element 1 (4) is not a known category and zeros = 0"));
}

TEST(OnnxMlEncoders, LabelEncoderRefusesDuplicateKeysAndMismatchedTypes) {
  MlNode dup("LabelEncoder", TensorProto::STRING, {"N"}, {{"Y", TensorProto::INT64, 1}}, 2);
  SetStrings(*dup.node, "keys_strings", {"a", "b", "a"});
  SetAttr(*dup.node, "values_int64s", std::vector<int64_t>{1, 2, 3});
  auto model = dup.b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("key 'a' is listed twice"));

  MlNode types("LabelEncoder", TensorProto::STRING, {"N"}, {{"Y", TensorProto::INT64, 1}}, 2);
  SetAttr(*types.node, "keys_int64s", std::vector<int64_t>{1, 2});
  SetAttr(*types.node, "values_int64s", std::vector<int64_t>{1, 2});
  model = types.b.Load();
  ASSERT_FALSE(model.ok());
}

TEST(OnnxMlEncoders, LabelEncoderFloatKeysMatchNaN) {
  MlNode m("LabelEncoder", TensorProto::FLOAT, {"N"}, {{"Y", TensorProto::INT64, 1}}, 2);
  SetFloats(*m.node, "keys_floats", {std::numeric_limits<float>::quiet_NaN(), 1.5f});
  SetAttr(*m.node, "values_int64s", std::vector<int64_t>{-9, 4});
  auto out = m.Run({Floats({3}, {1.5f, std::numeric_limits<float>::quiet_NaN(), 2})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<int64_t>((*out)[0]), ElementsAre(4, -9, -1));
}

TEST(OnnxMlEncoders, ArrayFeatureExtractorRefusesIndicesOutOfRange) {
  ModelBuilder b(15);
  b.Import(kMl, 1);
  b.Input("X", TensorProto::FLOAT, {"N", 3}).Input("I", TensorProto::INT64, {-1});
  b.Output("Y", TensorProto::FLOAT, {-1, -1});
  b.Node("ArrayFeatureExtractor", {"X", "I"}, {"Y"}, kMl);
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto out = RunModel(**model, {Floats({1, 3}, {1, 2, 3}), Tensor::FromVector<int64_t>(Shape({2}), {2, 3})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("index Y[1] = 3 is out of range [0, 3)"));

  ModelBuilder row(15);  // an [F] input is one row: the result is [1, k]
  row.Import(kMl, 1);
  row.Input("X", TensorProto::FLOAT, {3}).Input("I", TensorProto::INT64, {-1});
  row.Output("Y", TensorProto::FLOAT, {-1, -1});
  row.Node("ArrayFeatureExtractor", {"X", "I"}, {"Y"}, kMl);
  model = row.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  out = RunModel(**model, {Floats({3}, {1, 2, 3}), Tensor::FromVector<int64_t>(Shape({2}), {2, 0})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].shape(), Shape({1, 2}));
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(3, 1));
}

TEST(OnnxMlTypes, PipelineThroughStandardOpsIsTypedAfterOnnxLeavesItUntyped) {
  // onnx 1.12 infers no type for Imputer/Scaler outputs; Concat and Mul downstream would stay
  // untyped too unless finserve types the ML outputs and runs inference again.
  ModelBuilder b(15);
  b.Import(kMl, 1);
  b.Input("X", TensorProto::FLOAT, {"N", 2});
  b.Output("Y", TensorProto::FLOAT, {-1, -1});
  SetFloats(b.Node("Imputer", {"X"}, {"imputed"}, kMl), "imputed_value_floats", {7, 8});
  SetFloats(b.Node("Scaler", {"imputed"}, {"scaled"}, kMl), "scale", {2});
  SetAttr(b.Node("Concat", {"scaled", "X"}, {"both"}), "axis", int64_t{1});
  b.Node("Mul", {"both", "both"}, {"squared"});
  auto& lr = b.Node("LinearRegressor", {"squared"}, {"Y"}, kMl);
  SetFloats(lr, "coefficients", {1, 1, 1, 1});
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto out = RunModel(**model, {Floats({1, 2}, {0, 1})});  // replaced value 0 -> 7
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_THAT(Values<float>((*out)[0]), ElementsAre(14 * 14 + 2 * 2 + 0 + 1));
}

// ---- ZipMap over OIP

ModelBuilder ZipMapModel(int64_t classes_in_producer, bool strings) {
  ModelBuilder b(15);
  b.Import(kMl, 1);
  b.Input("X", TensorProto::FLOAT, {"N", 2});
  b.Output("label", TensorProto::INT64, {-1});
  auto* out = b.proto().mutable_graph()->add_output();
  out->set_name("output_probability");
  auto* map = out->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_map_type();
  map->set_key_type(strings ? TensorProto::STRING : TensorProto::INT64);
  map->mutable_value_type()->mutable_tensor_type()->set_elem_type(TensorProto::FLOAT);
  auto& lc = b.Node("LinearClassifier", {"X"}, {"label", "probabilities"}, kMl);
  std::vector<float> coef(static_cast<size_t>(2 * classes_in_producer), 0.5f);
  coef[0] = 2;
  SetFloats(lc, "coefficients", coef);
  SetFloats(lc, "intercepts", std::vector<float>(static_cast<size_t>(classes_in_producer), 0));
  std::vector<int64_t> ids(static_cast<size_t>(classes_in_producer));
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int64_t>(i);
  SetAttr(lc, "classlabels_ints", ids);
  SetAttr(lc, "post_transform", std::string("SOFTMAX"));
  auto& zm = b.Node("ZipMap", {"probabilities"}, {"output_probability"}, kMl);
  zm.set_name("zipmap");
  if (strings) {
    SetStrings(zm, "classlabels_strings", {"good", "bad"});
  } else {
    SetAttr(zm, "classlabels_int64s", std::vector<int64_t>{0, 1});
  }
  return b;
}

TEST(OnnxMlZipMap, ServedAsProbabilitiesPlusLabels) {
  ModelBuilder b = ZipMapModel(2, /*strings=*/true);
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const auto& outs = (*model)->outputs();
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_EQ(outs[1].name, "output_probability");
  EXPECT_EQ(outs[1].dtype, DataType::kFp32);
  EXPECT_THAT(outs[1].shape, ElementsAre(-1, 2));
  EXPECT_EQ(outs[2].name, "output_probability_labels");
  EXPECT_EQ(outs[2].dtype, DataType::kBytes);
  EXPECT_THAT(outs[2].shape, ElementsAre(-1, 2));
  auto out = RunModel(**model, {Floats({2, 2}, {1, 0, 0, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[2].shape(), Shape({2, 2}));
  EXPECT_EQ((*out)[2].string_at(0), "good");
  EXPECT_EQ((*out)[2].string_at(3), "bad");
  const auto p = Values<float>((*out)[1]);
  EXPECT_NEAR(p[0] + p[1], 1.0f, 1e-6f);
}

TEST(OnnxMlZipMap, LabelCountContradictingTheProducerIsRefusedAtLoad) {
  ModelBuilder b = ZipMapModel(3, /*strings=*/false);
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("shape inference"));
}

TEST(OnnxMlZipMap, ConsumedMapsAreRefusedWithAdvice) {
  ModelBuilder b = ZipMapModel(2, /*strings=*/false);
  b.Node("Identity", {"output_probability"}, {"copy"});
  b.OutputUntyped("copy");
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("reads the ZipMap's sequence of maps"));
  EXPECT_THAT(model.status().message(), HasSubstr("zipmap"));
}

}  // namespace
}  // namespace finserve::runtime::onnx
