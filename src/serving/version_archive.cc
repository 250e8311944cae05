#include "serving/version_archive.h"

#include <exception>

#include <nlohmann/json.hpp>

#include "core/env.h"
#include "core/sha256.h"
#include "repository/model_config.h"

namespace finserve::serving {
namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

}  // namespace

Result<std::string> ArchiveVersion(const audit::Archive& archive, const repository::LoadedModel& model) {
  Env* env = Env::Default();
  const std::string dir = DirName(model.model_path());
  const std::string model_file = BaseName(model.model_path());
  nlohmann::json manifest = {{"model", model.id().name},
                             {"version", model.id().version},
                             {"model_file", model_file},
                             {"model_sha256", model.model_sha256()},
                             {"config_sha256", model.config_sha256()}};
  const std::string config = repository::CanonicalJson(model.config().document);
  FS_ASSIGN_OR_RETURN(manifest["config_object"], archive.Put(config));
  FS_ASSIGN_OR_RETURN(auto names, env->ListDirectory(dir));
  nlohmann::json files = nlohmann::json::object();
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    if (env->IsDirectory(path)) continue;
    FS_ASSIGN_OR_RETURN(std::string bytes, env->ReadFile(path));
    if (name == model_file && Sha256Hex(bytes) != model.model_sha256()) {
      return FailedPrecondition(path + " changed while it was being loaded; it will be loaded again");
    }
    FS_ASSIGN_OR_RETURN(files[name], archive.Put(bytes));
  }
  manifest["files"] = files;
  const std::string json = manifest.dump();
  FS_RETURN_IF_ERROR(archive.PutManifest(model.model_sha256(), model.config_sha256(), json));
  return json;
}

Result<VersionManifest> ParseVersionManifest(std::string_view json) {
  try {
    const nlohmann::json j = nlohmann::json::parse(json);
    VersionManifest m;
    m.model = j.at("model").get<std::string>();
    m.version = j.at("version").get<int64_t>();
    m.model_file = j.at("model_file").get<std::string>();
    m.config_json = j.at("config_object").get<std::string>();
    for (const auto& [name, sha] : j.at("files").items()) m.files.emplace_back(name, sha.get<std::string>());
    return m;
  } catch (const std::exception& e) {
    return DataLoss(std::string("archived version manifest is unreadable: ") + e.what());
  }
}

std::string ModelSignatureMessage(std::string_view file_name, std::string_view sha256_hex) {
  return "finserve-model-signature:v1:" + std::string(file_name) + ":" + std::string(sha256_hex);
}

Result<std::string> SignModelFile(const audit::SigningKey& key, std::string_view file_name, std::string_view bytes) {
  const std::string sha = Sha256Hex(bytes);
  FS_ASSIGN_OR_RETURN(std::string signature, key.Sign(ModelSignatureMessage(file_name, sha)));
  nlohmann::json sig = {{"file", file_name}, {"sha256", sha}, {"key_id", key.key_id()},
                        {"signature", audit::Base64Encode(signature)}};
  return sig.dump(2) + "\n";
}

Status ModelSignaturePolicy::Check(const std::string& path, std::string_view bytes) const {
  if (!require && trusted.empty()) return Status::Ok();  // signatures are not checked at all
  Env* env = Env::Default();
  const std::string sig_path = path + ".sig";
  if (!env->FileExists(sig_path)) {
    if (!require) return Status::Ok();
    return PermissionDenied(path + " is not signed (no " + BaseName(sig_path) +
                            ") and the server requires signed models (--require-signed-models); sign it with "
                            "`finserve sign --key KEY " + path + "`");
  }
  FS_ASSIGN_OR_RETURN(std::string text, env->ReadFile(sig_path));
  nlohmann::json sig;
  try {
    sig = nlohmann::json::parse(text);
  } catch (const std::exception&) {
    return InvalidArgument(sig_path + " is not a finserve signature file (JSON with file, sha256, key_id, signature)");
  }
  if (!sig.is_object() || !sig.contains("signature") || !sig["signature"].is_string()) {
    return InvalidArgument(sig_path + " is not a finserve signature file (JSON with file, sha256, key_id, signature)");
  }
  const std::string file = BaseName(path), sha = Sha256Hex(bytes);
  const std::string signed_file = sig.value("file", ""), signed_sha = sig.value("sha256", "");
  const std::string key_id = sig.value("key_id", "");
  if (signed_file != file || signed_sha != sha) {
    return PermissionDenied(sig_path + " was made for '" + signed_file + "' with SHA-256 " + signed_sha + " (key " +
                            key_id + "), but " + path + " has SHA-256 " + sha +
                            ": the signature belongs to another model file");
  }
  auto signature = audit::Base64Decode(sig["signature"].get<std::string>());
  if (!signature.ok()) return InvalidArgument(sig_path + ": the signature is not base64");
  std::string known;
  for (const auto& key : trusted) {
    if (key.key_id() != key_id) {
      known += (known.empty() ? "" : ", ") + key.key_id();
      continue;
    }
    if (key.Verify(ModelSignatureMessage(file, sha), *signature)) return Status::Ok();
    return PermissionDenied(sig_path + ": the signature does not verify with trusted key " + key_id + " (" +
                            key.where() + ")");
  }
  return PermissionDenied(sig_path + " is signed by key " + key_id + ", which is not trusted (trusted: " +
                          (known.empty() ? "none; add --trusted-model-key" : known) + ")");
}

}  // namespace finserve::serving
