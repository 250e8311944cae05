// The ONNX backend: claims "model.onnx" in a version directory and loads it as an OnnxModel
// (external data is resolved relative to that directory). Stateless; thread-safe.
#pragma once

#include <memory>

#include "runtime/backend.h"

namespace finserve::runtime::onnx {

std::unique_ptr<runtime::Backend> NewOnnxBackend();

}  // namespace finserve::runtime::onnx
