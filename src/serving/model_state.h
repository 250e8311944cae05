// ModelState: the serving layer's per-version state (input validation rules; the raw-feature
// encoding and training statistics of raw_features.h; explainers, named features, decision rule
// and reason codes of explanation_state.h), built once
// when a version loads through the repository's PrepareHook and attached to the LoadedModel's
// extension slot, so a bad rule fails the load (the old version keeps serving) and requests never
// re-parse configuration. Immutable; thread-safe.
#pragma once

#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "repository/loaded_model.h"
#include "core/env.h"
#include "repository/loader.h"
#include "serving/decision_audit.h"
#include "serving/explanation_state.h"
#include "serving/feature_rules.h"
#include "serving/scheduler.h"
#include "train/feature_plan.h"

namespace finserve::serving {

struct ModelState : repository::ModelExtension {
  FeatureRules feature_rules;
  std::optional<train::FeaturePlan> raw_features;  // the config's `features:` section, if any
  nlohmann::json statistics;                       // statistics.json next to the model file, or null
  std::shared_ptr<const ExplanationState> explanation;  // never null on a version loaded with the hook
  // The version's scheduler queue, configured by its `batching:` section (mutable state behind a
  // pointer: the scheduler guards it).
  std::shared_ptr<ModelQueue> queue;
  // The `audit:` section, and the version's members of every decision record (AuditModelMembers).
  ModelAuditConfig audit;
  std::string audit_model_members;
};

// The PrepareHook to give the ModelManager (repository::LoadOptions::prepare).
// `env` reads background files named by the explanation section.
Result<std::shared_ptr<const repository::ModelExtension>> PrepareModelState(const repository::LoadedModel& model,
                                                                           Env* env);
repository::PrepareHook ModelStatePrepareHook(Env* env = Env::Default());

// The state attached at load, or nullptr when the version was loaded without the hook.
const ModelState* StateOf(const repository::LoadedModel& model);

}  // namespace finserve::serving
