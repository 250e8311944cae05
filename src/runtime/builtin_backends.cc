// THE list of backends built into finserve. Adding a backend = one line here.
#include "runtime/backend.h"
#include "runtime/onnx/onnx_backend.h"
#include "runtime/tree/xgboost_backend.h"

namespace finserve::runtime {

const BackendRegistry& BackendRegistry::Builtin() {
  static const BackendRegistry* registry = [] {
    std::vector<std::unique_ptr<Backend>> backends;
    backends.push_back(tree::NewXgboostJsonBackend());
    backends.push_back(onnx::NewOnnxBackend());
    return new BackendRegistry(std::move(backends));
  }();
  return *registry;
}

}  // namespace finserve::runtime
