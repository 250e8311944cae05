// TensorFromProto: an ONNX TensorProto (initializer, Constant value, test-data file) as an
// OwnedTensor, checked: known element type, non-negative dims within kMaxTensorElements, and a
// payload (raw_data, typed field or external file) whose size matches the dims.
//
// External data: `location` is resolved relative to `model_dir`; absolute paths, paths that
// leave model_dir (via ".." or a symlink) and missing or short files are refused. An empty
// model_dir refuses external data altogether. Stateless; thread-safe.
#pragma once

#include <string>

#include "core/status.h"
#include "runtime/onnx/tensor_data.h"

namespace onnx {
class TensorProto;
}

namespace finserve::runtime::onnx {

Result<OwnedTensor> TensorFromProto(const ::onnx::TensorProto& proto, const std::string& model_dir);

// The bytes an EXTERNAL tensor points to (location checked as above; offset/length honoured).
Result<std::string> ReadExternalData(const ::onnx::TensorProto& proto, const std::string& model_dir);
// Replaces an EXTERNAL tensor's reference by its bytes (raw_data), so that the ONNX checker,
// which would otherwise probe the path relative to the process's working directory, sees an
// ordinary tensor. No-op for other tensors.
Status InlineExternalData(::onnx::TensorProto* proto, const std::string& model_dir);

// Checks an external-data location and returns the file path to read.
Result<std::string> ResolveExternalPath(const std::string& model_dir, const std::string& location);

}  // namespace finserve::runtime::onnx
