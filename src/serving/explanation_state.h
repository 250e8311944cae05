// ExplanationState: everything a model version needs to explain and score, built once at load
// (from the version's effective config and its model) and shared read-only by every request:
// the explained input and its column names, the explainer (by default TreeSHAP for tree models,
// points below maximum for scorecards, linear SHAP for linear models against the background or
// the version's training means; sampling or another method when configured), the named features, the decision rule and the reason
// table, and which explained output (and sign) points toward the adverse outcome.
//
// A version without a usable explainer still loads (its answers simply cannot be explained, and
// `unavailable` says why), unless its config asks for explanations, named features or a decision
// that it cannot provide: then the load fails with the file, key and feature named.
// Immutable after Build; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/env.h"
#include <nlohmann/json.hpp>

#include "explain/explainer.h"
#include "repository/loaded_model.h"
#include "serving/explain_config.h"

namespace finserve::serving {

struct ExplanationState {
  ExplainConfig config;
  std::vector<std::string> columns;  // the explained input's column names
  size_t input_binding = 0;          // index into LoadedModel::inputs()
  std::unique_ptr<explain::Explainer> explainer;  // null: `unavailable` says why
  std::string unavailable;
  int decision_output = -1;  // index into LoadedModel::outputs() of the decision's probabilities
  int32_t adverse_set = 0;   // the explainer output whose contributions point toward the adverse class
  float adverse_sign = 1;    // -1 when the explained values grow toward the non-adverse class
  std::vector<double> training_means;  // per column, from statistics.json; empty when unknown

  int32_t num_features() const { return static_cast<int32_t>(columns.size()); }
  size_t memory_bytes() const;
};

// Builds the state of `model`; `env` reads background files (next to the model file, or in the
// model's directory). `statistics` is the version's statistics.json (or null): its column means
// are linear SHAP's default background.
Result<std::shared_ptr<const ExplanationState>> BuildExplanationState(const repository::LoadedModel& model, Env* env,
                                                                      const nlohmann::json* statistics = nullptr);

}  // namespace finserve::serving
