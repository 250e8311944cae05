#include "runtime/onnx/kernel_registry.h"

#include "runtime/onnx/model_reader.h"

namespace finserve::runtime::onnx {
namespace {

std::string Ranges(const std::vector<const KernelDef*>& rows) {
  std::string out;
  for (const KernelDef* d : rows) {
    if (!out.empty()) out += ", ";
    out += std::to_string(d->since_version) + "-" + std::to_string(d->until_version);
  }
  return out;
}

// Empty if `def` accepts the types, otherwise why not.
std::string TypeMismatch(const KernelDef& def, std::span<const DataType> in, std::span<const DataType> out) {
  for (const TypeRule& rule : def.types) {
    const bool is_input = rule.index >= 0;
    const size_t i = static_cast<size_t>(is_input ? rule.index : -1 - rule.index);
    const std::span<const DataType> types = is_input ? in : out;
    if (i >= types.size() || types[i] == DataType::kInvalid) continue;  // omitted optional
    if (!rule.allowed.contains(types[i])) {
      return std::string(is_input ? "input " : "output ") + std::to_string(i) + " has element type " +
             std::string(DataTypeName(types[i])) + ", which this kernel does not support (supported: " +
             rule.allowed.ToString() + ")";
    }
  }
  return {};
}

}  // namespace

KernelRegistry::KernelRegistry(std::vector<KernelDef> defs) : defs_(std::move(defs)) {}

Status KernelRegistry::CheckOp(const GraphNode& node, int node_index) const {
  std::vector<const KernelDef*> same_op;
  for (const KernelDef& d : defs_) {
    if (d.op_type != node.op_type || d.domain != node.domain) continue;
    if (node.opset >= d.since_version && node.opset <= d.until_version) return Status::Ok();
    same_op.push_back(&d);
  }
  if (node.opset == 0) {
    return InvalidArgument(DescribeNode(node, node_index) + ": the model does not import domain '" +
                           std::string(DisplayDomain(node.domain)) + "'");
  }
  if (same_op.empty()) {
    return Unimplemented(DescribeNode(node, node_index) + ": no kernel for this op");
  }
  return Unimplemented(DescribeNode(node, node_index) + ": this op is supported for opsets " + Ranges(same_op) +
                       " only");
}

Result<const KernelDef*> KernelRegistry::Find(const GraphNode& node, int node_index,
                                              std::span<const DataType> input_types,
                                              std::span<const DataType> output_types) const {
  FS_RETURN_IF_ERROR(CheckOp(node, node_index));
  std::string why;
  for (const KernelDef& d : defs_) {
    if (d.op_type != node.op_type || d.domain != node.domain) continue;
    if (node.opset < d.since_version || node.opset > d.until_version) continue;
    std::string mismatch = TypeMismatch(d, input_types, output_types);
    if (mismatch.empty()) return &d;
    if (why.empty()) why = std::move(mismatch);
  }
  return Unimplemented(DescribeNode(node, node_index) + ": " + why);
}

}  // namespace finserve::runtime::onnx
