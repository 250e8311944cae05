#include "train/onnx_writer.h"

#include <onnx/checker.h>
#include <onnx/common/version.h>
#include <onnx/onnx_pb.h>

namespace finserve::train {
namespace {

constexpr int kOpset = 13;

void AddInitializer(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                    const std::vector<float>& values) {
  onnx::TensorProto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
}

void AddNode(onnx::GraphProto* g, const std::string& op, std::vector<std::string> in, const std::string& out) {
  onnx::NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(out);
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
}

void AddValueInfo(onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims) {
  v->set_name(name);
  auto* tensor = v->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tensor->mutable_shape();
  shape->add_dim()->set_dim_param("batch");
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
}

}  // namespace

std::string OnnxVersion() { return onnx::LAST_RELEASE_VERSION; }

Result<std::string> MlpToOnnx(const MlpFit& fit, const std::vector<std::string>& columns) {
  onnx::ModelProto model;
  model.set_ir_version(onnx::IR_VERSION);
  model.set_producer_name("finserve");
  model.set_model_version(1);
  model.add_opset_import()->set_version(kOpset);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("finserve_mlp");
  std::string doc = "columns:";
  for (const auto& c : columns) doc += " " + c;
  AddValueInfo(g->add_input(), "features", {fit.layers.front().inputs});
  g->mutable_input(0)->set_doc_string(doc);
  std::string current = "features";
  for (size_t l = 0; l < fit.layers.size(); ++l) {
    const DenseLayer& d = fit.layers[l];
    const std::string w = "W" + std::to_string(l), b = "B" + std::to_string(l);
    AddInitializer(g, w, {d.inputs, d.outputs}, d.weights);
    AddInitializer(g, b, {d.outputs}, d.bias);
    const std::string z = "gemm" + std::to_string(l);
    AddNode(g, "Gemm", {current, w, b}, z);
    current = z;
    if (l + 1 < fit.layers.size()) {
      AddNode(g, "Relu", {current}, "relu" + std::to_string(l));
      current = "relu" + std::to_string(l);
    }
  }
  onnx::TensorProto* shape = g->add_initializer();
  shape->set_name("flat_shape");
  shape->set_data_type(onnx::TensorProto::INT64);
  shape->add_dims(1);
  shape->add_int64_data(-1);
  AddNode(g, "Reshape", {current, "flat_shape"}, "margin");
  AddNode(g, "Sigmoid", {"margin"}, "probability");
  AddValueInfo(g->add_output(), "probability", {});
  AddValueInfo(g->add_output(), "margin", {});
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    return Internal(std::string("the exported MLP fails the ONNX checker: ") + e.what());
  }
  std::string bytes;
  if (!model.SerializeToString(&bytes)) return Internal("could not serialise the ONNX model");
  return bytes;
}

}  // namespace finserve::train
