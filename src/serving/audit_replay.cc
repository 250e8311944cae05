#include "serving/audit_replay.h"

#include <unistd.h>

#include <filesystem>

#include "audit/archive.h"
#include "audit/record.h"
#include "repository/manager.h"
#include "serving/audit_runtime.h"
#include "serving/decision_audit.h"
#include "serving/inference_service.h"
#include "serving/model_state.h"
#include "serving/version_archive.h"

namespace finserve::serving {
namespace {

std::string Where(const audit::FoundRecord& f) {
  return "decision seq " + std::to_string(f.record.seq) + " (" + f.file + " line " + std::to_string(f.line) + ")";
}

// Writes the archived version into <root>/<model>/<version>/ with its config as the model's.
Status Materialize(const audit::Archive& archive, const VersionManifest& m, const std::string& root) {
  Env* env = Env::Default();
  const std::string model_dir = root + "/" + m.model;
  const std::string version_dir = model_dir + "/" + std::to_string(m.version);
  FS_RETURN_IF_ERROR(env->CreateDirectories(version_dir, 0700));
  FS_ASSIGN_OR_RETURN(std::string config, archive.Get(m.config_json));
  FS_RETURN_IF_ERROR(env->WriteFileAtomic(model_dir + "/config.yaml", config));
  for (const auto& [name, sha] : m.files) {
    FS_ASSIGN_OR_RETURN(std::string bytes, archive.Get(sha));
    FS_RETURN_IF_ERROR(env->WriteFileAtomic(version_dir + "/" + name, bytes));
  }
  return Status::Ok();
}

struct TempDir {
  std::string path;
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

Result<std::string> StoredPlaintext(const audit::FoundRecord& found, const audit::EncryptionKey* key) {
  const nlohmann::json& doc = found.record.doc;
  if (!doc.contains("inputs")) {
    return FailedPrecondition(Where(found) + " stored no inputs: its model's config did not set audit.store_inputs");
  }
  const nlohmann::json& in = doc["inputs"];
  const std::string key_id = audit::StringMember(in, "key_id");
  if (key == nullptr) {
    return FailedPrecondition(Where(found) + " has encrypted inputs (key " + key_id +
                              "): pass the key with --encryption-key-file");
  }
  if (key->key_id() != key_id) {
    return FailedPrecondition(Where(found) + " was encrypted with key " + key_id + ", but the key given is " +
                              key->key_id());
  }
  audit::Sealed sealed;
  FS_ASSIGN_OR_RETURN(sealed.nonce, audit::Base64Decode(audit::StringMember(in, "nonce")));
  FS_ASSIGN_OR_RETURN(sealed.ciphertext, audit::Base64Decode(audit::StringMember(in, "ciphertext")));
  auto plain = key->Decrypt(sealed, audit::StringMember(doc, "request_id") + "|" + audit::StringMember(doc, "model_sha256"));
  if (!plain.ok()) return plain.status().WithContext(Where(found));
  return plain;
}

Result<InferRequest> StoredRequest(const audit::FoundRecord& found, const audit::EncryptionKey* key) {
  FS_ASSIGN_OR_RETURN(std::string plain, StoredPlaintext(found, key));
  FS_ASSIGN_OR_RETURN(InferRequest request, DeserializeAuditedRequest(plain));
  request.request_id = audit::StringMember(found.record.doc, "request_id");
  return request;
}

Result<ReplayResult> ReplayDecision(const std::string& state_dir, const audit::FoundRecord& found,
                                    const audit::EncryptionKey* key) {
  const nlohmann::json& doc = found.record.doc;
  FS_ASSIGN_OR_RETURN(std::string plain, StoredPlaintext(found, key));
  const std::string model_sha = audit::StringMember(doc, "model_sha256"), config_sha = audit::StringMember(doc, "config_sha256");
  audit::Archive archive(AuditRuntime::ArchiveDirectory(state_dir));
  auto manifest_json = archive.GetManifest(model_sha, config_sha);
  if (!manifest_json.ok()) return manifest_json.status().WithContext(Where(found));
  FS_ASSIGN_OR_RETURN(VersionManifest manifest, ParseVersionManifest(*manifest_json));

  TempDir tmp;
  char pattern[] = "/tmp/finserve-replay-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) return Internal("cannot create a temporary directory for the replay");
  tmp.path = pattern;
  FS_RETURN_IF_ERROR(Materialize(archive, manifest, tmp.path));

  repository::ModelManager::Options options;
  options.repository = tmp.path;
  options.load.prepare = ModelStatePrepareHook();
  repository::ModelManager manager(options);
  Status loaded = manager.ReconcileModel(manifest.model);
  if (!loaded.ok()) return loaded.WithContext("replaying " + Where(found) + ": the archived version does not load");
  auto version = manager.Get(manifest.model, manifest.version);
  if (!version.ok()) return version.status();
  if ((*version)->model_sha256() != model_sha || (*version)->config_sha256() != config_sha) {
    return DataLoss("the archived version rebuilt for " + Where(found) + " has model " + (*version)->model_sha256() +
                    " and config " + (*version)->config_sha256() + ", not the recorded ones");
  }
  ServiceOptions service_options;
  service_options.model_control = ModelControlMode::kExplicit;
  InferenceService service(&manager, service_options);
  ReplayResult result;
  result.recorded_sha256 = audit::StringMember(doc, "outputs_sha256");
  const std::string route = audit::StringMember(doc, "route");
  if (route == "score") {
    FS_ASSIGN_OR_RETURN(ScoreRequest request, DeserializeAuditedScoreRequest(plain));
    request.model_name = manifest.model;
    request.model_version = std::to_string(manifest.version);
    FS_ASSIGN_OR_RETURN(ScoreResponse response, service.Score(request));
    result.replayed_sha256 = ScoreDigest(response);
  } else {
    FS_ASSIGN_OR_RETURN(InferRequest request, DeserializeAuditedRequest(plain));
    request.model_name = manifest.model;
    request.model_version = std::to_string(manifest.version);
    FS_ASSIGN_OR_RETURN(InferResponse response, route == "explain" ? service.Explain(request) : service.Infer(request));
    result.replayed_sha256 = OutputsDigest(response);
    result.response = std::move(response);
  }
  result.identical = result.recorded_sha256 == result.replayed_sha256;
  return result;
}

}  // namespace finserve::serving
