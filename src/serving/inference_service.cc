#include "serving/inference_service.h"

#include <charconv>
#include <future>

#include "serving/model_state.h"
#include "serving/raw_features.h"
#include "serving/scheduler.h"
#include "serving/serving_metrics.h"
#include "serving/auth/access_controller.h"
#include "serving/explanation.h"
#include "serving/validation.h"

namespace finserve::serving {
namespace {

std::vector<TensorMetadata> ToMetadata(const std::vector<repository::TensorBinding>& bindings) {
  std::vector<TensorMetadata> out;
  out.reserve(bindings.size());
  for (const auto& b : bindings) out.push_back({b.spec.name, b.spec.dtype, b.spec.shape, b.features});
  return out;
}

// The raw features a version accepts instead of its encoded input (empty without a `features:` plan).
std::vector<TensorMetadata> RawInputs(const repository::LoadedModel& model) {
  std::vector<TensorMetadata> out;
  const train::FeaturePlan* plan = RawFeaturesOf(model);
  if (!plan) return out;
  for (const auto& f : plan->features()) {
    const bool categorical = f.type == train::FeatureType::kCategorical;
    out.push_back({f.name, categorical ? DataType::kBytes : DataType::kFp64, {-1}, f.categories});
  }
  return out;
}

// The request's queue deadline from its `timeout` parameter (µs; 0 or absent = the model's
// default_timeout_us, 0 there = none).
Result<SchedulerClock::time_point> DeadlineOf(const InferRequest& request, const ModelQueue* queue,
                                              SchedulerClock::time_point arrived) {
  int64_t timeout_us = queue ? queue->config().default_timeout_us : 0;
  if (const ParameterValue* p = request.parameters.Find("timeout")) {
    const int64_t* value = std::get_if<int64_t>(p);
    if (value == nullptr || *value < 0) {
      return InvalidArgument("parameter 'timeout' must be a non-negative integer (microseconds a request may wait "
                             "in the queue)");
    }
    if (*value > 0) timeout_us = *value;
  }
  if (timeout_us == 0) return SchedulerClock::time_point::max();
  return arrived + std::chrono::microseconds(timeout_us);
}

}  // namespace

InferenceService::InferenceService(repository::ModelManager* manager, ServiceOptions options)
    : manager_(manager),
      options_(std::move(options)),
      registry_(options_.metrics_registry ? options_.metrics_registry : std::make_shared<MetricsRegistry>()),
      metrics_(std::make_unique<ServingMetrics>(registry_.get())),
      scheduler_(std::make_unique<Scheduler>(options_.inference_threads, metrics_.get())) {
  RegisterModelStateMetrics();
}

InferenceService::~InferenceService() = default;

void InferenceService::RegisterModelStateMetrics() {
  registry_->AddCallback("finserve_model_version_state",
                         "1 for the state each known model version is in (LOADING, READY, UNAVAILABLE)",
                         MetricType::kGauge, {"model", "version", "state"}, [this](SampleSink& sink) {
                           for (const auto& s : manager_->Index()) {
                             sink.Add({s.model, std::to_string(s.version), repository::VersionStateName(s.state)}, 1);
                           }
                         });
  registry_->AddCallback("finserve_model_versions_ready", "Model versions READY to serve", MetricType::kGauge, {},
                         [this](SampleSink& sink) {
                           int64_t ready = 0;
                           for (const auto& s : manager_->Index()) ready += s.state == repository::VersionState::kReady;
                           sink.Add({}, static_cast<double>(ready));
                         });
}

Result<std::optional<int64_t>> InferenceService::ParseVersion(std::string_view version) {
  if (version.empty()) return std::optional<int64_t>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), v);
  if (ec != std::errc() || end != version.data() + version.size() || v < 1) {
    return InvalidArgument("model version '" + std::string(version) + "' is not a positive integer");
  }
  return std::optional<int64_t>(v);
}

Result<std::shared_ptr<const repository::LoadedModel>> InferenceService::Route(std::string_view model,
                                                                              std::string_view version) const {
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> number, ParseVersion(version));
  return manager_->Get(model, number);
}

Result<std::shared_ptr<const auth::Principal>> InferenceService::Authenticate(
    const auth::Credentials& credentials) const {
  if (options_.access == nullptr) return auth::Principal::Anonymous();
  return options_.access->Authenticate(credentials);
}

Status InferenceService::Authorize(const auth::Principal& principal, auth::Scope scope, std::string_view model,
                                   int64_t* retry_after_s) const {
  if (options_.access == nullptr) return Status::Ok();
  return options_.access->Authorize(principal, scope, model, retry_after_s);
}

ServerMetadata InferenceService::GetServerMetadata() const {
  return ServerMetadata{options_.server_name, options_.server_version,
                        {"model_repository", "binary_tensor_data", "schedule_policy"}};
}

Result<ModelMetadata> InferenceService::GetModelMetadata(std::string_view model, std::string_view version) const {
  FS_ASSIGN_OR_RETURN(auto loaded, Route(model, version));
  ModelMetadata md;
  md.name = loaded->id().name;
  for (int64_t v : manager_->ReadyVersions(model)) md.versions.push_back(std::to_string(v));
  md.platform = std::string(loaded->platform());
  md.inputs = ToMetadata(loaded->inputs());
  md.outputs = ToMetadata(loaded->outputs());
  md.raw_inputs = RawInputs(*loaded);
  md.version = loaded->id().version;
  md.model_sha256 = loaded->model_sha256();
  md.config_sha256 = loaded->config_sha256();
  md.description = loaded->config().description;
  md.owner = loaded->config().owner;
  return md;
}

Result<bool> InferenceService::IsModelReady(std::string_view model, std::string_view version) const {
  FS_ASSIGN_OR_RETURN(std::optional<int64_t> number, ParseVersion(version));
  bool known = false;
  for (const auto& status : manager_->Index()) {
    if (status.model != model || (number && status.version != *number)) continue;
    known = true;
    if (status.state == repository::VersionState::kReady) return true;
  }
  if (!known) {
    return NotFound(number ? "version " + std::to_string(*number) + " of model '" + std::string(model) + "' is unknown"
                           : "model '" + std::string(model) + "' is unknown");
  }
  return false;
}

Result<nlohmann::json> InferenceService::GetTrainingStatistics(std::string_view model, std::string_view version) const {
  FS_ASSIGN_OR_RETURN(auto loaded, Route(model, version));
  const ModelState* state = StateOf(*loaded);
  if (!state || state->statistics.is_null()) {
    return NotFound("model '" + loaded->id().ToString() + "' has no training statistics (statistics.json)");
  }
  return state->statistics;
}

Result<InferResponse> InferenceService::Explain(const InferRequest& request) const { return RunSync(request, true); }

void InferenceService::ExplainAsync(InferRequest request, InferCallback done) const {
  RunAsync(std::move(request), true, std::move(done));
}

void InferenceService::ScoreAsync(const ScoreRequest& request, ScoreCallback done) const {
  auto loaded = Route(request.model_name, request.model_version);
  if (!loaded.ok()) return done(loaded.status());
  Result<ScoreResponse> response = ScoreApplicant(**loaded, request);
  if (!response.ok() || !options_.audit) return done(std::move(response));
  options_.audit->RecordScore(*std::move(loaded), request, std::move(response).value(), std::move(done));
}

Result<ScoreResponse> InferenceService::Score(const ScoreRequest& request) const {
  std::promise<Result<ScoreResponse>> answer;
  auto future = answer.get_future();
  ScoreAsync(request, [&answer](Result<ScoreResponse> response) { answer.set_value(std::move(response)); });
  return future.get();
}

// Routes, checks explanation options, encodes raw features, validates and binds a request; the
// result owns everything the scheduler needs.
Status InferenceService::Prepare(InferRequest raw_request, bool force_explain, std::unique_ptr<ScheduledRequest>* out,
                                 std::string* routed_version) const {
  auto r = std::make_unique<ScheduledRequest>();
  r->arrived = SchedulerClock::now();
  FS_ASSIGN_OR_RETURN(r->model, Route(raw_request.model_name, raw_request.model_version));
  const repository::LoadedModel& loaded = *r->model;
  *routed_version = std::to_string(loaded.id().version);
  FS_ASSIGN_OR_RETURN(r->explain, ParseExplainParameters(raw_request.parameters, force_explain));
  // "explain": true on the infer route asks for what the explain scope grants.
  if (r->explain.explain && raw_request.principal && !raw_request.principal->scopes.Has(auth::Scope::kExplain)) {
    return PermissionDenied(auth::DescribePrincipal(*raw_request.principal) +
                            " does not have the scope 'explain' that the parameter \"explain\" needs (it has: " +
                            raw_request.principal->scopes.ToString() + ")");
  }
  // Raw applicant columns are encoded by the version's recorded preprocessing first.
  if (IsRawFeatureRequest(loaded, raw_request)) {
    FS_ASSIGN_OR_RETURN(InferInput input, EncodeRawFeatures(loaded, *RawFeaturesOf(loaded), raw_request));
    raw_request.inputs.clear();
    raw_request.inputs.push_back(std::move(input));
  }
  r->request = std::move(raw_request);
  FS_RETURN_IF_ERROR(BindRequestInputs(loaded, r->request, &r->inputs));
  FS_RETURN_IF_ERROR(SelectOutputs(loaded, r->request, &r->output_bindings, &r->selection));
  if (!r->inputs.empty() && !r->inputs[0].shape.empty()) r->rows = r->inputs[0].shape[0];
  const ModelState* state = StateOf(loaded);
  FS_ASSIGN_OR_RETURN(r->deadline, DeadlineOf(r->request, state ? state->queue.get() : nullptr, r->arrived));
  *out = std::move(r);
  return Status::Ok();
}

Result<InferResponse> InferenceService::Infer(const InferRequest& request) const { return RunSync(request, false); }

void InferenceService::InferAsync(InferRequest request, InferCallback done) const {
  RunAsync(std::move(request), false, std::move(done));
}

Result<InferResponse> InferenceService::RunSync(const InferRequest& request, bool force_explain) const {
  std::promise<Result<InferResponse>> answer;
  auto future = answer.get_future();
  RunAsync(request, force_explain, [&answer](Result<InferResponse> response) { answer.set_value(std::move(response)); });
  return future.get();
}

void InferenceService::RunAsync(InferRequest request, bool force_explain, InferCallback done) const {
  const auto start = SchedulerClock::now();
  const Protocol protocol = request.protocol;
  Gauge* in_flight = metrics_->in_flight(protocol);
  in_flight->Add(1);
  std::string model_name = request.model_name;
  std::string version = request.model_version;
  // The request as the client sent it, for the decision record.
  std::optional<AuditedRequest> audited;
  if (options_.audit) audited = CaptureForAudit(request);
  std::unique_ptr<ScheduledRequest> scheduled;
  Status prepared = Prepare(std::move(request), force_explain, &scheduled, &version);
  if (!prepared.ok()) {
    metrics_->RecordRequest(MetricModelLabel(model_name), version, protocol, prepared.code(),
                            std::chrono::duration<double>(SchedulerClock::now() - start).count());
    in_flight->Add(-1);
    return done(std::move(prepared));
  }
  const ModelState* state = StateOf(*scheduled->model);
  InferCallback finish = [this, start, protocol, in_flight, model_name = std::move(model_name),
                          version = std::move(version), done = std::move(done)](Result<InferResponse> response) {
    const StatusCode code = response.ok() ? StatusCode::kOk : response.status().code();
    metrics_->RecordRequest(model_name, version, protocol, code,
                            std::chrono::duration<double>(SchedulerClock::now() - start).count());
    in_flight->Add(-1);
    done(std::move(response));
  };
  scheduled->done = [this, audited = std::move(audited), model = scheduled->model, force_explain,
                     finish = std::move(finish)](Result<InferResponse> response) mutable {
    // The answer leaves only once its decision is recorded (or marked unrecorded, fail-open).
    if (audited && response.ok()) {
      return options_.audit->RecordDecision(force_explain ? "explain" : "infer", model, *audited,
                                            std::move(response).value(), std::move(finish));
    }
    finish(std::move(response));
  };
  scheduler_->Submit(std::move(scheduled), state ? state->queue.get() : nullptr);
}

void InferenceService::CountRejected(std::string_view model, std::string_view version, Protocol protocol,
                                     const Status& status) const {
  metrics_->RecordRequest(MetricModelLabel(model), version, protocol, status.code(), 0.0);
}

// Clients choose the model name in the path, so an unknown one is not a label value of its own:
// that would let any caller grow the metrics without bound.
std::string_view InferenceService::MetricModelLabel(std::string_view model) const {
  auto known = IsModelReady(model, "");
  return known.ok() ? model : std::string_view("(unknown)");
}

Result<std::vector<RepositoryEntry>> InferenceService::RepositoryIndex(bool ready_only) const {
  std::vector<RepositoryEntry> out;
  std::vector<std::string> listed;
  for (const auto& s : manager_->Index()) {
    if (ready_only && s.state != repository::VersionState::kReady) continue;
    out.push_back({s.model, std::to_string(s.version), std::string(repository::VersionStateName(s.state)), s.reason});
    listed.push_back(s.model);
  }
  if (ready_only) return out;
  // Models on disk that are not loaded at all (explicit mode, or every version failed to scan).
  FS_ASSIGN_OR_RETURN(auto on_disk, manager_->ModelsOnDisk());
  for (const auto& name : on_disk) {
    if (std::find(listed.begin(), listed.end(), name) == listed.end()) {
      out.push_back({name, "", "UNAVAILABLE", "not loaded"});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Status InferenceService::LoadModel(const std::string& model) {
  if (!repository::IsValidModelName(model)) return InvalidArgument("'" + model + "' is not a valid model name");
  return manager_->ReconcileModel(model);
}

Status InferenceService::UnloadModel(const std::string& model) {
  if (options_.model_control != ModelControlMode::kExplicit) {
    return FailedPrecondition("cannot unload '" + model +
                              "': the server polls its repository (--model-control poll), so the next scan would "
                              "load it again; remove its directory, or run with --model-control explicit");
  }
  return manager_->UnloadModel(model);
}

}  // namespace finserve::serving
