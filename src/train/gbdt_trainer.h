// Gradient-boosted trees through XGBoost's C API (libxgboost 1.7): binary:logistic, the hist tree
// method, `nthread` set explicitly (the hist method's result depends on it, so it is part of the
// lineage), early stopping on the validation rows' log loss, and the booster cut back to the best
// round before it is saved as XGBoost JSON (served by the tree backend). Missing values are NaN.
// Same data, options, seed and threads give the same bytes. XGBoost errors come back as Status.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "train/preprocess.h"
#include "train/train_context.h"

namespace finserve::train {

struct GbdtOptions {
  int rounds = 300;
  int max_depth = 4;
  double learning_rate = 0.05;
  double subsample = 0.8;
  double colsample_bytree = 0.8;
  double min_child_weight = 1;
  double reg_lambda = 1;
  double reg_alpha = 0;
  double gamma = 0;
  int max_bin = 256;
  int early_stopping_rounds = 30;      // 0 = off
  std::map<std::string, int> monotone;  // model column -> -1 / 0 / +1
};

struct GbdtFit {
  std::string model_json;  // XGBoost JSON, trees cut at the best round
  int rounds = 0;          // rounds kept
  int best_round = -1;     // 0-based, -1 without early stopping
  double best_validation_logloss = 0;
};

// `valid` may be empty (no early stopping then). `columns` names the model columns.
Result<GbdtFit> FitGbdt(const Matrix& train, std::span<const float> train_y, const Matrix& valid,
                        std::span<const float> valid_y, const std::vector<std::string>& columns,
                        const GbdtOptions& options, const TrainContext& context);

// The libxgboost version string, e.g. "1.7.4" (for lineage).
std::string XgboostVersion();

}  // namespace finserve::train
