// Executor: runs an ExecutionPlan on one request.
//
// Each call gets its own frame: the request's tensors are read in place (no copy, except BYTES,
// which become std::string arrays), intermediates live in one per-call arena laid out by the
// planner or, for shapes known only now, in a per-call pool whose buffers are reused as values
// die at their planned step. Graph outputs are written straight into the caller's Tensors.
// Input dtypes and shapes are checked against the declared ones (including symbolic dims that
// must agree across inputs) before any kernel runs: a mismatch is InvalidArgument naming the
// input. Kernel errors come back with the node's description in front.
// Stateless: RunPlan may be called concurrently on the same (immutable) plan.
#pragma once

#include <span>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "runtime/model.h"
#include "runtime/onnx/execution_plan.h"

namespace finserve::runtime::onnx {

Status RunPlan(const ExecutionPlan& plan, std::span<const TensorView> inputs, const OutputSelection& wanted,
               std::vector<Tensor>* outputs);

// The same input checks RunPlan makes, on their own.
Status ValidateInputs(const ExecutionPlan& plan, std::span<const TensorView> inputs);

}  // namespace finserve::runtime::onnx
