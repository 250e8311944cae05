#include "runtime/onnx/ml_type_rules.h"

#include <map>
#include <string>
#include <string_view>

#include "onnx/onnx_pb.h"
#include "runtime/onnx/model_reader.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;

bool HasNonEmpty(const ::onnx::NodeProto& node, std::string_view name) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return a.ints_size() > 0 || a.strings_size() > 0 || a.floats_size() > 0 || a.has_t();
  }
  return false;
}

// Classifiers: labels (output 0) are INT64 or STRING by the label attribute, scores are FLOAT.
int32_t ClassifierOutput(const ::onnx::NodeProto& node, int output, std::string_view ints_name) {
  if (output == 1) return TensorProto::FLOAT;
  return HasNonEmpty(node, ints_name) ? TensorProto::INT64 : TensorProto::STRING;
}

int32_t LabelEncoderOutput(const ::onnx::NodeProto& node, int ml_opset, int32_t input) {
  if (ml_opset < 2) return input == TensorProto::STRING ? TensorProto::INT64 : TensorProto::STRING;
  if (HasNonEmpty(node, "values_strings")) return TensorProto::STRING;
  if (HasNonEmpty(node, "values_int64s")) return TensorProto::INT64;
  return TensorProto::FLOAT;
}

// The schema's output type, or 0 (UNDEFINED) when no rule applies or X's type is unknown.
int32_t RuleType(const ::onnx::NodeProto& node, int output, int ml_opset, int32_t x) {
  const std::string& op = node.op_type();
  if (op == "Imputer" || op == "Binarizer" || op == "ArrayFeatureExtractor") return x;
  if (op == "Scaler" || op == "Normalizer" || op == "OneHotEncoder" || op == "LinearRegressor" ||
      op == "TreeEnsembleRegressor") {
    return TensorProto::FLOAT;
  }
  if (op == "LinearClassifier") return ClassifierOutput(node, output, "classlabels_ints");
  if (op == "TreeEnsembleClassifier") return ClassifierOutput(node, output, "classlabels_int64s");
  if (op == "LabelEncoder" && x != 0) return LabelEncoderOutput(node, ml_opset, x);
  return 0;
}

std::map<std::string, int32_t> KnownTypes(const ::onnx::GraphProto& g) {
  std::map<std::string, int32_t> types;
  auto add = [&](const ::onnx::ValueInfoProto& vi) {
    if (vi.type().has_tensor_type() && vi.type().tensor_type().elem_type() != 0) {
      types[vi.name()] = vi.type().tensor_type().elem_type();
    }
  };
  for (const auto& vi : g.input()) add(vi);
  for (const auto& vi : g.value_info()) add(vi);
  for (const auto& vi : g.output()) add(vi);
  for (const auto& t : g.initializer()) types[t.name()] = t.data_type();
  return types;
}

// One pass in node order (the checker has verified it is topological); true if it typed anything.
bool TypeOnePass(::onnx::GraphProto* g, int ml_opset) {
  std::map<std::string, int32_t> types = KnownTypes(*g);
  bool added = false;
  for (const auto& node : g->node()) {
    if (NormalizeDomain(node.domain()) != kMlDomain) continue;
    const auto x = node.input_size() > 0 ? types.find(node.input(0)) : types.end();
    const int32_t x_type = x == types.end() ? 0 : x->second;
    for (int o = 0; o < node.output_size(); ++o) {
      const std::string& name = node.output(o);
      if (name.empty() || types.count(name)) continue;
      const int32_t t = RuleType(node, o, ml_opset, x_type);
      if (t == 0) continue;
      auto* vi = g->add_value_info();
      vi->set_name(name);
      vi->mutable_type()->mutable_tensor_type()->set_elem_type(t);
      types[name] = t;
      added = true;
    }
  }
  return added;
}

}  // namespace

Status CompleteMlTypes(::onnx::ModelProto* model) {
  if (ImportedOpset(*model, kMlDomain) == 0) return InferShapes(model, /*strict=*/true);
  const int ml_opset = ImportedOpset(*model, kMlDomain);
  // Lenient inference types what it can; each pass then types at least one more ML output (or
  // stops), so there are at most as many passes as nodes. The strict run at the end checks all.
  for (int pass = 0; pass <= model->graph().node_size(); ++pass) {
    FS_RETURN_IF_ERROR(InferShapes(model, /*strict=*/false));
    if (!TypeOnePass(model->mutable_graph(), ml_opset)) break;
  }
  return InferShapes(model, /*strict=*/true);
}

}  // namespace finserve::runtime::onnx
