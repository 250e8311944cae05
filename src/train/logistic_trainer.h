// Logistic regression with L2 and/or L1 penalties, fitted by iteratively reweighted least squares
// (Newton steps; with L1, each Newton step solves its penalised quadratic by coordinate descent,
// as glmnet does). Columns are standardised for the fit and the coefficients mapped back, so the
// model takes the columns as they are. Objective on standardised coefficients w (intercept free):
//   sum_i logloss_i + l2/2 |w|^2 + l1 |w|_1
// (sklearn's LogisticRegression(C) is l2 = 1/C). Deterministic; single-threaded.
#pragma once

#include <span>
#include <vector>

#include "core/status.h"
#include "train/preprocess.h"
#include "train/train_context.h"

namespace finserve::train {

struct LogisticOptions {
  double l2 = 1.0;
  double l1 = 0.0;
  int max_iterations = 100;
  double tolerance = 1e-8;  // on the largest coefficient change
};

struct LogisticFit {
  double intercept = 0;
  std::vector<double> coefficients;  // on the original (unstandardised) columns
  int iterations = 0;
  bool converged = false;
};

// `x` must hold no NaN (impute first). Rows with a constant column get a zero coefficient for it.
Result<LogisticFit> FitLogistic(const Matrix& x, std::span<const float> y, const LogisticOptions& options,
                                const TrainContext& context);

// P(y = 1) for every row.
std::vector<double> PredictLogistic(const LogisticFit& fit, const Matrix& x);

}  // namespace finserve::train
