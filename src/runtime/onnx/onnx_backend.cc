#include "runtime/onnx/onnx_backend.h"

#include "runtime/onnx/onnx_model.h"

namespace finserve::runtime::onnx {
namespace {

class OnnxBackend final : public Backend {
 public:
  std::string_view name() const override { return "onnx"; }
  std::string_view file_name() const override { return "model.onnx"; }
  Result<std::unique_ptr<Model>> Load(const ModelSource& source, const BackendOptions& options) const override {
    OnnxLoadOptions load;
    load.model_dir = source.directory;
    load.intra_op_threads = options.intra_op_threads;
    FS_ASSIGN_OR_RETURN(std::unique_ptr<OnnxModel> model, OnnxModel::Load(source.bytes, load));
    return std::unique_ptr<Model>(std::move(model));
  }
};

}  // namespace

std::unique_ptr<Backend> NewOnnxBackend() { return std::make_unique<OnnxBackend>(); }

}  // namespace finserve::runtime::onnx
