// `finserve audit verify | show | replay`: reading the decision audit trail (docs/audit.md).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "audit/crypto.h"
#include "audit/reader.h"
#include "audit/record.h"
#include "audit/verifier.h"
#include "cli/commands.h"
#include "core/env.h"
#include "serving/audit_replay.h"
#include "serving/audit_runtime.h"

namespace finserve::cli {
namespace {

struct AuditOptions {
  std::string directory;
  std::string public_key;
  bool json = false;
  std::string request_id;
  std::string state_dir = "~/.local/state/finserve";
  std::string encryption_key_file;
};

std::string ExpandHome(const std::string& path) {
  if (path.rfind("~/", 0) != 0) return path;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + path.substr(1);
}

// DIR may be the audit directory itself or the state directory holding it.
std::string AuditDirOf(const std::string& dir) {
  const std::string expanded = ExpandHome(dir);
  const std::string nested = serving::AuditRuntime::AuditDirectory(expanded);
  return Env::Default()->IsDirectory(nested) ? nested : expanded;
}

int Verify(const AuditOptions& o) {
  std::unique_ptr<audit::VerifyKey> key;
  if (!o.public_key.empty()) {
    auto loaded = audit::VerifyKey::LoadPemFile(o.public_key);
    if (!loaded.ok()) return CommandFailed("audit", loaded.status());
    key = std::make_unique<audit::VerifyKey>(std::move(loaded).value());
  }
  auto report = audit::VerifyLog(AuditDirOf(o.directory), key.get());
  if (!report.ok()) return CommandFailed("audit", report.status());
  std::cout << (o.json ? audit::FormatReportJson(*report) + "\n" : audit::FormatReport(*report));
  return report->ok() ? 0 : 1;
}

Result<std::unique_ptr<audit::EncryptionKey>> LoadKey(const AuditOptions& o) {
  if (o.encryption_key_file.empty()) return std::unique_ptr<audit::EncryptionKey>();
  FS_ASSIGN_OR_RETURN(audit::EncryptionKey key, audit::EncryptionKey::LoadFile(o.encryption_key_file));
  return std::make_unique<audit::EncryptionKey>(std::move(key));
}

int Show(const AuditOptions& o) {
  const std::string state_dir = ExpandHome(o.state_dir);
  auto found = audit::FindDecisions(serving::AuditRuntime::AuditDirectory(state_dir), o.request_id);
  if (!found.ok()) return CommandFailed("audit", found.status());
  auto key = LoadKey(o);
  if (!key.ok()) return CommandFailed("audit", key.status());
  for (const auto& f : *found) {
    nlohmann::json out = {{"file", f.file}, {"line", f.line}, {"record", f.record.doc}};
    if (*key && f.record.doc.contains("inputs")) {
      auto plain = serving::StoredPlaintext(f, key->get());
      if (!plain.ok()) return CommandFailed("audit", plain.status());
      out["inputs_decrypted"] = nlohmann::json::parse(*plain);
    }
    std::cout << out.dump(2) << "\n";
  }
  return 0;
}

int Replay(const AuditOptions& o) {
  const std::string state_dir = ExpandHome(o.state_dir);
  auto found = audit::FindDecisions(serving::AuditRuntime::AuditDirectory(state_dir), o.request_id);
  if (!found.ok()) return CommandFailed("audit", found.status());
  if (found->size() > 1) {
    std::cerr << "finserve audit: " << found->size() << " decisions carry the id '" << o.request_id
              << "'; replaying each\n";
  }
  auto key = LoadKey(o);
  if (!key.ok()) return CommandFailed("audit", key.status());
  int code = 0;
  for (const auto& f : *found) {
    auto result = serving::ReplayDecision(state_dir, f, key->get());
    if (!result.ok()) return CommandFailed("audit", result.status());
    const auto& d = f.record.doc;
    std::cout << (result->identical ? "IDENTICAL" : "DIFFERENT") << ": decision seq " << f.record.seq << " ("
              << audit::StringMember(d, "model") << "@" << audit::IntMember(d, "version") << ", model "
              << audit::StringMember(d, "model_sha256").substr(0, 12) << ", config " << audit::StringMember(d, "config_sha256").substr(0, 12)
              << ")\n  recorded outputs sha256 " << result->recorded_sha256 << "\n  replayed outputs sha256 "
              << result->replayed_sha256 << "\n";
    if (!result->identical) code = 1;
  }
  return code;
}

void AddStateAndKey(CLI::App* command, AuditOptions* o, bool key_required) {
  command->add_option("--state-dir", o->state_dir, "the server's state directory")->capture_default_str();
  auto* key = command->add_option("--encryption-key-file", o->encryption_key_file,
                                  "the server's --audit-encryption-key-file (to decrypt stored inputs)");
  if (key_required) key->required();
}

}  // namespace

RunCommand AddAuditCommand(CLI::App* command) {
  auto o = std::make_shared<AuditOptions>();
  command->require_subcommand(1);
  CLI::App* verify = command->add_subcommand("verify", "check the hash chain and checkpoint signatures; exit 1 at the first problem");
  verify->add_option("dir", o->directory, "the audit directory (or the state directory holding audit/)")->required();
  verify->add_option("--public-key", o->public_key, "Ed25519 public key (PEM) of --audit-signing-key");
  verify->add_flag("--json", o->json, "print one JSON object");
  CLI::App* show = command->add_subcommand("show", "print the decision records of a request id");
  show->add_option("request_id", o->request_id, "X-Request-Id or the request body's id")->required();
  AddStateAndKey(show, o.get(), false);
  CLI::App* replay = command->add_subcommand("replay", "re-score a decision from the archive and check the outputs are bit-identical");
  replay->add_option("request_id", o->request_id, "X-Request-Id or the request body's id")->required();
  AddStateAndKey(replay, o.get(), true);
  return [o, verify, show] {
    if (verify->parsed()) return Verify(*o);
    if (show->parsed()) return Show(*o);
    return Replay(*o);
  };
}

}  // namespace finserve::cli
