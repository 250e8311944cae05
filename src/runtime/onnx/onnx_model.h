// OnnxModel: a loaded ONNX graph as a runtime::Model (platform "onnx_onnxv1").
//
// Load() does all the work that can fail: parse (size-limited), opset check, our kernel check
// (so an unsupported op is named before the ONNX checker runs), onnx::checker, strict shape
// inference, graph build (topological order, cycles, missing initializers), kernel creation
// with constant folding, memory planning. Inputs and outputs keep the graph's names; dynamic
// dims are -1; datatypes are the OIP names of the ONNX element types.
// Immutable after Load; Run() is const and thread-safe (per-call frames, see executor.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "runtime/model.h"
#include "runtime/onnx/execution_plan.h"
#include "runtime/onnx/executor.h"

namespace finserve::runtime::onnx {

struct OnnxLoadOptions {
  std::string model_dir;  // resolves external data; empty refuses it
  int intra_op_threads = 1;
  bool fuse_conv_chains = true;  // PlanOptions::fuse_conv_chains
};

class OnnxModel final : public runtime::Model {
 public:
  static Result<std::unique_ptr<OnnxModel>> Load(std::string_view bytes, const OnnxLoadOptions& options);

  std::string_view platform() const override { return "onnx_onnxv1"; }
  const std::vector<TensorSpec>& inputs() const override { return inputs_; }
  const std::vector<TensorSpec>& outputs() const override { return outputs_; }
  Status Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
             std::vector<Tensor>* outputs) const override;
  std::string_view kernel_path() const override { return kernel_path_; }

  // For tests and tools: the plan (steps, constants, arena size).
  const ExecutionPlan& plan() const { return *plan_; }

 private:
  explicit OnnxModel(std::unique_ptr<ExecutionPlan> plan);
  // Load() minus the translation of std::bad_alloc into ResourceExhausted.
  static Result<std::unique_ptr<OnnxModel>> LoadOrThrow(std::string_view bytes, const OnnxLoadOptions& options);

  std::unique_ptr<ExecutionPlan> plan_;
  Executor executor_;
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
  std::string kernel_path_;
};

}  // namespace finserve::runtime::onnx
