// Scorecard training: monotone WOE binning per characteristic (woe_binning.h), characteristics
// below `min_information_value` dropped, a logistic fit on the WOE values, and points scaled by
// PDO / base score / base odds (defaults 20 / 600 / 50:1). The features must be encoded one
// column each (numeric as is, categorical as ordinal codes, missing as NaN). Deterministic.
#pragma once

#include <span>
#include <vector>

#include "runtime/linear/scorecard.h"
#include "train/feature_plan.h"
#include "train/logistic_trainer.h"
#include "train/preprocess.h"
#include "train/woe_binning.h"

namespace finserve::train {

struct ScorecardOptions {
  BinningOptions binning;
  double min_information_value = 0.02;
  double pdo = 20;
  double base_score = 600;
  double base_odds = 50;
  LogisticOptions logistic{.l2 = 1e-3, .l1 = 0, .max_iterations = 100, .tolerance = 1e-9};
};

struct ScorecardFit {
  runtime::linear::ScorecardSpec spec;
  std::vector<size_t> kept;                // indices into plan.features() of the characteristics kept
  std::vector<double> information_values;  // per plan feature
};

Result<ScorecardFit> FitScorecard(const FeaturePlan& plan, const Matrix& x, std::span<const float> y,
                                  const ScorecardOptions& options, const TrainContext& context);

}  // namespace finserve::train
