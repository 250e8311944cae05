#include "serving/explanation.h"

#include <cmath>

#include "core/json_writer.h"
#include "serving/model_state.h"

namespace finserve::serving {
namespace {

constexpr char kShapOutput[] = "shap_values";
constexpr char kReasonsOutput[] = "reason_codes";

std::string Name(const repository::LoadedModel& model) {
  return "model '" + model.id().name + "' version " + std::to_string(model.id().version);
}

Result<const ExplanationState*> ExplanationOf(const repository::LoadedModel& model) {
  const ModelState* state = StateOf(model);
  if (state == nullptr || state->explanation == nullptr) {
    return FailedPrecondition(Name(model) + " was loaded without explanation support");
  }
  return state->explanation.get();
}

Result<const ExplanationState*> ExplainableStateOf(const repository::LoadedModel& model) {
  FS_ASSIGN_OR_RETURN(const ExplanationState* state, ExplanationOf(model));
  if (state->explainer == nullptr) return FailedPrecondition(Name(model) + " cannot be explained: " + state->unavailable);
  return state;
}

// How many reasons to give: the request's k, else the config's default; 0 without a table.
Result<int32_t> ReasonCount(const repository::LoadedModel& model, const ExplanationState& state,
                            std::optional<int64_t> requested) {
  if (!state.config.reasons) {
    if (!requested) return 0;
    return InvalidArgument("'reason_codes' was asked for, but " + Name(model) +
                           " has no reason table (explanation.reason_codes in its config)");
  }
  const int64_t n = static_cast<int64_t>(state.config.reasons->size());
  if (requested && (*requested < 1 || *requested > n)) {
    return InvalidArgument("'reason_codes' must be between 1 and " + std::to_string(n) + " (the reason table of " +
                           Name(model) + " has " + std::to_string(n) + " reasons), got " + std::to_string(*requested));
  }
  return static_cast<int32_t>(requested ? *requested : state.config.explanation.default_k);
}

RawValue ColumnValue(const ExplanationState& state, const std::string& name, std::span<const float> row) {
  if (const NamedFeature* f = state.config.features.Find(name)) return NamedFeatures::Decode(*f, row);
  for (size_t c = 0; c < state.columns.size(); ++c) {
    if (state.columns[c] == name) return std::isnan(row[c]) ? RawValue() : RawValue(static_cast<double>(row[c]));
  }
  return RawValue();
}

// The top-k reasons of one row from its contributions (all explained outputs of the row).
std::vector<Reason> RankReasons(const ExplanationState& state, std::span<const float> row, const float* phi, int32_t k) {
  const int32_t nf = state.num_features();
  const float* set = phi + static_cast<size_t>(state.adverse_set) * (nf + 1);
  std::vector<float> adverse(nf);
  for (int32_t j = 0; j < nf; ++j) adverse[j] = state.adverse_sign * set[j];
  std::vector<Reason> out;
  for (const explain::RankedReason& ranked : state.config.reasons->Rank(adverse, row, k)) {
    const explain::ReasonCode& code = state.config.reasons->codes()[ranked.entry];
    Reason reason{code.code, state.config.reasons->TextFor(ranked.entry, row), state.config.reason_features[ranked.entry],
                  {}, ranked.contribution};
    for (const std::string& feature : reason.features) reason.values.emplace_back(feature, ColumnValue(state, feature, row));
    out.push_back(std::move(reason));
  }
  return out;
}

Tensor ShapTensor(const explain::Explainer& explainer, int64_t rows, std::vector<float> values) {
  const int64_t width = explainer.num_features() + 1;
  Shape shape = explainer.num_outputs() == 1 ? Shape{rows, width} : Shape{rows, explainer.num_outputs(), width};
  return Tensor::FromVector<float>(std::move(shape), values);
}

Status CheckOutputNames(const repository::LoadedModel& model) {
  for (const char* name : {kShapOutput, kReasonsOutput}) {
    if (model.FindOutput(name) >= 0) {
      return FailedPrecondition(Name(model) + " has an output named '" + name + "', which explanations would shadow");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ExplainRequestOptions> ParseExplainParameters(const Parameters& parameters, bool explain_by_default) {
  ExplainRequestOptions options;
  options.explain = explain_by_default;
  if (const ParameterValue* v = parameters.Find("explain")) {
    const bool* flag = std::get_if<bool>(v);
    if (flag == nullptr) return InvalidArgument("parameter 'explain' must be true or false");
    options.explain = *flag || explain_by_default;  // the explain route always explains
  }
  if (const ParameterValue* v = parameters.Find("reason_codes")) {
    const int64_t* k = std::get_if<int64_t>(v);
    if (k == nullptr) return InvalidArgument("parameter 'reason_codes' must be an integer (how many reasons per row)");
    if (!options.explain) return InvalidArgument("parameter 'reason_codes' needs \"explain\": true");
    options.reason_codes = *k;
  }
  return options;
}

Status AddExplanationOutputs(const repository::LoadedModel& model, std::span<const TensorView> native_inputs,
                             const ExplainRequestOptions& options, InferResponse* response) {
  FS_ASSIGN_OR_RETURN(const ExplanationState* state, ExplainableStateOf(model));
  FS_ASSIGN_OR_RETURN(int32_t k, ReasonCount(model, *state, options.reason_codes));
  FS_RETURN_IF_ERROR(CheckOutputNames(model));
  const TensorView& input = native_inputs[model.inputs()[state->input_binding].native_index];
  const int64_t rows = input.shape[0];
  const ExplanationSettings& settings = state->config.explanation;
  if (settings.method == ExplainMethod::kSampling && rows > settings.max_batch) {
    return InvalidArgument(Name(model) + " explains by sampling, which costs " + std::to_string(settings.samples) +
                           " x features x background rows model evaluations per row; a request may explain at "
                           "most " + std::to_string(settings.max_batch) + " rows (explanation.max_batch), got " +
                           std::to_string(rows));
  }
  const int32_t nf = state->num_features();
  const explain::Explainer& explainer = *state->explainer;
  const size_t per_row = static_cast<size_t>(explainer.num_outputs()) * (nf + 1);
  std::vector<float> phi(static_cast<size_t>(rows) * per_row);
  FS_RETURN_IF_ERROR(explainer.Explain(input.data_as<float>(), rows, phi.data()).WithContext(Name(model)));
  if (state->config.reasons) {
    std::vector<std::string> rows_json;
    for (int64_t r = 0; r < rows; ++r) {
      const std::span<const float> row(input.data_as<float>() + r * nf, static_cast<size_t>(nf));
      JsonWriter w;
      WriteReasonsJson(RankReasons(*state, row, phi.data() + r * per_row, k), &w);
      rows_json.push_back(w.Take());
    }
    response->outputs.push_back({kShapOutput, ShapTensor(explainer, rows, std::move(phi))});
    response->outputs.push_back({kReasonsOutput, Tensor::FromStrings(Shape{rows}, std::span<const std::string>(rows_json))});
  } else {
    response->outputs.push_back({kShapOutput, ShapTensor(explainer, rows, std::move(phi))});
  }
  response->parameters.Set("explanation_method", std::string(explainer.method()));
  response->parameters.Set("explanation_space", std::string(explainer.space()));
  return Status::Ok();
}

namespace {

Result<double> AdverseProbability(const repository::LoadedModel& model, const ExplanationState& state,
                                  std::span<const float> row) {
  const auto& input_binding = model.inputs()[state.input_binding];
  const int64_t shape[2] = {1, state.num_features()};
  std::vector<TensorView> inputs(model.model().inputs().size());
  inputs[input_binding.native_index] = TensorView{DataType::kFp32, shape, row.data(), row.size() * sizeof(float), nullptr};
  const size_t native_output = model.outputs()[state.decision_output].native_index;
  runtime::OutputSelection wanted = runtime::OutputSelection::None(model.model().outputs().size());
  wanted.Select(native_output);
  std::vector<Tensor> outputs;
  FS_RETURN_IF_ERROR(model.model().Run(inputs, wanted, &outputs).WithContext(Name(model)));
  const Tensor& p = outputs.at(native_output);
  const int32_t adverse = state.config.decision->adverse_class;
  if (p.num_elements() == 1) {  // binary: P(class 1)
    const double p1 = p.data<float>()[0];
    return adverse == 1 ? p1 : 1.0 - p1;
  }
  return static_cast<double>(p.data<float>()[adverse]);
}

}  // namespace

Result<ScoreResponse> ScoreApplicant(const repository::LoadedModel& model, const ScoreRequest& request) {
  FS_ASSIGN_OR_RETURN(const ExplanationState* state, ExplanationOf(model));
  if (state->config.features.empty()) {
    return FailedPrecondition(Name(model) + " has no named features; add a 'features:' section to its config "
                              "(docs/explanations.md) to score applicants by name");
  }
  if (!state->config.decision) {
    return FailedPrecondition(Name(model) + " has no 'decision:' section (threshold, adverse class) in its config");
  }
  FS_ASSIGN_OR_RETURN(int32_t k, ReasonCount(model, *state, request.reason_codes));
  std::vector<float> row(static_cast<size_t>(state->num_features()));
  FS_RETURN_IF_ERROR(state->config.features.Encode(request.applicant, row));
  ScoreResponse response;
  response.id = request.id;
  FS_ASSIGN_OR_RETURN(response.probability, AdverseProbability(model, *state, row));
  response.threshold = state->config.decision->threshold;
  response.decision = response.probability >= response.threshold ? "decline" : "approve";
  response.adverse_class = state->config.decision->AdverseClassName();
  response.method = "none";
  if (state->explainer != nullptr) {
    std::vector<float> phi(static_cast<size_t>(state->explainer->num_outputs()) * (state->num_features() + 1));
    FS_RETURN_IF_ERROR(state->explainer->Explain(row.data(), 1, phi.data()).WithContext(Name(model)));
    if (k > 0) response.reasons = RankReasons(*state, row, phi.data(), k);
    response.method = std::string(state->explainer->method());
    response.space = std::string(state->explainer->space());
  }
  response.model_name = model.id().name;
  response.model_version = model.id().version;
  response.model_sha256 = model.model_sha256();
  response.config_sha256 = model.config_sha256();
  return response;
}

}  // namespace finserve::serving
