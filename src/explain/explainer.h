// Explainer: additive per-row feature attributions (Shapley values) for one model version.
//
// For each row and each explained output k (one for binary and regression models, one per class
// for multiclass models) an explainer produces num_features contributions and a bias, laid out as
// out[(row * num_outputs + k) * (num_features + 1) + j], the bias last (XGBoost's pred_contribs
// layout). Contributions plus bias equal the explained value of the row (the margin, i.e. the
// log-odds for logistic models, for TreeSHAP and linear SHAP): the explainers are exact in that
// sense (additivity), and say in space() which quantity they explain.
//
// Implementations: TreeShapExplainer (exact path-dependent TreeSHAP, tree_shap.h),
// LinearShapExplainer (exact linear SHAP, linear_shap.h), SamplingShapleyExplainer (permutation
// Shapley values for any runtime::Model, sampling_shapley.h), PointsBelowMaxExplainer
// (scorecards: points below each characteristic's maximum, points_below_max.h). Immutable after creation;
// Explain() is const and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace finserve::explain {

class Explainer {
 public:
  virtual ~Explainer() = default;

  // "tree_shap", "linear_shap", "sampling_shapley": named in every explained answer.
  virtual std::string_view method() const = 0;
  // What the contributions add up to: "log_odds" (margin of a logistic model), "margin" (raw
  // score of another objective), "probability", "output".
  virtual std::string_view space() const = 0;
  // +1 when a larger explained value means a larger probability of the model's positive class
  // (class 1): margins, log-odds. -1 when it means a smaller one: a scorecard's points (more
  // points, better odds of "good").
  virtual float positive_class_sign() const { return 1.0f; }
  virtual int32_t num_features() const = 0;
  virtual int32_t num_outputs() const = 0;

  // `rows`: num_rows x num_features floats, row-major, NaN = missing.
  // `out`: num_rows x num_outputs x (num_features + 1) floats, overwritten.
  virtual Status Explain(const float* rows, int64_t num_rows, float* out) const = 0;

  // Bytes of state precomputed for this model (tables, paths, background data).
  virtual size_t memory_bytes() const = 0;
};

}  // namespace finserve::explain
