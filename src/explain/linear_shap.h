// LinearShapExplainer: exact SHAP values of a linear model in margin space,
//   phi_ki = w_ki * (x_i - E[x_i]),   bias_k = b_k + sum_i w_ki * E[x_i],
// for outputs k = 1..K (one for a logistic or linear regression, one per class for a softmax
// model). For a logistic model the margin is the log-odds, so contributions are in log-odds, and
// contributions + bias = b + w.x exactly (computed in double). E[x] is the background mean (from
// the model's config or a background CSV). This is the interventional Shapley value under
// feature independence, which for a linear function is exact for any background.
// Missing values have no meaning for a linear model: a NaN input is refused naming row and column.
// Immutable; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "explain/explainer.h"

namespace finserve::explain {

class LinearShapExplainer final : public Explainer {
 public:
  // weights: num_outputs x num_features, row-major; intercepts: num_outputs; means: num_features.
  static Result<std::unique_ptr<LinearShapExplainer>> Create(int32_t num_features, std::vector<double> weights,
                                                             std::vector<double> intercepts, std::vector<double> means,
                                                             std::string space);

  std::string_view method() const override { return "linear_shap"; }
  std::string_view space() const override { return space_; }
  int32_t num_features() const override { return num_features_; }
  int32_t num_outputs() const override { return static_cast<int32_t>(intercepts_.size()); }
  Status Explain(const float* rows, int64_t num_rows, float* out) const override;
  size_t memory_bytes() const override;

 private:
  LinearShapExplainer() = default;

  int32_t num_features_ = 0;
  std::vector<double> weights_;
  std::vector<double> intercepts_;
  std::vector<double> means_;
  std::vector<double> bias_;  // per output
  std::string space_;
};

}  // namespace finserve::explain
