// FuseConvChains: a plan pass that merges chains of fp32 Conv -> [Relu] -> [MaxPool |
// AveragePool | GlobalAveragePool | all-zero Pad] -> Conv -> ... steps into one step run by
// OnednnChain (kernels/onednn_chain.h): ReLU becomes the convolution's post-op and the
// intermediates stay in oneDNN's blocked layout, so a CNN block costs one reorder in and one
// out instead of a reorder around every convolution and a memory pass per ReLU and pooling.
//
// A step joins the chain when it reads the previous step's only output as its input 0, that
// value has no other reader and is not a graph output, and it is one of: Relu (right after a
// Conv), MaxPool without Indices, AveragePool, GlobalAveragePool, Pad whose pads are constant
// zeros (an identity), or Conv with constant, finite W (and B). Chains start at such a Conv
// and need at least two steps.
//
// The fused kernel keeps the original kernels and runs them one after the other (the exact
// unfused semantics and error messages) whenever the oneDNN chain does not apply to a request:
// an input holding NaN or Inf (oneDNN's ReLU and max pooling treat NaN differently from ONNX),
// another rank than 4, or a shape OnednnChain::Prepare() refuses.
//
// Runs at load inside BuildPlan, before the memory planner; not thread-safe. The fused kernel
// is immutable and thread-safe like every kernel.
#pragma once

#include <string>

#include "core/status.h"
#include "runtime/onnx/execution_plan.h"
#include "runtime/onnx/graph.h"

namespace finserve::runtime::onnx {

// Rewrites plan->steps in place (adding the fused kernels to plan->kernels). Steps must carry
// their graph node index (PlanStep::node).
Status FuseConvChains(const Graph& graph, const std::string& model_dir, ExecutionPlan* plan);

}  // namespace finserve::runtime::onnx
