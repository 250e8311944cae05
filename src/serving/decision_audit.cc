#include "serving/decision_audit.h"

#include "audit/record.h"
#include "core/build_info.h"
#include "core/env.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/sha256.h"
#include "serving/model_state.h"

namespace finserve::serving {
namespace {

template <typename T, typename Write>
void WriteValues(const Tensor& t, Write write) {
  const T* data = t.data<T>();
  for (int64_t i = 0; i < t.num_elements(); ++i) write(data[i]);
}

// Output values as people read them; bit identity is `outputs_sha256`.
void WriteOutputData(const Tensor& t, JsonWriter* w) {
  w->BeginArray();
  switch (t.dtype()) {
    case DataType::kFp32: WriteValues<float>(t, [&](float v) { w->Float(v); }); break;
    case DataType::kFp64: WriteValues<double>(t, [&](double v) { w->Double(v); }); break;
    case DataType::kInt64: WriteValues<int64_t>(t, [&](int64_t v) { w->Int(v); }); break;
    case DataType::kInt32: WriteValues<int32_t>(t, [&](int32_t v) { w->Int(v); }); break;
    case DataType::kBool: WriteValues<uint8_t>(t, [&](uint8_t v) { w->Bool(v != 0); }); break;
    case DataType::kBytes:
      for (int64_t i = 0; i < t.num_elements(); ++i) w->String(t.string_at(i));
      break;
    default: break;  // other types: digest only
  }
  w->EndArray();
}

std::string_view PrincipalKind(const auth::Principal& p) {
  switch (p.source) {
    case auth::PrincipalSource::kKey: return "key";
    case auth::PrincipalSource::kClientCert: return "client_certificate";
    case auth::PrincipalSource::kAnonymous: return "anonymous";
  }
  return "unknown";
}

std::string ModelFileName(const repository::LoadedModel& model) {
  const std::string& path = model.model_path();
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool StoresInputs(const repository::LoadedModel& model, const ModelState* state) {
  if (state) return state->audit.store_inputs;
  auto config = ParseModelAuditConfig(model.config().document, "model config");
  return config.ok() && config->store_inputs;
}

}  // namespace

Result<ModelAuditConfig> ParseModelAuditConfig(const nlohmann::json& document, std::string_view where) {
  ModelAuditConfig config;
  if (!document.contains("audit")) return config;
  const nlohmann::json& section = document["audit"];
  if (!section.is_object()) return InvalidArgument(std::string(where) + ": 'audit' must be a mapping");
  for (const auto& [key, value] : section.items()) {
    if (key != "store_inputs") {
      return InvalidArgument(std::string(where) + ": unknown key 'audit." + key + "' (known: store_inputs)");
    }
    if (!value.is_boolean()) return InvalidArgument(std::string(where) + ": 'audit.store_inputs' must be true or false");
    config.store_inputs = value.get<bool>();
  }
  return config;
}

Status DecisionAuditor::CheckModel(const repository::LoadedModel& model) const {
  FS_ASSIGN_OR_RETURN(ModelAuditConfig config, ParseModelAuditConfig(model.config().document, "model config"));
  if (config.store_inputs && !options_.encryption) {
    return FailedPrecondition("the config asks to store inputs in the audit log (audit.store_inputs: true), but the "
                              "server has no encryption key for them: start it with --audit-encryption-key-file");
  }
  return Status::Ok();
}

std::string AuditModelMembers(const repository::LoadedModel& model) {
  JsonWriter w;
  w.BeginObject().Field("model", model.id().name).Field("version", model.id().version);
  w.Field("model_file", ModelFileName(model)).Field("model_sha256", model.model_sha256());
  w.Field("config_sha256", model.config_sha256()).Field("platform", model.platform());
  w.Field("kernel", model.model().kernel_path()).Field("build", BuildId()).EndObject();
  return w.str().substr(1, w.str().size() - 2);
}

AuditedRequest CaptureForAudit(const InferRequest& request) {
  return {SerializeRequestForAudit(request), request.request_id, request.id, request.principal};
}

Status DecisionAuditor::WriteCommon(std::string_view route, const repository::LoadedModel& model,
                                    const std::string& request_id, const std::string& client_id,
                                    const auth::Principal* principal, const std::string& plain, JsonWriter* w) const {
  // Versions loaded through the serving layer carry their members and audit section ready-made.
  const ModelState* state = StateOf(model);
  const bool store_inputs = StoresInputs(model, state);
  w->BeginObject().Field("type", "decision").Field("time", FormatUtcMicros(Env::Default()->NowUnixMicros()));
  w->Field("request_id", request_id).Field("client_id", client_id).Field("route", route);
  w->Key("principal").BeginObject().Field("kind", principal ? PrincipalKind(*principal) : "unknown");
  w->Field("name", principal ? principal->name : "").EndObject();
  w->Members(state ? std::string_view(state->audit_model_members) : std::string_view(AuditModelMembers(model)));
  if (options_.encryption) {
    w->Key("inputs_digest").BeginObject().Field("alg", "hmac-sha256").Field("key_id", options_.encryption->key_id());
    w->Field("value", options_.encryption->Digest(plain)).EndObject();
  } else {
    w->Key("inputs_digest").BeginObject().Field("alg", "sha256").Field("value", Sha256Hex(plain)).EndObject();
  }
  if (store_inputs && options_.encryption) {
    auto sealed = options_.encryption->Encrypt(plain, request_id + "|" + model.model_sha256());
    if (!sealed.ok()) return sealed.status();
    w->Key("inputs").BeginObject().Field("alg", "AES-256-GCM").Field("key_id", options_.encryption->key_id());
    w->Field("nonce", audit::Base64Encode(sealed->nonce)).Field("ciphertext", audit::Base64Encode(sealed->ciphertext));
    w->EndObject();
  }
  return Status::Ok();
}

Status DecisionAuditor::Outcome(const Result<uint64_t>& stored, const std::string& request_id,
                                const repository::LoadedModel& model, bool* unrecorded) const {
  if (stored.ok()) return Status::Ok();
  FS_LOG(kError, "audit_record_failed")
      .With("request_id", request_id)
      .With("model", model.id().ToString())
      .With("status", stored.status().ToString())
      .With("effect", options_.fail_open ? "answered, marked unrecorded" : "request failed (503)");
  if (options_.fail_open) {
    *unrecorded = true;
    return Status::Ok();
  }
  return Unavailable("the decision could not be recorded in the audit log, so it is not given (fail-closed): " +
                     stored.status().message());
}

void DecisionAuditor::RecordDecision(std::string_view route, std::shared_ptr<const repository::LoadedModel> pinned,
                                     const AuditedRequest& request, InferResponse response, RecordedCallback done) const {
  const repository::LoadedModel& model = *pinned;
  JsonWriter w;
  w.Reserve(1280 + request.plain.size() / 2);  // a one-applicant decision record is ~1 KB: one allocation
  Status common =
      WriteCommon(route, model, request.request_id, request.id, request.principal.get(), request.plain, &w);
  if (!common.ok()) return done(std::move(common));
  w.Key("outputs").BeginArray();
  for (const auto& out : response.outputs) {
    w.BeginObject().Field("name", out.name).Field("datatype", DataTypeName(out.tensor.dtype())).Key("shape").BeginArray();
    for (int64_t d : out.tensor.shape().dims()) w.Int(d);
    w.EndArray().Key("data");
    WriteOutputData(out.tensor, &w);
    w.EndObject();
  }
  w.EndArray().Field("outputs_sha256", OutputsDigest(response)).EndObject();
  CommitThen(w, request.request_id, std::move(pinned), std::move(response), std::move(done));
}

namespace {
void MarkUnrecorded(InferResponse* response) { response->parameters.Set("audit", std::string("unrecorded")); }
void MarkUnrecorded(ScoreResponse* response) { response->audit_unrecorded = true; }
}  // namespace

template <typename Response>
void DecisionAuditor::CommitThen(const JsonWriter& record, std::string request_id,
                                 std::shared_ptr<const repository::LoadedModel> pinned, Response response,
                                 std::function<void(Result<Response>)> done) const {
  // The answer waits (without holding a thread) until its record is stored.
  options_.log->CommitAsync(record.str(), [this, request_id = std::move(request_id), pinned = std::move(pinned),
                                           response = std::move(response), done = std::move(done)](
                                              Result<uint64_t> stored) mutable {
    bool unrecorded = false;
    Status outcome = Outcome(stored, request_id, *pinned, &unrecorded);
    if (!outcome.ok()) return done(std::move(outcome));
    if (unrecorded) MarkUnrecorded(&response);
    done(std::move(response));
  });
}

void DecisionAuditor::RecordScore(std::shared_ptr<const repository::LoadedModel> pinned, const ScoreRequest& request,
                                  ScoreResponse response, ScoreRecordedCallback done) const {
  const repository::LoadedModel& model = *pinned;
  const std::string plain = SerializeScoreRequestForAudit(request);
  JsonWriter w;
  w.Reserve(768);
  Status common = WriteCommon("score", model, request.request_id, request.id, request.principal.get(), plain, &w);
  if (!common.ok()) return done(std::move(common));
  w.Key("score").BeginObject().Field("probability", response.probability).Field("decision", response.decision);
  w.Field("threshold", response.threshold).Field("adverse_class", response.adverse_class);
  w.Field("method", response.method).Key("reasons");
  WriteReasonsJson(response.reasons, &w);
  w.EndObject().Field("outputs_sha256", ScoreDigest(response)).EndObject();
  CommitThen(w, request.request_id, std::move(pinned), std::move(response), std::move(done));
}

void DecisionAuditor::RecordAdmin(std::string_view action, const nlohmann::json& details) const {
  nlohmann::json fields = details;
  fields["type"] = "admin";
  fields["action"] = action;
  fields["time"] = FormatUtcMicros(Env::Default()->NowUnixMicros());
  fields["build"] = std::string(BuildId());
  Status appended = options_.log->Append(fields.dump());
  if (!appended.ok()) FS_LOG(kError, "audit_admin_record_failed").With("action", action).With("status", appended.ToString());
}

}  // namespace finserve::serving
