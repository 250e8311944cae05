// Explanations at request time, for one pinned model version:
//  - the OIP request parameters `"explain": true` and `"reason_codes": k`, validated before the
//    model runs;
//  - the extra outputs `shap_values` (FP32 [batch, F + 1], or [batch, K, F + 1] for multiclass,
//    bias last, in the explainer's space: the margin, log-odds for logistic models) and
//    `reason_codes` (BYTES [batch], one JSON array of reasons per row);
//  - named-feature scoring: one applicant's raw values -> probability, decision and reasons.
// Errors: InvalidArgument for what the caller sent (bad parameter, k out of range, unknown
// feature), FailedPrecondition for what the version cannot do (no explainer, no named features,
// no decision rule), each naming the model and version. Stateless; thread-safe.
#pragma once

#include <optional>
#include <span>

#include "repository/loaded_model.h"
#include "serving/request.h"

namespace finserve::serving {

struct ExplainRequestOptions {
  bool explain = false;
  std::optional<int64_t> reason_codes;
};

// Reads "explain" (boolean; `explain_by_default` when absent) and "reason_codes" (integer, needs
// explanations) from the parameters.
Result<ExplainRequestOptions> ParseExplainParameters(const Parameters& parameters, bool explain_by_default);

// Explains the rows of the model's explained input (already validated and bound in
// `native_inputs`) and appends `shap_values` and, when the model has a reason table,
// `reason_codes` to `response`, with the method and space in its parameters.
Status AddExplanationOutputs(const repository::LoadedModel& model, std::span<const TensorView> native_inputs,
                             const ExplainRequestOptions& options, InferResponse* response);

// Scores one applicant given by named raw features.
Result<ScoreResponse> ScoreApplicant(const repository::LoadedModel& model, const ScoreRequest& request);

}  // namespace finserve::serving
