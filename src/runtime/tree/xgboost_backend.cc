#include "runtime/tree/xgboost_backend.h"

#include <utility>

#include "runtime/tree/tree_model.h"
#include "runtime/tree/xgboost_json_import.h"

namespace finserve::runtime::tree {
namespace {

class XgboostJsonBackend final : public runtime::Backend {
 public:
  std::string_view name() const override { return "xgboost"; }
  std::string_view file_name() const override { return "model.json"; }

  Result<std::unique_ptr<Model>> Load(const ModelSource& source, const BackendOptions& options) const override {
    FS_ASSIGN_OR_RETURN(XgboostModel model, ImportXgboostJson(source.bytes));
    TreeModel::Options tree_options;
    tree_options.intra_op_threads = options.intra_op_threads;
    FS_ASSIGN_OR_RETURN(std::unique_ptr<TreeModel> loaded, TreeModel::Create(std::move(model), tree_options));
    return std::unique_ptr<Model>(std::move(loaded));
  }
};

}  // namespace

std::unique_ptr<runtime::Backend> NewXgboostJsonBackend() { return std::make_unique<XgboostJsonBackend>(); }

}  // namespace finserve::runtime::tree
