// VersionExtension: what the serving layer attaches to every loaded model version (the
// repository's ModelExtension slot), built once at load by the prepare hook and read by every
// request that pins the version. One struct with a field per component, each built by its own
// function from the version's config and model; a component that fails to build fails the load
// with its message (naming the file, the key and the feature), so a bad version never serves.
// Components: `explanation` (explainers, named features, decision, reason codes). Add new ones
// (input validation, ...) as further fields, built in MakePrepareHook's function.
// Immutable once published; thread-safe.
#pragma once

#include <memory>

#include "core/env.h"
#include "repository/loader.h"
#include "serving/explanation_state.h"

namespace finserve::serving {

struct VersionExtension final : repository::ModelExtension {
  std::shared_ptr<const ExplanationState> explanation;  // never null on a loaded version
};

// The hook the ModelManager runs on every version it loads (LoadOptions::prepare).
repository::PrepareHook MakePrepareHook(Env* env = Env::Default());

// The version's extension, or nullptr if it was loaded without the hook.
const VersionExtension* ExtensionOf(const repository::LoadedModel& model);

}  // namespace finserve::serving
