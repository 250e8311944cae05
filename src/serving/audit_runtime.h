// AuditRuntime: everything the audit trail needs while a server runs, built from its settings:
// the decision log in <state-dir>/audit, the version archive in <state-dir>/archive, the
// DecisionAuditor that InferenceService calls, model-signature checks, the hooks the repository
// calls when versions load or go, and a thread that ingests the admin spool (spool.h).
//
// Start-up writes a `server_started` admin record (with what recovery found); Close() a
// `server_stopped` one and the final checkpoint. Thread-safe after Create().
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/archive.h"
#include "audit/audit_log.h"
#include "repository/loader.h"
#include "repository/manager.h"
#include "serving/decision_audit.h"
#include "serving/version_archive.h"

namespace finserve::serving {

struct AuditRuntimeOptions {
  std::string state_dir;
  bool enabled = true;  // decisions recorded (archive and signatures work either way)
  audit::LogOptions log;  // directory is set from state_dir
  std::string signing_key_file;     // "" = no checkpoints (warned)
  std::string encryption_key_file;  // "" = models cannot store inputs
  bool fail_open = false;
  ModelSignaturePolicy signatures;
  std::vector<std::string> trusted_key_files;  // loaded into signatures.trusted
  int64_t spool_interval_ms = 200;
};

class AuditRuntime {
 public:
  static Result<std::unique_ptr<AuditRuntime>> Create(AuditRuntimeOptions options);
  ~AuditRuntime();

  // nullptr when decisions are not recorded.
  const DecisionAuditor* auditor() const { return auditor_.get(); }
  // Wraps the serving layer's prepare hook: checks the audit config, archives the version.
  repository::PrepareHook WrapPrepare(repository::PrepareHook inner) const;
  repository::FileCheckHook FileCheck() const;
  repository::VersionEventHook Events() const;

  // Admin record (e.g. "config_reloaded"); no-op when disabled.
  void RecordAdmin(std::string_view action, const nlohmann::json& details) const;
  Status Close();

  static std::string AuditDirectory(const std::string& state_dir) { return state_dir + "/audit"; }
  static std::string ArchiveDirectory(const std::string& state_dir) { return state_dir + "/archive"; }

 private:
  explicit AuditRuntime(AuditRuntimeOptions options);
  void SpoolLoop();

  AuditRuntimeOptions options_;
  std::unique_ptr<audit::Archive> archive_;
  std::unique_ptr<audit::AuditLog> log_;
  std::unique_ptr<DecisionAuditor> auditor_;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread spool_thread_;
};

}  // namespace finserve::serving
