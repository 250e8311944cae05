// ModelState: the serving layer's per-version state (input validation rules today), built once
// when a version loads through the repository's PrepareHook and attached to the LoadedModel's
// extension slot, so a bad rule fails the load (the old version keeps serving) and requests never
// re-parse configuration. Immutable; thread-safe.
#pragma once

#include <memory>

#include "repository/loaded_model.h"
#include "repository/loader.h"
#include "serving/feature_rules.h"

namespace finserve::serving {

struct ModelState : repository::ModelExtension {
  FeatureRules feature_rules;
};

// The PrepareHook to give the ModelManager (repository::LoadOptions::prepare).
Result<std::shared_ptr<const repository::ModelExtension>> PrepareModelState(const repository::LoadedModel& model);
repository::PrepareHook ModelStatePrepareHook();

// The state attached at load, or nullptr when the version was loaded without the hook.
const ModelState* StateOf(const repository::LoadedModel& model);

}  // namespace finserve::serving
