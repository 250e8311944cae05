#include "serving/audit_runtime.h"

#include <climits>
#include <cstdlib>

#include <unistd.h>

#include "audit/spool.h"
#include "core/build_info.h"
#include "core/log.h"
#include "core/thread_pool.h"

namespace finserve::serving {
namespace {

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

// The signing key must not sit where whoever can edit the log can also read the key.
Status CheckKeyOutside(const std::string& key_file, const std::string& state_dir) {
  const std::string key = RealPath(key_file), dir = RealPath(state_dir) + "/";
  if (key.compare(0, dir.size(), dir) == 0) {
    return InvalidArgument("--audit-signing-key " + key_file + " lies inside the state directory " + state_dir +
                           ": keep it elsewhere, or whoever can rewrite the log can also re-sign it");
  }
  return Status::Ok();
}

nlohmann::json RecoveryJson(const audit::Recovery& r) {
  nlohmann::json j = {{"last_seq", r.last_seq}};
  if (r.reserved_trimmed_bytes > 0) j["reserved_tail_trimmed_bytes"] = r.reserved_trimmed_bytes;
  if (!r.torn_file.empty()) {
    j["torn_tail"] = {{"file", r.torn_file}, {"offset", r.torn_offset}, {"bytes", r.torn_bytes},
                      {"problem", r.torn_problem}, {"saved_to", r.torn_saved_to}};
  }
  return j;
}

}  // namespace

AuditRuntime::AuditRuntime(AuditRuntimeOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<AuditRuntime>> AuditRuntime::Create(AuditRuntimeOptions options) {
  std::unique_ptr<AuditRuntime> rt(new AuditRuntime(std::move(options)));
  AuditRuntimeOptions& o = rt->options_;
  for (const auto& file : o.trusted_key_files) {
    FS_ASSIGN_OR_RETURN(audit::VerifyKey key, audit::VerifyKey::LoadPemFile(file));
    o.signatures.trusted.push_back(std::move(key));
  }
  if (o.signatures.require && o.signatures.trusted.empty()) {
    return InvalidArgument("--require-signed-models needs at least one --trusted-model-key");
  }
  rt->archive_ = std::make_unique<audit::Archive>(ArchiveDirectory(o.state_dir));
  if (!o.enabled) return rt;
  o.log.directory = AuditDirectory(o.state_dir);
  if (!o.signing_key_file.empty()) {
    FS_RETURN_IF_ERROR(CheckKeyOutside(o.signing_key_file, o.state_dir));
    FS_ASSIGN_OR_RETURN(audit::SigningKey key, audit::SigningKey::LoadPemFile(o.signing_key_file));
    o.log.signing_key = std::make_shared<const audit::SigningKey>(std::move(key));
  } else {
    FS_LOG(kWarn, "audit_unsigned")
        .With("hint", "without --audit-signing-key the audit log is hash-chained but has no signed checkpoints, so a "
                      "rewrite of the whole chain cannot be detected");
  }
  DecisionAuditOptions auditor;
  if (!o.encryption_key_file.empty()) {
    FS_ASSIGN_OR_RETURN(audit::EncryptionKey key, audit::EncryptionKey::LoadFile(o.encryption_key_file));
    auditor.encryption = std::make_shared<const audit::EncryptionKey>(std::move(key));
  }
  auditor.fail_open = o.fail_open;
  auto log = audit::AuditLog::Open(o.log);
  if (!log.ok()) return log.status().WithContext("audit log");
  rt->log_ = std::move(log).value();
  auditor.log = rt->log_.get();
  rt->auditor_ = std::make_unique<DecisionAuditor>(auditor);
  rt->RecordAdmin("server_started", {{"pid", static_cast<int64_t>(::getpid())},
                                     {"version", std::string(BuildVersion())},
                                     {"recovery", RecoveryJson(rt->log_->recovery())},
                                     {"signing_key_id", o.log.signing_key ? o.log.signing_key->key_id() : ""}});
  auto ingested = audit::IngestSpool(o.log.directory, rt->log_.get());
  if (!ingested.ok()) return ingested.status().WithContext("audit spool");
  rt->spool_thread_ = std::thread([r = rt.get()] {
    NameCurrentThread("audit-spool");
    r->SpoolLoop();
  });
  FS_LOG(kInfo, "audit_log_open")
      .With("directory", o.log.directory)
      .With("last_seq", static_cast<int64_t>(rt->log_->recovery().last_seq))
      .With("fsync", o.log.fsync == audit::FsyncPolicy::kAlways ? "always"
                     : o.log.fsync == audit::FsyncPolicy::kGroup ? "group"
                                                                 : "interval")
      .With("failure", o.fail_open ? "open" : "closed");
  return rt;
}

AuditRuntime::~AuditRuntime() { (void)Close(); }

void AuditRuntime::SpoolLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.spool_interval_ms), [&] { return stop_; })) {
    lock.unlock();
    auto n = audit::IngestSpool(options_.log.directory, log_.get());
    if (!n.ok()) FS_LOG(kError, "audit_spool_failed").With("status", n.status().ToString());
    lock.lock();
  }
}

Status AuditRuntime::Close() {
  {
    std::lock_guard lock(stop_mu_);
    if (stop_) return Status::Ok();
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (spool_thread_.joinable()) spool_thread_.join();
  if (!log_) return Status::Ok();
  RecordAdmin("server_stopped", nlohmann::json::object());
  return log_->Close();
}

void AuditRuntime::RecordAdmin(std::string_view action, const nlohmann::json& details) const {
  if (auditor_) auditor_->RecordAdmin(action, details);
}

repository::PrepareHook AuditRuntime::WrapPrepare(repository::PrepareHook inner) const {
  return [this, inner = std::move(inner)](const repository::LoadedModel& model)
             -> Result<std::shared_ptr<const repository::ModelExtension>> {
    if (auditor_) FS_RETURN_IF_ERROR(auditor_->CheckModel(model));
    else FS_RETURN_IF_ERROR(ParseModelAuditConfig(model.config().document, "model config").status());
    auto archived = ArchiveVersion(*archive_, model);
    if (!archived.ok()) return archived.status().WithContext("version archive " + archive_->directory());
    if (inner) return inner(model);
    return std::shared_ptr<const repository::ModelExtension>();
  };
}

repository::FileCheckHook AuditRuntime::FileCheck() const {
  return [this](const std::string& path, std::string_view bytes) { return options_.signatures.Check(path, bytes); };
}

repository::VersionEventHook AuditRuntime::Events() const {
  return [this](const repository::VersionEvent& e) {
    using Kind = repository::VersionEvent::Kind;
    nlohmann::json details = {{"model", e.model_name}, {"version", e.version}};
    if (e.kind == Kind::kLoaded) {
      details["model_sha256"] = e.model->model_sha256();
      details["config_sha256"] = e.model->config_sha256();
      details["platform"] = std::string(e.model->platform());
      RecordAdmin("model_loaded", details);
    } else if (e.kind == Kind::kUnloaded) {
      RecordAdmin("model_unloaded", details);
    } else {
      details["reason"] = e.reason;
      RecordAdmin("model_load_failed", details);
    }
  };
}

}  // namespace finserve::serving
