#include "audit/archive.h"

#include "core/sha256.h"

namespace finserve::audit {
namespace {

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string Archive::ObjectPath(std::string_view sha256) const {
  return directory_ + "/objects/" + std::string(sha256.substr(0, 2)) + "/" + std::string(sha256);
}

std::string Archive::ManifestPath(std::string_view model_sha256, std::string_view config_sha256) const {
  return directory_ + "/manifests/" + std::string(model_sha256) + "." + std::string(config_sha256) + ".json";
}

Result<std::string> Archive::Put(std::string_view bytes) const {
  const std::string sha = Sha256Hex(bytes);
  const std::string path = ObjectPath(sha);
  if (env_->FileExists(path)) return sha;
  FS_RETURN_IF_ERROR(env_->CreateDirectories(directory_ + "/objects/" + sha.substr(0, 2), 0700));
  FS_RETURN_IF_ERROR(env_->WriteFileAtomic(path, bytes));
  return sha;
}

bool Archive::Has(std::string_view sha256) const { return IsHex64(sha256) && env_->FileExists(ObjectPath(sha256)); }

Result<std::string> Archive::Get(std::string_view sha256) const {
  if (!IsHex64(sha256)) return InvalidArgument("'" + std::string(sha256) + "' is not a SHA-256 in hex");
  const std::string path = ObjectPath(sha256);
  if (!env_->FileExists(path)) {
    return NotFound("the archive " + directory_ + " has no object " + std::string(sha256));
  }
  FS_ASSIGN_OR_RETURN(std::string bytes, env_->ReadFile(path));
  if (Sha256Hex(bytes) != sha256) return DataLoss("archived object " + path + " no longer matches its SHA-256");
  return bytes;
}

Status Archive::PutManifest(std::string_view model_sha256, std::string_view config_sha256,
                            std::string_view json) const {
  const std::string path = ManifestPath(model_sha256, config_sha256);
  if (env_->FileExists(path)) return Status::Ok();
  FS_RETURN_IF_ERROR(env_->CreateDirectories(directory_ + "/manifests", 0700));
  return env_->WriteFileAtomic(path, json);
}

Result<std::string> Archive::GetManifest(std::string_view model_sha256, std::string_view config_sha256) const {
  if (!IsHex64(model_sha256) || !IsHex64(config_sha256)) return InvalidArgument("manifest hashes must be SHA-256 hex");
  const std::string path = ManifestPath(model_sha256, config_sha256);
  if (!env_->FileExists(path)) {
    return NotFound("the archive " + directory_ + " has no version with model " + std::string(model_sha256) +
                    " and config " + std::string(config_sha256));
  }
  return env_->ReadFile(path);
}

}  // namespace finserve::audit
