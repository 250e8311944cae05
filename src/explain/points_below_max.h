// PointsBelowMaxExplainer: reason codes for points scorecards (runtime::linear::ScorecardModel)
// by the points-below-maximum method, the customary adverse-action method for scorecards: for
// each characteristic, the most points it can give (its best bin, the missing-value bin included,
// as a missing value is scored too) minus the points the applicant got; the characteristics with
// the largest shortfalls are the principal reasons.
//
// As an Explainer (one output, in "points"): characteristic i's contribution is
//   phi_i = points_i(x) - max_points_i   (<= 0: the points lost on it)
// and the bias is sum_i max_points_i, the highest score the card can give, so contributions plus
// bias equal the row's score exactly (up to float rounding: the sum runs in double). More points
// mean better odds of the negative ("good") class, so positive_class_sign() is -1: toward the
// positive ("bad") class each characteristic counts -phi_i = its points below the maximum.
// A category code the card does not know is refused naming the row and the characteristic.
// Self-contained (keeps its own copy of the card); immutable; thread-safe.
#pragma once

#include <memory>
#include <vector>

#include "explain/explainer.h"
#include "runtime/model.h"
#include "runtime/linear/scorecard.h"

namespace finserve::explain {

class PointsBelowMaxExplainer final : public Explainer {
 public:
  static Result<std::unique_ptr<PointsBelowMaxExplainer>> Create(const runtime::linear::ScorecardSpec& spec);

  std::string_view method() const override { return "points_below_max"; }
  std::string_view space() const override { return "points"; }
  float positive_class_sign() const override { return -1.0f; }
  int32_t num_features() const override { return static_cast<int32_t>(max_points_.size()); }
  int32_t num_outputs() const override { return 1; }
  Status Explain(const float* rows, int64_t num_rows, float* out) const override;
  size_t memory_bytes() const override;

  // The best points of each characteristic, and their sum (the bias).
  const std::vector<double>& max_points() const { return max_points_; }
  double max_score() const { return max_score_; }

 private:
  PointsBelowMaxExplainer() = default;

  std::unique_ptr<runtime::linear::ScorecardModel> card_;
  std::vector<double> max_points_;
  double max_score_ = 0;
};

// The explainer of a scorecard model; Unimplemented if `model` is not one.
Result<std::unique_ptr<Explainer>> CreatePointsBelowMaxExplainer(const runtime::Model& model);

}  // namespace finserve::explain
