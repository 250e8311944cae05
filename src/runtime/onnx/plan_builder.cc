#include "runtime/onnx/plan_builder.h"

#include "core/shape.h"
#include "runtime/onnx/conv_chain_fusion.h"
#include "runtime/onnx/planner.h"

namespace finserve::runtime::onnx {
namespace {

// Receives the outputs of a node folded at load.
class FoldAllocator final : public OutputAllocator {
 public:
  FoldAllocator(const KernelInfo& info, std::span<const TensorData* const> inputs, std::vector<OwnedTensor>* inputs_owned)
      : info_(info), inputs_(inputs), inputs_owned_(inputs_owned), outputs_(info.num_outputs()) {}

  Result<TensorData*> Allocate(int index, Dims shape) override {
    if (!HasOutput(index)) return Internal("kernel wrote an omitted output");
    FS_ASSIGN_OR_RETURN(int64_t n, Shape::CheckedElementCount(shape, kMaxTensorElements));
    if (n > kMaxFoldedElements) {
      too_big_ = true;
      return ResourceExhausted("folded output too large");
    }
    FS_ASSIGN_OR_RETURN(outputs_[index], OwnedTensor::Allocate(info_.output_types[index], std::move(shape)));
    return const_cast<TensorData*>(&outputs_[index].data());
  }
  Status Alias(int index, int input_index, Dims shape) override {
    if (!HasOutput(index)) return Status::Ok();
    outputs_[index] = (*inputs_owned_)[input_index].Reshaped(std::move(shape));
    return Status::Ok();
  }
  bool HasOutput(int index) const override { return info_.has_output(static_cast<size_t>(index)); }
  std::vector<OwnedTensor>& outputs() { return outputs_; }
  bool too_big() const { return too_big_; }

 private:
  const KernelInfo& info_;
  std::span<const TensorData* const> inputs_;
  std::vector<OwnedTensor>* inputs_owned_;
  std::vector<OwnedTensor> outputs_;
  bool too_big_ = false;
};

void InitValues(Graph& graph, ExecutionPlan* plan) {
  const auto& gv = graph.values();
  plan->values.resize(gv.size());
  plan->constants.resize(gv.size());
  for (size_t v = 0; v < gv.size(); ++v) {
    PlanValue& pv = plan->values[v];
    pv.name = gv[v].name;
    pv.dtype = gv[v].dtype;
    pv.has_shape = gv[v].has_shape;
    pv.dims = gv[v].dims;
    pv.dim_params = gv[v].dim_params;
  }
  for (int id : graph.inputs()) plan->values[id].kind = ValueKind::kGraphInput;
  for (auto& [id, tensor] : graph.initializers()) {
    plan->values[id].kind = ValueKind::kConstant;
    plan->constants[id] = std::move(tensor);
  }
  graph.initializers().clear();
  plan->inputs = graph.inputs();
  plan->outputs = graph.outputs();
  for (size_t i = 0; i < plan->outputs.size(); ++i) {
    PlanValue& pv = plan->values[plan->outputs[i]];
    if (pv.output_index < 0) pv.output_index = static_cast<int>(i);
  }
}

// Runs a node whose inputs are all constants; sets *folded = false (and leaves the plan alone)
// when its outputs would be too large to keep as constants.
Status Fold(const KernelInfo& info, const Kernel& kernel, const GraphNode& node, ExecutionPlan* plan, bool* folded) {
  *folded = false;
  std::vector<const TensorData*> inputs;
  std::vector<OwnedTensor> owned;
  for (int v : node.inputs) {
    inputs.push_back(v >= 0 ? &plan->constants[v].data() : nullptr);
    owned.push_back(v >= 0 ? plan->constants[v] : OwnedTensor());
  }
  FoldAllocator alloc(info, inputs, &owned);
  KernelContext ctx(inputs, &alloc, 1);
  Status s = kernel.Compute(ctx);
  if (alloc.too_big()) return Status::Ok();
  if (!s.ok()) return s.WithContext(info.description + " (folding constants at load)");
  *folded = true;
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    const int v = node.outputs[o];
    if (v < 0) continue;
    if (!alloc.outputs()[o].valid()) return Internal(info.description + ": folded kernel left an output unset");
    plan->constants[v] = std::move(alloc.outputs()[o]);
    PlanValue& pv = plan->values[v];
    pv.kind = ValueKind::kConstant;
    pv.has_shape = true;
    pv.dims = plan->constants[v].data().shape;
    pv.dim_params.assign(pv.dims.size(), "");
  }
  return Status::Ok();
}

Status AddNode(const Graph& graph, int index, const KernelRegistry& registry, const PlanOptions& options,
               ExecutionPlan* plan) {
  const GraphNode& node = graph.nodes()[index];
  KernelInfo info;
  info.node = &node;
  info.description = DescribeNode(node, index);
  info.intra_op_threads = options.intra_op_threads;
  bool all_constant = true;
  for (int v : node.inputs) {
    info.input_types.push_back(v >= 0 ? plan->values[v].dtype : DataType::kInvalid);
    info.input_values.push_back(v >= 0 ? &graph.values()[v] : nullptr);
    const bool is_const = v >= 0 && plan->constants[v].valid();
    info.constant_inputs.push_back(is_const ? &plan->constants[v].data() : nullptr);
    all_constant = all_constant && (v < 0 || is_const);
  }
  for (int v : node.outputs) info.output_types.push_back(v >= 0 ? plan->values[v].dtype : DataType::kInvalid);
  FS_ASSIGN_OR_RETURN(const KernelDef* def, registry.Find(node, index, info.input_types, info.output_types));
  NodeAttributes attrs(*node.proto, options.model_dir);
  info.attributes = &attrs;
  Result<std::unique_ptr<Kernel>> kernel = def->create(info);
  if (!kernel.ok()) {
    const Status& s = kernel.status();
    return s.message().find(info.description) == std::string::npos ? s.WithContext(info.description) : s;
  }
  if (options.fold_constants && def->foldable && all_constant) {
    bool folded = false;
    FS_RETURN_IF_ERROR(Fold(info, **kernel, node, plan, &folded));
    if (folded) return Status::Ok();
  }
  PlanStep step;
  step.kernel = kernel->get();
  step.inputs = node.inputs;
  step.outputs = node.outputs;
  step.alias_output0 = def->alias_output0;
  step.description = info.description;
  step.node = index;
  plan->kernels.push_back(std::move(kernel).value());
  plan->steps.push_back(std::move(step));
  return Status::Ok();
}

// Drops constants that no step reads and no output returns.
void DropUnusedConstants(ExecutionPlan* plan) {
  std::vector<bool> used(plan->values.size(), false);
  for (const PlanStep& s : plan->steps) {
    for (int v : s.inputs) {
      if (v >= 0) used[v] = true;
    }
  }
  for (int v : plan->outputs) used[v] = true;
  for (size_t v = 0; v < used.size(); ++v) {
    if (!used[v] && plan->constants[v].valid()) plan->constants[v] = OwnedTensor();
  }
}

}  // namespace

Result<std::unique_ptr<ExecutionPlan>> BuildPlan(Graph* graph, const KernelRegistry& registry,
                                                 const PlanOptions& options) {
  auto plan = std::make_unique<ExecutionPlan>();
  plan->intra_op_threads = options.intra_op_threads;
  InitValues(*graph, plan.get());
  for (int i = 0; i < static_cast<int>(graph->nodes().size()); ++i) {
    FS_RETURN_IF_ERROR(AddNode(*graph, i, registry, options, plan.get()));
  }
  for (int v : plan->outputs) {
    if (plan->values[v].dtype == DataType::kInvalid) {
      return InvalidArgument("graph output '" + plan->values[v].name + "' has no known element type");
    }
  }
  if (options.fuse_conv_chains) FS_RETURN_IF_ERROR(FuseConvChains(*graph, options.model_dir, plan.get()));
  DropUnusedConstants(plan.get());
  PlanMemory(plan.get());
  return plan;
}

}  // namespace finserve::runtime::onnx
