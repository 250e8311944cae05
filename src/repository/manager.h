// ModelManager: which model versions are served, and the one place that changes it.
//
// Reconcile*() compares the repository on disk with what is loaded: versions the policy wants
// are loaded (or reloaded when their files changed); only once a wanted version is READY are the
// versions it replaces unloaded, so there is never a window without a READY version. A version
// that fails to load is recorded with its reason and never replaces a good one; the same files
// are not retried until they change. Unloading drops the manager's reference; requests holding a
// LoadedModel keep their version alive until they finish.
//
// Thread-safe: Get()/Index() are cheap shared-lock reads for the request path; control calls are
// serialised among themselves and load models without blocking readers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/env.h"
#include "repository/layout.h"
#include "repository/loaded_model.h"
#include "repository/loader.h"

namespace finserve::repository {

enum class VersionState { kLoading, kReady, kUnavailable };
std::string_view VersionStateName(VersionState state);  // "LOADING", "READY", "UNAVAILABLE"

struct VersionStatus {
  std::string model;
  int64_t version = 0;
  VersionState state = VersionState::kUnavailable;
  std::string reason;  // why it is not READY, or why its last reload failed
};

// A change of what serves, for observers (the audit log). `model` is set for kLoaded.
struct VersionEvent {
  enum class Kind { kLoaded, kUnloaded, kLoadFailed };
  Kind kind = Kind::kLoaded;
  std::string model_name;
  int64_t version = 0;
  std::shared_ptr<const LoadedModel> model;
  std::string reason;  // kLoadFailed
};
// Called under the manager's table lock: must not block or call back into the manager.
using VersionEventHook = std::function<void(const VersionEvent&)>;

class ModelManager {
 public:
  struct Options {
    std::string repository;
    Env* env = Env::Default();
    const runtime::BackendRegistry* backends = &runtime::BackendRegistry::Builtin();
    LoadOptions load;
    VersionEventHook on_event;  // may be empty
  };
  explicit ModelManager(Options options);

  // The READY version asked for, or the highest READY version when `version` is empty.
  // NotFound names the model and the versions that are available.
  Result<std::shared_ptr<const LoadedModel>> Get(std::string_view name, std::optional<int64_t> version) const;

  // Every known model version with its state, sorted by model then version.
  std::vector<VersionStatus> Index() const;
  // Versions of `name` that are READY (ascending).
  std::vector<int64_t> ReadyVersions(std::string_view name) const;
  // Model names on disk (for the repository index of models that were never loaded).
  Result<std::vector<std::string>> ModelsOnDisk() const;

  // Poll mode: every model on disk is reconciled; models gone from disk are unloaded.
  Status ReconcileAll();
  // Loads or refreshes one model from disk (explicit mode's "load"). Returns the first load error,
  // if any; the model's other versions keep serving.
  Status ReconcileModel(const std::string& name);
  // Unloads every version of `name`. NotFound if nothing of it is loaded.
  Status UnloadModel(const std::string& name);

  const std::string& repository() const { return options_.repository; }

 private:
  struct VersionSlot {
    VersionState state = VersionState::kLoading;
    std::string reason;
    std::shared_ptr<const LoadedModel> model;
    std::string fingerprint;         // of the files `model` was loaded from
    std::string failed_fingerprint;  // of files that failed to load (not retried until they change)
  };
  using ModelSlot = std::map<int64_t, VersionSlot>;

  Status ReconcileLocked(const std::string& name);
  void LoadWanted(const ModelDir& dir, const nlohmann::json& config, const std::vector<int64_t>& wanted,
                  Status* first_error);
  void UnloadUnwanted(const std::string& name, const std::vector<int64_t>& wanted);
  void MarkFailed(const std::string& name, const std::vector<int64_t>& versions, const Status& error);
  void RemoveModel(const std::string& name);
  void Notify(VersionEvent event) const;

  Options options_;
  std::mutex control_mu_;  // serialises Reconcile*/Unload*
  std::map<std::string, std::string> failed_config_fingerprint_;  // guarded by control_mu_
  mutable std::shared_mutex table_mu_;
  std::map<std::string, ModelSlot, std::less<>> models_;
};

}  // namespace finserve::repository
