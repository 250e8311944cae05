#include "serving/model_extension.h"

namespace finserve::serving {

repository::PrepareHook MakePrepareHook(Env* env) {
  return [env](const repository::LoadedModel& model) -> Result<std::shared_ptr<const repository::ModelExtension>> {
    auto extension = std::make_shared<VersionExtension>();
    FS_ASSIGN_OR_RETURN(extension->explanation, BuildExplanationState(model, env));
    return std::shared_ptr<const repository::ModelExtension>(std::move(extension));
  };
}

const VersionExtension* ExtensionOf(const repository::LoadedModel& model) {
  return dynamic_cast<const VersionExtension*>(model.extension());
}

}  // namespace finserve::serving
