// ReadTensorFile: one serialized ONNX TensorProto file (the `input_N.pb` / `output_N.pb` of ONNX's
// test-data layout) as a core Tensor, for tools and tests that feed or check models with files
// written by python's onnx.numpy_helper. Checked like an initializer (TensorFromProto); external
// data is refused. Stateless; thread-safe.
#pragma once

#include <string>

#include "core/status.h"
#include "core/tensor.h"

namespace finserve::runtime::onnx {

Result<Tensor> ReadTensorFile(const std::string& path);

}  // namespace finserve::runtime::onnx
