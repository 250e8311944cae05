#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Status KernelInfo::Error(std::string_view message) const {
  return InvalidArgument(description + ": " + std::string(message));
}

Status KernelInfo::Unsupported(std::string_view message) const {
  return Unimplemented(description + ": " + std::string(message));
}

}  // namespace finserve::runtime::onnx
