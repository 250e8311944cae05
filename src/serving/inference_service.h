// InferenceService: THE API of the product. Front ends (HTTP, gRPC, the CLI's offline predict)
// call only this; it authenticates and authorizes callers, routes a request to a model version,
// validates it, runs it and answers with the version's identity (name, version, model and config
// SHA-256). It also answers health, metadata and repository control.
//
// Thread-safe. Holds no request state: each call pins its model version (a shared_ptr) for
// exactly as long as it runs, so versions can be swapped underneath at any time.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/metrics.h"
#include "repository/manager.h"
#include "serving/auth/access_controller.h"
#include "serving/decision_audit.h"
#include "serving/request.h"

namespace finserve::serving {

enum class ModelControlMode { kPoll, kExplicit };

struct ServiceOptions {
  std::string server_name = "finserve";
  std::string server_version;
  ModelControlMode model_control = ModelControlMode::kPoll;
  // Authentication and authorization; nullptr = off (every caller is the anonymous principal).
  // Not owned; must outlive the service.
  auth::AccessController* access = nullptr;
  // Scheduler workers (compute slots); 0 = one per hardware thread. See scheduler.h.
  int inference_threads = 0;
  // Decision audit log; nullptr = decisions are not recorded. Not owned; must outlive the service.
  const DecisionAuditor* audit = nullptr;
  // Where the service's metrics go (shared with the audit log's); null: a registry of its own.
  std::shared_ptr<MetricsRegistry> metrics_registry;
};

class Scheduler;
class ServingMetrics;
struct ScheduledRequest;

using InferCallback = std::function<void(Result<InferResponse>)>;
using ScoreCallback = std::function<void(Result<ScoreResponse>)>;

class InferenceService {
 public:
  InferenceService(repository::ModelManager* manager, ServiceOptions options);
  ~InferenceService();

  // --- health ---
  bool live() const { return true; }
  // Ready once the startup scan has finished and until draining starts.
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  void set_ready(bool ready) { ready_.store(ready, std::memory_order_release); }

  // --- access (front ends call these before a route's handler) ---
  bool auth_enabled() const { return options_.access != nullptr && options_.access->enabled(); }
  // 401 (Unauthenticated) or 403 (PermissionDenied) as described in auth/access_controller.h.
  Result<std::shared_ptr<const auth::Principal>> Authenticate(const auth::Credentials& credentials) const;
  // 403 for a missing scope or a model outside the principal's globs; 429 (ResourceExhausted, with
  // *retry_after_s set) when the principal's rate limit is spent. `model` may be "" (no model).
  Status Authorize(const auth::Principal& principal, auth::Scope scope, std::string_view model,
                   int64_t* retry_after_s) const;

  // --- metadata ---
  ServerMetadata GetServerMetadata() const;
  Result<ModelMetadata> GetModelMetadata(std::string_view model, std::string_view version) const;
  // NotFound if the model or the asked version is not known at all; false if known, not READY.
  Result<bool> IsModelReady(std::string_view model, std::string_view version) const;

  // --- inference ---
  // `request` may carry the model's own inputs, or (for versions with a `features:` section) the
  // raw applicant columns, which are encoded first (see raw_features.h).
  // With the request parameter "explain": true the answer also carries `shap_values` and, for a
  // model with a reason table, `reason_codes` (k per row: parameter "reason_codes" or the
  // config's default); see serving/explanation.h.
  Result<InferResponse> Infer(const InferRequest& request) const;
  // Calls `done` exactly once, possibly on another thread (dynamic batching queues requests).
  // The request parameter `timeout` (µs, Triton's schedule-policy extension) bounds its time in
  // the queue: past it the answer is DeadlineExceeded and the request is never computed. A full
  // queue answers Unavailable at once. Infer() is InferAsync() waited for.
  void InferAsync(InferRequest request, InferCallback done) const;
  // Infer with explanations whatever "explain" says (POST .../explain); Explain() waits for it.
  void ExplainAsync(InferRequest request, InferCallback done) const;
  Result<InferResponse> Explain(const InferRequest& request) const;

  // --- named-feature scoring: probability, decision and principal reasons of one applicant ---
  // `done` runs exactly once, possibly on the audit log's thread; Score() waits for it.
  void ScoreAsync(const ScoreRequest& request, ScoreCallback done) const;
  Result<ScoreResponse> Score(const ScoreRequest& request) const;

  // --- metrics ---
  // Counts a request a front end refused before it reached Infer (e.g. a body that does not decode).
  void CountRejected(std::string_view model, std::string_view version, Protocol protocol, const Status& status) const;
  // The registry the serving layer records into; front ends may add their own families.
  MetricsRegistry& metrics_registry() const { return *registry_; }
  // Prometheus text exposition of every metric (MetricsRegistry::kContentType).
  std::string RenderMetrics() const { return registry_->RenderText(); }

  // --- repository control (Triton's model_repository extension) ---
  Result<std::vector<RepositoryEntry>> RepositoryIndex(bool ready_only) const;
  Status LoadModel(const std::string& model);
  Status UnloadModel(const std::string& model);

  // The training statistics (statistics.json) of a version: per-feature statistics and the
  // training score histogram. NotFound if the version has none.
  Result<nlohmann::json> GetTrainingStatistics(std::string_view model, std::string_view version) const;

  // Parses a wire version ("" = by policy). InvalidArgument for anything but a positive integer.
  static Result<std::optional<int64_t>> ParseVersion(std::string_view version);

 private:
  Result<std::shared_ptr<const repository::LoadedModel>> Route(std::string_view model,
                                                               std::string_view version) const;
  // Infer (and Explain, with `force_explain`) through the scheduler; `done` is called exactly once.
  void RunAsync(InferRequest request, bool force_explain, InferCallback done) const;
  Result<InferResponse> RunSync(const InferRequest& request, bool force_explain) const;
  // `routed_version` is set as soon as the request is routed (metrics label failures with it).
  Status Prepare(InferRequest raw_request, bool force_explain, std::unique_ptr<ScheduledRequest>* out,
                 std::string* routed_version) const;
  void RegisterModelStateMetrics();
  std::string_view MetricModelLabel(std::string_view model) const;

  repository::ModelManager* manager_;
  ServiceOptions options_;
  std::atomic<bool> ready_{false};
  std::shared_ptr<MetricsRegistry> registry_;
  std::unique_ptr<ServingMetrics> metrics_;
  std::unique_ptr<Scheduler> scheduler_;  // last: stops (answering what is queued) before the rest goes
};

}  // namespace finserve::serving
