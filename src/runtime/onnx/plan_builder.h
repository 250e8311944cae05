// BuildPlan: turns a typed Graph into an ExecutionPlan with the CPU kernel table.
//
// For each node in topological order: find its table row (refusing unsupported op, opset or
// element type with the node named), create its kernel (attributes checked here, at load), and
// if every input is a constant, run it once now and keep its outputs as constants instead of a
// step (constant folding: initializers feeding Shape/Reshape/Cast chains cost nothing per call).
// Constants no remaining step or output needs are dropped. Then chains of Conv, Relu and pooling
// steps are fused (conv_chain_fusion.h). Finally the memory planner runs.
// Not thread-safe (load time); the result is immutable.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "runtime/onnx/execution_plan.h"
#include "runtime/onnx/graph.h"
#include "runtime/onnx/kernel_registry.h"

namespace finserve::runtime::onnx {

struct PlanOptions {
  std::string model_dir;  // for external data in tensor attributes
  int intra_op_threads = 1;
  bool fold_constants = true;
  bool fuse_conv_chains = true;  // conv_chain_fusion.h; off only to compare with the unfused plan
};

Result<std::unique_ptr<ExecutionPlan>> BuildPlan(Graph* graph, const KernelRegistry& registry,
                                                 const PlanOptions& options);

}  // namespace finserve::runtime::onnx
