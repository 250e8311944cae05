#include "runtime/onnx/onnx_test_util.h"

namespace finserve::runtime::onnx::testing {
namespace {

void SetType(::onnx::ValueInfoProto* vi, int elem_type, const std::vector<Dim>& dims) {
  auto* tt = vi->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  for (const Dim& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.param.empty()) {
      dim->set_dim_param(d.param);
    } else if (d.value >= 0) {
      dim->set_dim_value(d.value);
    }
  }
}

}  // namespace

ModelBuilder::ModelBuilder(int opset, std::string ml_domain_opset) {
  model_.set_ir_version(8);
  model_.set_producer_name("finserve-test");
  auto* imp = model_.add_opset_import();
  imp->set_domain("");
  imp->set_version(opset);
  model_.mutable_graph()->set_name("test");
}

ModelBuilder& ModelBuilder::Import(const std::string& domain, int version) {
  auto* imp = model_.add_opset_import();
  imp->set_domain(domain);
  imp->set_version(version);
  return *this;
}

ModelBuilder& ModelBuilder::Input(const std::string& name, int elem_type, std::vector<Dim> dims) {
  auto* vi = model_.mutable_graph()->add_input();
  vi->set_name(name);
  SetType(vi, elem_type, dims);
  return *this;
}

ModelBuilder& ModelBuilder::Output(const std::string& name, int elem_type, std::vector<Dim> dims) {
  auto* vi = model_.mutable_graph()->add_output();
  vi->set_name(name);
  SetType(vi, elem_type, dims);
  return *this;
}

ModelBuilder& ModelBuilder::OutputUntyped(const std::string& name) {
  model_.mutable_graph()->add_output()->set_name(name);
  return *this;
}

::onnx::NodeProto& ModelBuilder::Node(const std::string& op, std::vector<std::string> inputs,
                                      std::vector<std::string> outputs, const std::string& domain) {
  auto* n = model_.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_domain(domain);
  n->set_name(op + "_" + std::to_string(model_.graph().node_size()));
  for (auto& i : inputs) n->add_input(i);
  for (auto& o : outputs) n->add_output(o);
  return *n;
}

ModelBuilder& ModelBuilder::Initializer(const std::string& name, const std::vector<float>& values,
                                        std::vector<int64_t> dims) {
  auto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->add_dims(d);
  for (float v : values) t->add_float_data(v);
  return *this;
}

ModelBuilder& ModelBuilder::InitializerInt64(const std::string& name, const std::vector<int64_t>& values,
                                             std::vector<int64_t> dims) {
  auto* t = model_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(::onnx::TensorProto::INT64);
  for (int64_t d : dims) t->add_dims(d);
  for (int64_t v : values) t->add_int64_data(v);
  return *this;
}

Result<std::unique_ptr<OnnxModel>> ModelBuilder::Load(const std::string& model_dir, int threads) const {
  OnnxLoadOptions options;
  options.model_dir = model_dir;
  options.intra_op_threads = threads;
  return OnnxModel::Load(Bytes(), options);
}

void SetAttr(::onnx::NodeProto& node, const std::string& name, int64_t value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(value);
}

void SetAttr(::onnx::NodeProto& node, const std::string& name, float value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

void SetAttr(::onnx::NodeProto& node, const std::string& name, std::vector<int64_t> values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void SetAttr(::onnx::NodeProto& node, const std::string& name, const std::string& value) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::STRING);
  a->set_s(value);
}

void SetFloats(::onnx::NodeProto& node, const std::string& name, const std::vector<float>& values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOATS);
  for (float v : values) a->add_floats(v);
}

void SetStrings(::onnx::NodeProto& node, const std::string& name, const std::vector<std::string>& values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::STRINGS);
  for (const auto& v : values) a->add_strings(v);
}

void SetDoubleTensor(::onnx::NodeProto& node, const std::string& name, const std::vector<double>& values) {
  auto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::TENSOR);
  auto* t = a->mutable_t();
  t->set_data_type(::onnx::TensorProto::DOUBLE);
  t->add_dims(static_cast<int64_t>(values.size()));
  for (double v : values) t->add_double_data(v);
}

Result<std::vector<Tensor>> RunModel(const OnnxModel& model, const std::vector<Tensor>& inputs) {
  std::vector<TensorView> views;
  for (const Tensor& t : inputs) views.push_back(t.view());
  std::vector<Tensor> outputs;
  FS_RETURN_IF_ERROR(model.Run(views, OutputSelection::All(), &outputs));
  return outputs;
}

}  // namespace finserve::runtime::onnx::testing
