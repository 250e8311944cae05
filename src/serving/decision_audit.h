// DecisionAuditor: turns each answered request into a decision record of the audit log (see
// docs/audit.md for the fields) and each model or key change into an admin record.
//
// RecordDecision() runs after the model has answered and before the answer leaves: it appends the
// record and hands the answer on once the record is stored as the log's fsync policy says (on the
// log's flusher thread; no request thread waits for the disk). If that fails, the request fails
// with Unavailable (503, fail-closed, the default), or, with fail_open, the answer goes out marked
// with the response parameter `audit: "unrecorded"`. RecordScore() does the same for :score. Inputs are stored only for models whose
// config says `audit: {store_inputs: true}`, and then only encrypted (AES-256-GCM); the digest of
// the inputs is an HMAC under a key derived from the encryption key when there is one.
//
// Thread-safe; holds no request state. The log and key are shared, not owned exclusively.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "audit/crypto.h"
#include "core/json_writer.h"
#include "repository/loaded_model.h"
#include "serving/request.h"

namespace finserve::serving {

struct DecisionAuditOptions {
  audit::AuditLog* log = nullptr;  // not owned; must outlive the auditor
  std::shared_ptr<const audit::EncryptionKey> encryption;  // null: no model may store inputs
  bool fail_open = false;
};

// The `audit:` section of a model config.
struct ModelAuditConfig {
  bool store_inputs = false;
};
Result<ModelAuditConfig> ParseModelAuditConfig(const nlohmann::json& document, std::string_view where);

// The request as stored (encrypted) in a decision record, and back: enough to replay it.
std::string SerializeRequestForAudit(const InferRequest& request);
// What a decision record keeps of a request, taken as the client sent it (before the service
// encodes raw applicant columns or binds inputs): its serialisation above and who asked.
struct AuditedRequest {
  std::string plain;
  std::string request_id;
  std::string id;
  std::shared_ptr<const auth::Principal> principal;
};
AuditedRequest CaptureForAudit(const InferRequest& request);
// The members of a decision record that name the version (model, version, file, hashes, platform,
// kernel, build), serialised once per version (ModelState) and copied into each of its records.
std::string AuditModelMembers(const repository::LoadedModel& model);
Result<InferRequest> DeserializeAuditedRequest(std::string_view json);
// SHA-256 over the raw bytes of every output (name, datatype, shape and data), the bit-identity of
// an answer; the same function checks a replay.
std::string OutputsDigest(const InferResponse& response);
// The same for :score (applicant by name, the answer's probability bits, decision and reasons).
std::string SerializeScoreRequestForAudit(const ScoreRequest& request);
Result<ScoreRequest> DeserializeAuditedScoreRequest(std::string_view json);
std::string ScoreDigest(const ScoreResponse& response);

class DecisionAuditor {
 public:
  explicit DecisionAuditor(DecisionAuditOptions options) : options_(std::move(options)) {}

  // The answer to give once the record is stored: the response, or the 503 instead of it.
  using RecordedCallback = std::function<void(Result<InferResponse>)>;

  // `route`: "infer" or "explain". `done` runs exactly once, on the audit log's flusher thread or
  // the caller's; the version stays pinned until then.
  void RecordDecision(std::string_view route, std::shared_ptr<const repository::LoadedModel> model,
                      const AuditedRequest& request, InferResponse response, RecordedCallback done) const;

  using ScoreRecordedCallback = std::function<void(Result<ScoreResponse>)>;
  void RecordScore(std::shared_ptr<const repository::LoadedModel> model, const ScoreRequest& request,
                   ScoreResponse response, ScoreRecordedCallback done) const;

  // Fails a load whose config asks to store inputs when there is no encryption key.
  Status CheckModel(const repository::LoadedModel& model) const;

  // Admin record (model loaded/unloaded, config reloaded, ...), appended without waiting.
  void RecordAdmin(std::string_view action, const nlohmann::json& details) const;

  bool fail_open() const { return options_.fail_open; }

 private:
  // Writes the fields every decision has, the inputs digest and (when asked) the sealed inputs.
  Status WriteCommon(std::string_view route, const repository::LoadedModel& model, const std::string& request_id,
                     const std::string& client_id, const auth::Principal* principal, const std::string& plain,
                     JsonWriter* w) const;
  // What a stored (or failed) record means for its answer: on failure the fail-open/closed policy
  // decides (*unrecorded set when open).
  Status Outcome(const Result<uint64_t>& stored, const std::string& request_id, const repository::LoadedModel& model,
                 bool* unrecorded) const;
  // Commits `record` and hands `response` to `done` once it is stored (or the 503 instead).
  template <typename Response>
  void CommitThen(const JsonWriter& record, std::string request_id, std::shared_ptr<const repository::LoadedModel> pinned,
                  Response response, std::function<void(Result<Response>)> done) const;

  DecisionAuditOptions options_;
};

}  // namespace finserve::serving
