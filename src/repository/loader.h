// Loads one version directory into a LoadedModel: reads and hashes the model file, merges the
// model-level and version-level configs, asks the backend for a Model, binds the configured
// input/output names to the model's tensors and runs the serving layer's `prepare` hook.
// Any failure is a Status naming the model, version and file; nothing is published on failure.
// Stateless; thread-safe.
#pragma once

#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "repository/layout.h"
#include "repository/loaded_model.h"
#include "runtime/backend.h"

namespace finserve::repository {

// Builds the serving layer's per-version state; an error fails the load.
using PrepareHook = std::function<Result<std::shared_ptr<const ModelExtension>>(const LoadedModel&)>;

// Checks a model file's bytes before any backend parses them (signatures); an error fails the load.
using FileCheckHook = std::function<Status(const std::string& path, std::string_view bytes)>;

struct LoadOptions {
  runtime::BackendOptions backend;
  PrepareHook prepare;     // may be empty
  FileCheckHook check_file;  // may be empty
};

// Reads <model>/config.yaml into a JSON document ({} when absent).
Result<nlohmann::json> ReadModelLevelConfig(Env* env, const ModelDir& model);

Result<std::shared_ptr<const LoadedModel>> LoadVersion(Env* env, const runtime::BackendRegistry& backends,
                                                      const ModelDir& model, const VersionDir& version,
                                                      const nlohmann::json& model_config,
                                                      const LoadOptions& options);

// Binds configured tensors to the model's own (exposed for tests). `kind` is "input" or "output".
Result<std::vector<TensorBinding>> BindTensors(const std::vector<TensorConfig>& configured,
                                               const std::vector<runtime::TensorSpec>& native,
                                               std::string_view kind);

}  // namespace finserve::repository
