// LoadedModel: one servable model version — the backend's Model plus everything that gives it
// its identity and public face: name@version, the model file's and effective config's SHA-256,
// the input/output names clients use (config renames) bound to the model's own tensors, the
// feature names, and an extension slot the serving layer fills at load (validators, explainers).
//
// Built once by the loader, then immutable and shared (std::shared_ptr<const LoadedModel>): a
// request holding the pointer keeps its version alive until it finishes, even if the version is
// unloaded meanwhile. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "repository/model_config.h"
#include "runtime/model.h"

namespace finserve::repository {

struct ModelId {
  std::string name;
  int64_t version = 0;
  std::string ToString() const { return name + "@" + std::to_string(version); }
};

// Base of what the serving layer attaches to a version at load time.
class ModelExtension {
 public:
  virtual ~ModelExtension() = default;
};

// A client-facing tensor bound to the model's own tensor `native_index`.
struct TensorBinding {
  runtime::TensorSpec spec;           // client-facing name, datatype, shape
  size_t native_index = 0;            // index into model().inputs() / outputs()
  std::vector<std::string> features;  // names of the last dimension's columns (may be empty)
};

class LoadedModel {
 public:
  struct Parts {
    ModelId id;
    std::string model_path;
    std::string model_sha256;
    ModelConfig config;
    std::unique_ptr<runtime::Model> model;
    std::vector<TensorBinding> inputs;
    std::vector<TensorBinding> outputs;
    int64_t loaded_at_unix_micros = 0;
  };
  explicit LoadedModel(Parts parts) : parts_(std::move(parts)) {}

  const ModelId& id() const { return parts_.id; }
  const runtime::Model& model() const { return *parts_.model; }
  const ModelConfig& config() const { return parts_.config; }
  const std::string& model_path() const { return parts_.model_path; }
  const std::string& model_sha256() const { return parts_.model_sha256; }
  const std::string& config_sha256() const { return parts_.config.sha256; }
  std::string_view platform() const { return parts_.model->platform(); }
  const std::vector<TensorBinding>& inputs() const { return parts_.inputs; }
  const std::vector<TensorBinding>& outputs() const { return parts_.outputs; }
  int64_t loaded_at_unix_micros() const { return parts_.loaded_at_unix_micros; }

  // Index into inputs()/outputs() of the client-facing name, or -1.
  int FindInput(std::string_view name) const;
  int FindOutput(std::string_view name) const;

  const ModelExtension* extension() const { return extension_.get(); }
  // Only the loader calls this, before the version is published.
  void set_extension(std::shared_ptr<const ModelExtension> extension) { extension_ = std::move(extension); }

 private:
  Parts parts_;
  std::shared_ptr<const ModelExtension> extension_;
};

}  // namespace finserve::repository
