#include "runtime/linear/linear_backend.h"

#include "runtime/linear/linear_model.h"
#include "runtime/linear/scorecard.h"

namespace finserve::runtime::linear {
namespace {

class LinearBackend final : public runtime::Backend {
 public:
  std::string_view name() const override { return "linear"; }
  std::string_view file_name() const override { return "model.linear.json"; }
  Result<std::unique_ptr<Model>> Load(const ModelSource& source, const BackendOptions&) const override {
    FS_ASSIGN_OR_RETURN(LinearSpec spec, ParseLinearJson(source.bytes));
    FS_ASSIGN_OR_RETURN(auto model, LinearModel::Create(std::move(spec)));
    return std::unique_ptr<Model>(std::move(model));
  }
};

class ScorecardBackend final : public runtime::Backend {
 public:
  std::string_view name() const override { return "scorecard"; }
  std::string_view file_name() const override { return "model.scorecard.json"; }
  Result<std::unique_ptr<Model>> Load(const ModelSource& source, const BackendOptions&) const override {
    FS_ASSIGN_OR_RETURN(ScorecardSpec spec, ParseScorecardJson(source.bytes));
    FS_ASSIGN_OR_RETURN(auto model, ScorecardModel::Create(std::move(spec)));
    return std::unique_ptr<Model>(std::move(model));
  }
};

}  // namespace

std::unique_ptr<runtime::Backend> NewLinearBackend() { return std::make_unique<LinearBackend>(); }
std::unique_ptr<runtime::Backend> NewScorecardBackend() { return std::make_unique<ScorecardBackend>(); }

}  // namespace finserve::runtime::linear
