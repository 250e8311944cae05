#include "runtime/onnx/zipmap_rewrite.h"

#include <set>
#include <string>

#include "onnx/onnx_pb.h"
#include "runtime/onnx/model_reader.h"

namespace finserve::runtime::onnx {
namespace {

constexpr int64_t kMinOnnxOpsetForExpand = 8;
constexpr int64_t kImportedOnnxOpset = 13;  // when a pure ai.onnx.ml model imports no ai.onnx

std::string Describe(const ::onnx::NodeProto& node) {
  return "ZipMap node '" + node.name() + "' (output '" + (node.output_size() ? node.output(0) : "") + "')";
}

// The labels as a [1, C] tensor, and whether they are strings.
Result<::onnx::TensorProto> LabelsTensor(const ::onnx::NodeProto& node) {
  const ::onnx::AttributeProto* ints = nullptr;
  const ::onnx::AttributeProto* strings = nullptr;
  for (const auto& a : node.attribute()) {
    if (a.name() == "classlabels_int64s") ints = &a;
    if (a.name() == "classlabels_strings") strings = &a;
  }
  const int n = ints ? ints->ints_size() : strings ? strings->strings_size() : 0;
  if ((ints == nullptr) == (strings == nullptr) || n == 0) {
    return Unimplemented(Describe(node) + ": exactly one of classlabels_int64s and classlabels_strings must list the labels");
  }
  ::onnx::TensorProto t;
  t.add_dims(1);
  t.add_dims(n);
  if (ints) {
    t.set_data_type(::onnx::TensorProto::INT64);
    for (int64_t v : ints->ints()) t.add_int64_data(v);
  } else {
    t.set_data_type(::onnx::TensorProto::STRING);
    for (const auto& s : strings->strings()) t.add_string_data(s);
  }
  return t;
}

void SetTensorType(::onnx::ValueInfoProto* vi, int32_t elem_type, int64_t columns) {
  auto* tt = vi->mutable_type()->mutable_tensor_type();  // replaces the sequence type (a oneof)
  tt->set_elem_type(elem_type);
  auto* shape = tt->mutable_shape();
  shape->clear_dim();
  shape->add_dim();  // N: unknown
  shape->add_dim()->set_dim_value(columns);
}

::onnx::NodeProto MakeNode(const std::string& op, std::vector<std::string> inputs, const std::string& output,
                           const std::string& name) {
  ::onnx::NodeProto n;
  n.set_op_type(op);
  n.set_name(name);
  for (auto& in : inputs) n.add_input(in);
  n.add_output(output);
  return n;
}

Status CheckOnnxImport(::onnx::ModelProto* model) {
  for (auto& imp : *model->mutable_opset_import()) {
    if (!NormalizeDomain(imp.domain()).empty()) continue;
    if (imp.version() < kMinOnnxOpsetForExpand) {
      return Unimplemented("ZipMap is served as tensors, which needs ai.onnx opset >= 8 (the model imports " +
                           std::to_string(imp.version()) + ")");
    }
    return Status::Ok();
  }
  auto* imp = model->add_opset_import();
  imp->set_domain("");
  imp->set_version(kImportedOnnxOpset);
  return Status::Ok();
}

Status RewriteOne(::onnx::GraphProto* g, int index, const std::set<std::string>& names) {
  const ::onnx::NodeProto zipmap = g->node(index);
  if (zipmap.input_size() != 1 || zipmap.output_size() != 1) {
    return InvalidArgument(Describe(zipmap) + ": ZipMap has one input and one output");
  }
  const std::string& x = zipmap.input(0);
  const std::string& z = zipmap.output(0);
  for (const auto& n : g->node()) {
    for (const auto& in : n.input()) {
      if (in == z) {
        return Unimplemented(Describe(zipmap) + ": node '" + n.name() + "' reads the ZipMap's sequence of maps; "
                             "finserve serves tensors only: export without ZipMap (skl2onnx: options={'zipmap': False})");
      }
    }
  }
  ::onnx::ValueInfoProto* out = nullptr;
  for (auto& o : *g->mutable_output()) out = o.name() == z ? &o : out;
  if (out == nullptr) return Unimplemented(Describe(zipmap) + ": its output is not a graph output");
  const std::string labels = z + kZipMapLabelsSuffix;
  if (names.count(labels)) {
    return Unimplemented(Describe(zipmap) + ": the graph already has a value '" + labels +
                         "', the name finserve gives the ZipMap's labels");
  }
  FS_ASSIGN_OR_RETURN(::onnx::TensorProto labels_tensor, LabelsTensor(zipmap));
  auto* infos = g->mutable_value_info();  // an annotation of Z's sequence type would now contradict
  for (int i = infos->size() - 1; i >= 0; --i) {
    if (infos->Get(i).name() == z) infos->DeleteSubrange(i, 1);
  }
  const int32_t label_type = labels_tensor.data_type();
  const int64_t columns = labels_tensor.dims(1);
  SetTensorType(out, ::onnx::TensorProto::FLOAT, columns);
  ::onnx::ValueInfoProto* labels_out = g->add_output();
  labels_out->set_name(labels);
  SetTensorType(labels_out, label_type, columns);

  const std::string base = (zipmap.name().empty() ? z : zipmap.name()) + "/";
  *g->mutable_node(index) = MakeNode("Identity", {x}, z, base + "values");
  ::onnx::NodeProto constant = MakeNode("Constant", {}, base + "labels_row", base + "labels_row");
  auto* value = constant.add_attribute();
  value->set_name("value");
  value->set_type(::onnx::AttributeProto::TENSOR);
  *value->mutable_t() = std::move(labels_tensor);
  *g->add_node() = std::move(constant);
  *g->add_node() = MakeNode("Shape", {x}, base + "rows", base + "rows");
  *g->add_node() = MakeNode("Expand", {base + "labels_row", base + "rows"}, labels, base + "labels");
  return Status::Ok();
}

}  // namespace

Status RewriteZipMaps(::onnx::ModelProto* model) {
  ::onnx::GraphProto* g = model->mutable_graph();
  std::set<std::string> names;
  bool any = false;
  for (const auto& n : g->node()) {
    for (const auto& o : n.output()) names.insert(o);
    for (const auto& i : n.input()) names.insert(i);
    any = any || ServedByRewrite(n.domain(), n.op_type());
  }
  if (!any) return Status::Ok();
  for (const auto& i : g->input()) names.insert(i.name());
  for (const auto& i : g->initializer()) names.insert(i.name());
  FS_RETURN_IF_ERROR(CheckOnnxImport(model));
  const int count = g->node_size();  // nodes appended by the rewrite are never ZipMaps
  for (int i = 0; i < count; ++i) {
    const auto& n = g->node(i);
    if (ServedByRewrite(n.domain(), n.op_type())) FS_RETURN_IF_ERROR(RewriteOne(g, i, names));
  }
  return Status::Ok();
}

}  // namespace finserve::runtime::onnx
