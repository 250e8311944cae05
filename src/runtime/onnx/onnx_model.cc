#include "runtime/onnx/onnx_model.h"

#include <new>
#include <set>

#include "onnx/onnx_pb.h"
#include "runtime/onnx/executor.h"
#include "runtime/onnx/graph.h"
#include "runtime/onnx/kernel_registry.h"
#include "runtime/onnx/ml_type_rules.h"
#include "runtime/onnx/model_reader.h"
#include "runtime/onnx/plan_builder.h"
#include "runtime/onnx/zipmap_rewrite.h"

namespace finserve::runtime::onnx {
namespace {

TensorSpec SpecOf(const PlanValue& v) {
  TensorSpec spec;
  spec.name = v.name;
  spec.dtype = v.dtype;
  // An output whose rank shape inference could not find is shown as one dynamic dim.
  spec.shape = v.has_shape ? v.dims.ToVector() : std::vector<int64_t>{-1};
  return spec;
}

Status CheckKernelsExist(const ::onnx::ModelProto& model) {
  FS_ASSIGN_OR_RETURN(Graph structure, Graph::BuildStructure(model));
  const auto& nodes = structure.nodes();
  for (size_t i = 0; i < nodes.size(); ++i) {
    FS_RETURN_IF_ERROR(KernelRegistry::Cpu().CheckOp(nodes[i], static_cast<int>(i)));
  }
  return Status::Ok();
}

}  // namespace

OnnxModel::OnnxModel(std::unique_ptr<ExecutionPlan> plan) : plan_(std::move(plan)), executor_(plan_.get()) {
  for (int v : plan_->inputs) inputs_.push_back(SpecOf(plan_->values[v]));
  for (int v : plan_->outputs) outputs_.push_back(SpecOf(plan_->values[v]));
  std::set<std::string> paths;
  for (const auto& k : plan_->kernels) {
    if (k->path() != "exact") paths.insert(std::string(k->path()));
  }
  for (const auto& p : paths) kernel_path_ += (kernel_path_.empty() ? "" : "+") + p;
  if (kernel_path_.empty()) kernel_path_ = "exact";
}

Result<std::unique_ptr<OnnxModel>> OnnxModel::Load(std::string_view bytes, const OnnxLoadOptions& options) {
  try {
    return LoadOrThrow(bytes, options);
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory while loading the ONNX model");
  }
}

Result<std::unique_ptr<OnnxModel>> OnnxModel::LoadOrThrow(std::string_view bytes, const OnnxLoadOptions& options) {
  ::onnx::ModelProto model;
  FS_RETURN_IF_ERROR(ParseModel(bytes, &model));
  FS_RETURN_IF_ERROR(CheckOpsets(model));
  FS_RETURN_IF_ERROR(RewriteZipMaps(&model));
  FS_RETURN_IF_ERROR(CheckKernelsExist(model));
  FS_RETURN_IF_ERROR(InlineExternalData(&model, options.model_dir));
  FS_RETURN_IF_ERROR(CheckModel(model));
  FS_RETURN_IF_ERROR(CompleteMlTypes(&model));  // shape inference, strict in the end
  FS_ASSIGN_OR_RETURN(Graph graph, Graph::Build(model, options.model_dir));
  PlanOptions plan_options;
  plan_options.model_dir = options.model_dir;
  plan_options.intra_op_threads = std::max(1, options.intra_op_threads);
  plan_options.fuse_conv_chains = options.fuse_conv_chains;
  FS_ASSIGN_OR_RETURN(std::unique_ptr<ExecutionPlan> plan, BuildPlan(&graph, KernelRegistry::Cpu(), plan_options));
  return std::unique_ptr<OnnxModel>(new OnnxModel(std::move(plan)));
}

Status OnnxModel::Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
                      std::vector<Tensor>* outputs) const {
  return executor_.Run(inputs, wanted, outputs);
}

}  // namespace finserve::runtime::onnx
