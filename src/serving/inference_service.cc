#include "serving/inference_service.h"

#include <charconv>

#include "serving/model_state.h"
#include "serving/raw_features.h"
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

}  // namespace

InferenceService::InferenceService(repository::ModelManager* manager, ServiceOptions options)
    : manager_(manager), options_(std::move(options)) {}

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
  return ServerMetadata{options_.server_name, options_.server_version, {"model_repository"}};
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

Result<InferResponse> InferenceService::Infer(const InferRequest& request) const { return Run(request, false); }

Result<InferResponse> InferenceService::Explain(const InferRequest& request) const { return Run(request, true); }

Result<ScoreResponse> InferenceService::Score(const ScoreRequest& request) const {
  FS_ASSIGN_OR_RETURN(auto loaded, Route(request.model_name, request.model_version));
  return ScoreApplicant(*loaded, request);
}

Result<InferResponse> InferenceService::Run(const InferRequest& raw_request, bool force_explain) const {
  FS_ASSIGN_OR_RETURN(auto loaded, Route(raw_request.model_name, raw_request.model_version));
  FS_ASSIGN_OR_RETURN(ExplainRequestOptions explain, ParseExplainParameters(raw_request.parameters, force_explain));
  // "explain": true on the infer route asks for what the explain scope grants.
  if (explain.explain && raw_request.principal && !raw_request.principal->scopes.Has(auth::Scope::kExplain)) {
    return PermissionDenied(auth::DescribePrincipal(*raw_request.principal) +
                            " does not have the scope 'explain' that the parameter \"explain\" needs (it has: " +
                            raw_request.principal->scopes.ToString() + ")");
  }
  // Raw applicant columns are encoded by the version's recorded preprocessing first.
  InferRequest encoded_request;
  const bool raw = IsRawFeatureRequest(*loaded, raw_request);
  if (raw) {
    FS_ASSIGN_OR_RETURN(InferInput input, EncodeRawFeatures(*loaded, *RawFeaturesOf(*loaded), raw_request));
    encoded_request.inputs.push_back(std::move(input));
    encoded_request.model_name = raw_request.model_name;
    encoded_request.model_version = raw_request.model_version;
    encoded_request.id = raw_request.id;
    encoded_request.parameters = raw_request.parameters;
    encoded_request.outputs = raw_request.outputs;
    encoded_request.principal = raw_request.principal;
  }
  const InferRequest& request = raw ? encoded_request : raw_request;
  std::vector<TensorView> inputs;
  FS_RETURN_IF_ERROR(BindRequestInputs(*loaded, request, &inputs));
  std::vector<size_t> output_bindings;
  runtime::OutputSelection selection;
  FS_RETURN_IF_ERROR(SelectOutputs(*loaded, request, &output_bindings, &selection));

  std::vector<Tensor> native_outputs;
  Status run = loaded->model().Run(inputs, selection, &native_outputs);
  if (!run.ok()) return run.WithContext("model '" + loaded->id().name + "' version " + std::to_string(loaded->id().version));

  InferResponse response;
  response.model_name = loaded->id().name;
  response.model_version = loaded->id().version;
  response.id = request.id;
  response.model_sha256 = loaded->model_sha256();
  response.config_sha256 = loaded->config_sha256();
  response.outputs.reserve(output_bindings.size());
  for (size_t index : output_bindings) {
    const auto& binding = loaded->outputs()[index];
    Tensor& tensor = native_outputs.at(binding.native_index);
    if (!tensor.valid()) return Internal("model did not produce output '" + binding.spec.name + "'");
    response.outputs.push_back({binding.spec.name, std::move(tensor)});
  }
  if (explain.explain) FS_RETURN_IF_ERROR(AddExplanationOutputs(*loaded, inputs, explain, &response));
  return response;
}

void InferenceService::InferAsync(InferRequest request, InferCallback done) const { done(Infer(request)); }

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
