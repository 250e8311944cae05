#include "repository/manager.h"

#include <algorithm>
#include <set>

#include "core/log.h"

namespace finserve::repository {

std::string_view VersionStateName(VersionState state) {
  switch (state) {
    case VersionState::kLoading: return "LOADING";
    case VersionState::kReady: return "READY";
    case VersionState::kUnavailable: return "UNAVAILABLE";
  }
  return "UNAVAILABLE";
}

ModelManager::ModelManager(Options options) : options_(std::move(options)) {}

Result<std::shared_ptr<const LoadedModel>> ModelManager::Get(std::string_view name,
                                                             std::optional<int64_t> version) const {
  std::shared_lock lock(table_mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return NotFound("model '" + std::string(name) + "' is not loaded");
  const ModelSlot& slot = it->second;
  if (version) {
    auto v = slot.find(*version);
    if (v != slot.end() && v->second.state == VersionState::kReady && v->second.model) return v->second.model;
  } else {
    for (auto v = slot.rbegin(); v != slot.rend(); ++v) {
      if (v->second.state == VersionState::kReady && v->second.model) return v->second.model;
    }
  }
  std::string ready;
  for (const auto& [number, s] : slot) {
    if (s.state == VersionState::kReady && s.model) ready += (ready.empty() ? "" : ", ") + std::to_string(number);
  }
  if (version) {
    return NotFound("version " + std::to_string(*version) + " of model '" + std::string(name) +
                    "' is not loaded (ready versions: " + (ready.empty() ? "none" : ready) + ")");
  }
  return NotFound("model '" + std::string(name) + "' has no ready version");
}

std::vector<VersionStatus> ModelManager::Index() const {
  std::shared_lock lock(table_mu_);
  std::vector<VersionStatus> out;
  for (const auto& [name, slot] : models_) {
    for (const auto& [version, s] : slot) out.push_back({name, version, s.state, s.reason});
  }
  return out;
}

std::vector<int64_t> ModelManager::ReadyVersions(std::string_view name) const {
  std::shared_lock lock(table_mu_);
  std::vector<int64_t> out;
  auto it = models_.find(name);
  if (it == models_.end()) return out;
  for (const auto& [version, s] : it->second) {
    if (s.state == VersionState::kReady && s.model) out.push_back(version);
  }
  return out;
}

Result<std::vector<std::string>> ModelManager::ModelsOnDisk() const {
  return ListModels(options_.env, options_.repository);
}

Status ModelManager::ReconcileAll() {
  std::lock_guard control(control_mu_);
  FS_ASSIGN_OR_RETURN(auto names, ListModels(options_.env, options_.repository));
  std::vector<std::string> gone;
  {
    std::shared_lock lock(table_mu_);
    for (const auto& [name, slot] : models_) {
      if (!std::binary_search(names.begin(), names.end(), name)) gone.push_back(name);
    }
  }
  for (const auto& name : gone) RemoveModel(name);
  Status first_error;
  for (const auto& name : names) {
    Status s = ReconcileLocked(name);
    if (first_error.ok() && !s.ok()) first_error = s;
  }
  return first_error;
}

Status ModelManager::ReconcileModel(const std::string& name) {
  std::lock_guard control(control_mu_);
  return ReconcileLocked(name);
}

Status ModelManager::UnloadModel(const std::string& name) {
  std::lock_guard control(control_mu_);
  {
    std::shared_lock lock(table_mu_);
    if (!models_.count(name)) return NotFound("model '" + name + "' is not loaded");
  }
  RemoveModel(name);
  return Status::Ok();
}

Status ModelManager::ReconcileLocked(const std::string& name) {
  Result<ModelDir> dir = ScanModel(options_.env, options_.repository, name, *options_.backends);
  if (!dir.ok()) {
    if (dir.status().code() == StatusCode::kNotFound) RemoveModel(name);
    return dir.status();
  }
  std::vector<int64_t> available;
  for (const auto& v : dir->versions) available.push_back(v.version);
  if (available.empty()) {
    RemoveModel(name);
    return NotFound("model '" + name + "' has no version directories in " + dir->path);
  }
  Result<nlohmann::json> config = ReadModelLevelConfig(options_.env, *dir);
  Result<ModelConfig> parsed = config.ok() ? ParseModelConfig(*config, dir->path + "/" + kConfigFileName)
                                           : Result<ModelConfig>(config.status());
  if (!parsed.ok()) {
    // Report a broken config once per change of the file, not on every poll.
    std::string& failed = failed_config_fingerprint_[name];
    if (failed != dir->config_fingerprint) MarkFailed(name, available, parsed.status());
    failed = dir->config_fingerprint;
    return parsed.status().WithContext("model '" + name + "'");
  }
  failed_config_fingerprint_.erase(name);
  const std::vector<int64_t> wanted = parsed->version_policy.Select(available);
  Status first_error;
  LoadWanted(*dir, *config, wanted, &first_error);
  UnloadUnwanted(name, wanted);
  return first_error;
}

void ModelManager::LoadWanted(const ModelDir& dir, const nlohmann::json& config,
                              const std::vector<int64_t>& wanted, Status* first_error) {
  for (const VersionDir& version : dir.versions) {
    if (!std::binary_search(wanted.begin(), wanted.end(), version.version)) continue;
    const std::string fingerprint = version.fingerprint + "|" + dir.config_fingerprint;
    {
      std::unique_lock lock(table_mu_);
      VersionSlot& slot = models_[dir.name][version.version];
      if (slot.model && slot.fingerprint == fingerprint) continue;
      if (slot.failed_fingerprint == fingerprint) continue;
      if (!slot.model) slot.state = VersionState::kLoading;
    }
    const int64_t start = options_.env->NowMicros();
    auto loaded = LoadVersion(options_.env, *options_.backends, dir, version, config, options_.load);
    std::unique_lock lock(table_mu_);
    VersionSlot& slot = models_[dir.name][version.version];
    if (loaded.ok()) {
      slot = VersionSlot{VersionState::kReady, "", *loaded, fingerprint, ""};
      FS_LOG(kInfo, "model_loaded")
          .With("model", dir.name)
          .With("version", version.version)
          .With("platform", (*loaded)->platform())
          .With("model_sha256", (*loaded)->model_sha256())
          .With("config_sha256", (*loaded)->config_sha256())
          .With("load_ms", static_cast<double>(options_.env->NowMicros() - start) / 1000.0);
      Notify({VersionEvent::Kind::kLoaded, dir.name, version.version, *loaded, ""});
      continue;
    }
    const Status error = loaded.status().WithContext("model '" + dir.name + "' version " + std::to_string(version.version));
    slot.failed_fingerprint = fingerprint;
    if (slot.model) {
      slot.reason = "reload failed, previous files still serving: " + error.message();
    } else {
      slot.state = VersionState::kUnavailable;
      slot.reason = error.message();
    }
    FS_LOG(kError, "model_load_failed").With("model", dir.name).With("version", version.version).With("reason", error.message());
    Notify({VersionEvent::Kind::kLoadFailed, dir.name, version.version, nullptr, error.message()});
    if (first_error->ok()) *first_error = error;
  }
}

void ModelManager::UnloadUnwanted(const std::string& name, const std::vector<int64_t>& wanted) {
  std::unique_lock lock(table_mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return;
  ModelSlot& slot = it->second;
  bool wanted_ready = false;
  for (int64_t v : wanted) {
    auto s = slot.find(v);
    wanted_ready |= s != slot.end() && s->second.state == VersionState::kReady;
  }
  for (auto s = slot.begin(); s != slot.end();) {
    const bool is_wanted = std::binary_search(wanted.begin(), wanted.end(), s->first);
    // A replaced version goes only once a wanted one serves; failed leftovers go at once.
    if (!is_wanted && (wanted_ready || !s->second.model)) {
      if (s->second.model) {
        FS_LOG(kInfo, "model_unloaded").With("model", name).With("version", s->first);
        Notify({VersionEvent::Kind::kUnloaded, name, s->first, nullptr, ""});
      }
      s = slot.erase(s);
    } else {
      ++s;
    }
  }
  if (slot.empty()) models_.erase(it);
}

void ModelManager::MarkFailed(const std::string& name, const std::vector<int64_t>& versions, const Status& error) {
  std::unique_lock lock(table_mu_);
  ModelSlot& slot = models_[name];
  for (int64_t v : versions) {
    VersionSlot& s = slot[v];
    if (s.model) {
      s.reason = "config invalid, previous config still serving: " + error.message();
    } else {
      s.state = VersionState::kUnavailable;
      s.reason = error.message();
    }
  }
  FS_LOG(kError, "model_config_invalid").With("model", name).With("reason", error.message());
}

void ModelManager::RemoveModel(const std::string& name) {
  std::unique_lock lock(table_mu_);
  auto it = models_.find(name);
  if (it == models_.end()) return;
  for (const auto& [version, s] : it->second) {
    if (!s.model) continue;
    FS_LOG(kInfo, "model_unloaded").With("model", name).With("version", version);
    Notify({VersionEvent::Kind::kUnloaded, name, version, nullptr, ""});
  }
  models_.erase(it);
}

void ModelManager::Notify(VersionEvent event) const {
  if (options_.on_event) options_.on_event(event);
}

}  // namespace finserve::repository
