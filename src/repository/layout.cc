#include "repository/layout.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>

namespace finserve::repository {
namespace {

bool ParseVersion(const std::string& name, int64_t* version) {
  if (name.empty() || name[0] == '0' || name.size() > 18) return false;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), *version);
  return ec == std::errc() && end == name.data() + name.size() && *version > 0;
}

VersionDir ScanVersion(Env* env, const std::string& path, int64_t version,
                       const runtime::BackendRegistry& backends) {
  VersionDir v;
  v.version = version;
  v.path = path;
  std::vector<std::string> found;
  for (std::string_view file : backends.FileNames()) {
    if (env->FileExists(path + "/" + std::string(file))) found.emplace_back(file);
  }
  std::string fingerprint;
  for (const auto& f : found) fingerprint += f + "=" + FileFingerprint(path + "/" + f) + ";";
  fingerprint += std::string(kConfigFileName) + "=" + FileFingerprint(path + "/" + kConfigFileName);
  v.fingerprint = std::move(fingerprint);
  if (found.size() == 1) {
    v.model_file = found[0];
  } else if (found.empty()) {
    std::string names;
    for (std::string_view file : backends.FileNames()) names += (names.empty() ? "" : ", ") + std::string(file);
    v.problem = NotFound("no model file in " + path + " (expected one of: " + names + ")");
  } else {
    v.problem = InvalidArgument("two model files in " + path + ": " + found[0] + " and " + found[1] +
                                "; a version holds exactly one");
  }
  return v;
}

}  // namespace

bool IsValidModelName(std::string_view name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string FileFingerprint(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return "";
  return std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + "#" + std::to_string(st.st_ino);
}

Result<std::vector<std::string>> ListModels(Env* env, const std::string& repository) {
  if (!env->IsDirectory(repository)) {
    return NotFound("model repository '" + repository + "' is not a directory");
  }
  FS_ASSIGN_OR_RETURN(auto entries, env->ListDirectory(repository));
  std::vector<std::string> models;
  for (auto& name : entries) {
    if (IsValidModelName(name) && env->IsDirectory(repository + "/" + name)) models.push_back(std::move(name));
  }
  return models;
}

Result<ModelDir> ScanModel(Env* env, const std::string& repository, const std::string& name,
                           const runtime::BackendRegistry& backends) {
  ModelDir model;
  model.name = name;
  model.path = repository + "/" + name;
  if (!IsValidModelName(name)) return InvalidArgument("'" + name + "' is not a valid model name");
  if (!env->IsDirectory(model.path)) return NotFound("no model directory " + model.path);
  model.config_fingerprint = FileFingerprint(model.path + "/" + kConfigFileName);
  FS_ASSIGN_OR_RETURN(auto entries, env->ListDirectory(model.path));
  for (const auto& entry : entries) {
    int64_t version = 0;
    const std::string path = model.path + "/" + entry;
    if (ParseVersion(entry, &version) && env->IsDirectory(path)) {
      model.versions.push_back(ScanVersion(env, path, version, backends));
    }
  }
  std::sort(model.versions.begin(), model.versions.end(),
            [](const VersionDir& a, const VersionDir& b) { return a.version < b.version; });
  return model;
}

}  // namespace finserve::repository
