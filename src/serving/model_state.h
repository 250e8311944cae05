// ModelState: the serving layer's per-version state (input validation rules; the raw-feature
// encoding and training statistics of raw_features.h), built once
// when a version loads through the repository's PrepareHook and attached to the LoadedModel's
// extension slot, so a bad rule fails the load (the old version keeps serving) and requests never
// re-parse configuration. Immutable; thread-safe.
#pragma once

#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "repository/loaded_model.h"
#include "repository/loader.h"
#include "serving/feature_rules.h"
#include "serving/scheduler.h"
#include "train/feature_plan.h"

namespace finserve::serving {

struct ModelState : repository::ModelExtension {
  FeatureRules feature_rules;
  std::optional<train::FeaturePlan> raw_features;  // the config's `features:` section, if any
  nlohmann::json statistics;                       // statistics.json next to the model file, or null
  // The version's scheduler queue, configured by its `batching:` section (mutable state behind a
  // pointer: the scheduler guards it).
  std::shared_ptr<ModelQueue> queue;
};

// The PrepareHook to give the ModelManager (repository::LoadOptions::prepare).
Result<std::shared_ptr<const repository::ModelExtension>> PrepareModelState(const repository::LoadedModel& model);
repository::PrepareHook ModelStatePrepareHook();

// The state attached at load, or nullptr when the version was loaded without the hook.
const ModelState* StateOf(const repository::LoadedModel& model);

}  // namespace finserve::serving
