// The model repository on disk:
//
//   <repository>/<model>/config.yaml            optional, model-level config
//   <repository>/<model>/<version>/<model file>  one file claimed by a backend (model.json, model.onnx)
//   <repository>/<model>/<version>/config.yaml  optional, overrides the model-level config
//
// Versions are directories named by a positive integer; anything else (e.g. a writer's
// temporary ".tmp-3") is ignored, so a version appears only once it is renamed into place.
// These functions only read the directory tree; they never load models. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "runtime/backend.h"

namespace finserve::repository {

inline constexpr char kConfigFileName[] = "config.yaml";

struct VersionDir {
  int64_t version = 0;
  std::string path;
  std::string model_file;  // file name claimed by a backend; empty when `problem` is set
  Status problem;          // e.g. no model file, two model files
  std::string fingerprint; // changes when the model file or the version config changes
};

struct ModelDir {
  std::string name;
  std::string path;
  std::string config_fingerprint;  // of the model-level config.yaml ("" if absent)
  std::vector<VersionDir> versions;  // ascending
};

// Names of the model directories under `repository` (sorted; hidden entries skipped).
Result<std::vector<std::string>> ListModels(Env* env, const std::string& repository);

// Reads one model directory. NotFound if it does not exist.
Result<ModelDir> ScanModel(Env* env, const std::string& repository, const std::string& name,
                           const runtime::BackendRegistry& backends);

// True for names usable as a model name: [A-Za-z0-9_.-], not starting with '.', at most 128 chars.
bool IsValidModelName(std::string_view name);

// Size and modification time of a file as a string; "" if it does not exist.
std::string FileFingerprint(const std::string& path);

}  // namespace finserve::repository
