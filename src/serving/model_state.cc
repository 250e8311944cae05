#include "serving/model_state.h"

#include <filesystem>

#include "serving/raw_features.h"

namespace finserve::serving {

Result<std::shared_ptr<const repository::ModelExtension>> PrepareModelState(const repository::LoadedModel& model,
                                                                           Env* env) {
  const auto version_dir = std::filesystem::path(model.model_path()).parent_path();
  const std::string where = (version_dir.parent_path() / "config.yaml").string();
  auto state = std::make_shared<ModelState>();
  FS_ASSIGN_OR_RETURN(state->feature_rules, FeatureRules::FromConfig(model.config().document, model.inputs(), where));
  FS_RETURN_IF_ERROR(PrepareRawFeatures(model, state.get()));
  FS_ASSIGN_OR_RETURN(state->explanation, BuildExplanationState(model, env, &state->statistics));
  const auto& doc = model.config().document;
  FS_ASSIGN_OR_RETURN(BatchingConfig batching,
                      ParseBatchingConfig(doc.contains("batching") ? doc["batching"] : nlohmann::json(), where));
  if (batching.enabled()) {
    if (Status s = CheckBatchable(model); !s.ok()) return s.WithContext(where);
  }
  state->queue = std::make_shared<ModelQueue>(std::move(batching));
  FS_ASSIGN_OR_RETURN(state->audit, ParseModelAuditConfig(doc, where));
  state->audit_model_members = AuditModelMembers(model);
  return std::shared_ptr<const repository::ModelExtension>(std::move(state));
}

repository::PrepareHook ModelStatePrepareHook(Env* env) {
  return [env](const repository::LoadedModel& model) { return PrepareModelState(model, env); };
}

const ModelState* StateOf(const repository::LoadedModel& model) {
  return dynamic_cast<const ModelState*>(model.extension());
}

}  // namespace finserve::serving
