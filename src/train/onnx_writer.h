// Writes a trained MLP as an ONNX model (opset 13) with libonnx's protobuf classes:
//   features FP32 [batch, n] -> Gemm -> Relu -> ... -> Gemm -> Reshape [-1] = margin (log-odds)
//                            -> Sigmoid = probability FP32 [batch]
// The model passes onnx::checker::check_model before it is returned; a checker complaint is an
// Internal error (a bug here, not bad input). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "train/mlp_trainer.h"

namespace finserve::train {

// Serialised ModelProto. `columns` become the doc string of the input (its feature names).
Result<std::string> MlpToOnnx(const MlpFit& fit, const std::vector<std::string>& columns);

// libonnx's version (for lineage).
std::string OnnxVersion();

}  // namespace finserve::train
