#include "runtime/onnx/graph.h"

#include <deque>
#include <set>

#include "onnx/onnx_pb.h"
#include "runtime/onnx/model_reader.h"
#include "runtime/onnx/onnx_types.h"
#include "runtime/onnx/tensor_proto.h"

namespace finserve::runtime::onnx {
namespace {

// Reads a ValueInfo's tensor type into `v`; false if it is not a tensor type.
Status ReadValueType(const ::onnx::TypeProto& type, GraphValue* v) {
  if (!type.has_tensor_type()) {
    const std::string kind = type.has_sequence_type() ? "a sequence" : type.has_map_type() ? "a map"
                             : type.has_optional_type() ? "an optional" : "not a tensor";
    return Unimplemented("value '" + v->name + "' is " + kind + ": only tensors are supported");
  }
  const auto& tt = type.tensor_type();
  if (tt.has_elem_type()) {
    const DataType dtype = DataTypeFromOnnx(tt.elem_type());
    if (dtype == DataType::kInvalid) {
      return Unimplemented("value '" + v->name + "' has element type " + OnnxTypeName(tt.elem_type()) +
                           ", which has no Open Inference Protocol datatype");
    }
    v->dtype = dtype;
  }
  if (tt.has_shape()) {
    v->has_shape = true;
    v->dims.clear();
    v->dim_params.clear();
    for (const auto& d : tt.shape().dim()) {
      v->dims.push_back(d.has_dim_value() && d.dim_value() >= 0 ? d.dim_value() : -1);
      v->dim_params.push_back(d.has_dim_param() ? d.dim_param() : "");
    }
  }
  return Status::Ok();
}

}  // namespace

std::string DescribeNode(const GraphNode& node, int index) {
  // Appends piecewise: GCC 12 warns (-Wrestrict, a known false positive) on "#" + to_string().
  std::string out = "node '";
  if (node.name.empty()) {
    out += '#';
    out += std::to_string(index);
  } else {
    out += node.name;
  }
  out += "' (op '";
  out += node.op_type;
  out += "', domain '";
  out += DisplayDomain(node.domain);
  out += "', opset ";
  out += std::to_string(node.opset);
  out += ')';
  return out;
}

int Graph::FindValue(const std::string& name) const {
  auto it = value_ids_.find(name);
  return it == value_ids_.end() ? -1 : it->second;
}

int Graph::InternValue(const std::string& name) {
  auto [it, inserted] = value_ids_.emplace(name, static_cast<int>(values_.size()));
  if (inserted) {
    GraphValue v;
    v.name = name;
    values_.push_back(std::move(v));
  }
  return it->second;
}

Status Graph::AddNodes(const ::onnx::ModelProto& model) {
  const auto& g = model.graph();
  std::set<std::string> initializer_names;
  for (const auto& init : g.initializer()) {
    if (!initializer_names.insert(init.name()).second) {
      return InvalidArgument("initializer '" + init.name() + "' is defined twice");
    }
    InternValue(init.name());
  }
  is_source_.assign(values_.size(), true);
  if (g.sparse_initializer_size() > 0) return Unimplemented("sparse initializers are not supported");
  for (const auto& in : g.input()) {
    const int id = InternValue(in.name());
    if (!initializer_names.count(in.name())) inputs_.push_back(id);
  }
  is_source_.resize(values_.size(), true);
  for (int i = 0; i < g.node_size(); ++i) {
    const auto& p = g.node(i);
    if (p.op_type().empty()) return InvalidArgument("node at position " + std::to_string(i) + " has no op_type");
    GraphNode n;
    n.name = p.name();
    n.op_type = p.op_type();
    n.domain = std::string(NormalizeDomain(p.domain()));
    n.opset = ImportedOpset(model, n.domain);
    n.proto = &p;
    for (const auto& in : p.input()) n.inputs.push_back(in.empty() ? -1 : InternValue(in));
    for (const auto& out : p.output()) {
      if (out.empty()) {
        n.outputs.push_back(-1);
        continue;
      }
      const int id = InternValue(out);
      if (values_[id].producer >= 0 || initializer_names.count(out) ||
          std::find(inputs_.begin(), inputs_.end(), id) != inputs_.end()) {
        return InvalidArgument(DescribeNode(n, i) + ": output '" + out +
                               "' is already produced by another node, an input or an initializer");
      }
      values_[id].producer = i;
      n.outputs.push_back(id);
    }
    nodes_.push_back(std::move(n));
  }
  is_source_.resize(values_.size(), false);
  for (const auto& out : g.output()) {
    const int id = FindValue(out.name());
    if (id < 0) return InvalidArgument("graph output '" + out.name() + "' is not produced by any node");
    outputs_.push_back(id);
  }
  return Status::Ok();
}

Status Graph::SortTopologically() {
  const int n = static_cast<int>(nodes_.size());
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> consumers(values_.size());
  for (int i = 0; i < n; ++i) {
    for (int v : nodes_[i].inputs) {
      if (v < 0 || is_source_[v]) continue;
      if (values_[v].producer < 0) {
        return InvalidArgument(DescribeNode(nodes_[i], i) + ": input '" + values_[v].name +
                               "' is not a graph input, an initializer or the output of any node "
                               "(missing initializer?)");
      }
      ++pending[i];
      consumers[v].push_back(i);
    }
  }
  std::deque<int> ready;
  for (int i = 0; i < n; ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.front();
    ready.pop_front();
    order.push_back(i);
    for (int v : nodes_[i].outputs) {
      if (v < 0) continue;
      for (int c : consumers[v]) {
        if (--pending[c] == 0) ready.push_back(c);
      }
    }
  }
  for (int i = 0; i < n && static_cast<int>(order.size()) != n; ++i) {
    if (pending[i] > 0) {
      return InvalidArgument("graph has a cycle: " + DescribeNode(nodes_[i], i) +
                             " depends (directly or through other nodes) on its own output");
    }
  }
  std::vector<GraphNode> sorted;
  for (int i : order) sorted.push_back(std::move(nodes_[i]));
  nodes_ = std::move(sorted);
  for (auto& v : values_) v.producer = -1;
  for (int i = 0; i < n; ++i) {
    for (int v : nodes_[i].outputs) {
      if (v >= 0) values_[v].producer = i;
    }
  }
  return Status::Ok();
}

Status Graph::ReadTypes(const ::onnx::GraphProto& g) {
  auto read = [&](const ::onnx::ValueInfoProto& vi) -> Status {
    const int id = FindValue(vi.name());
    if (id < 0) return Status::Ok();  // value_info for a name no node uses: harmless
    return ReadValueType(vi.type(), &values_[id]);
  };
  for (const auto& vi : g.value_info()) FS_RETURN_IF_ERROR(read(vi));
  for (const auto& vi : g.output()) FS_RETURN_IF_ERROR(read(vi));
  for (const auto& vi : g.input()) FS_RETURN_IF_ERROR(read(vi));
  for (int id : inputs_) {
    if (values_[id].dtype == DataType::kInvalid) {
      return InvalidArgument("graph input '" + values_[id].name + "' has no element type");
    }
    if (!values_[id].has_shape) {
      return InvalidArgument("graph input '" + values_[id].name + "' has no shape (its rank must be declared)");
    }
  }
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (int v : nodes_[i].outputs) {
      if (v >= 0 && values_[v].dtype == DataType::kInvalid) {
        return InvalidArgument(DescribeNode(nodes_[i], static_cast<int>(i)) + ": the type of output '" +
                               values_[v].name + "' could not be inferred");
      }
    }
  }
  return Status::Ok();
}

Status Graph::ReadInitializers(const ::onnx::GraphProto& g, const std::string& model_dir) {
  for (const auto& init : g.initializer()) {
    FS_ASSIGN_OR_RETURN(OwnedTensor t, TensorFromProto(init, model_dir));
    const int id = FindValue(init.name());
    GraphValue& v = values_[id];
    v.dtype = t.data().dtype;
    v.has_shape = true;
    v.dims = t.data().shape;
    v.dim_params.assign(v.dims.size(), "");
    initializers_.emplace(id, std::move(t));
  }
  return Status::Ok();
}

Result<Graph> Graph::BuildStructure(const ::onnx::ModelProto& model) {
  Graph graph;
  FS_RETURN_IF_ERROR(graph.AddNodes(model));
  FS_RETURN_IF_ERROR(graph.SortTopologically());
  return graph;
}

Result<Graph> Graph::Build(const ::onnx::ModelProto& model, const std::string& model_dir) {
  FS_ASSIGN_OR_RETURN(Graph graph, BuildStructure(model));
  FS_RETURN_IF_ERROR(graph.ReadInitializers(model.graph(), model_dir));
  FS_RETURN_IF_ERROR(graph.ReadTypes(model.graph()));
  return graph;
}

}  // namespace finserve::runtime::onnx
