// Model evaluation metrics: generic functions over (score, label) spans, reusable by the monitor
// layer (PSI and quantile histograms take plain value spans).
//
// Binary classification takes scores (probability of the positive class, or any score where
// higher means more likely positive) and 0/1 labels. Definitions follow scikit-learn where it has
// one (roc_auc_score with ties counted half, log_loss clipping probabilities to [1e-15, 1-1e-15],
// brier_score_loss, precision/recall/F1 with 0 when undefined) and the credit-risk convention
// otherwise (Gini = 2 AUC - 1; KS = max |TPR - FPR| over thresholds; PSI = sum (a - e) ln(a / e)
// over bins cut at the expected distribution's quantiles, empty bins floored at 1e-4).
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace finserve::train {

struct CurvePoint {
  double threshold = 0;
  double fpr = 0;  // false-positive rate at score >= threshold
  double tpr = 0;  // true-positive rate at score >= threshold
};

struct ConfusionMatrix {
  int64_t tp = 0, fp = 0, tn = 0, fn = 0;
  double accuracy() const;
  double precision() const;
  double recall() const;
  double f1() const;
};

struct CalibrationBin {
  int64_t count = 0;
  double mean_score = 0;
  double positive_rate = 0;
};

// Bin edges and counts; bin i holds lower_edge[i] <= x < lower_edge[i+1] (the first bin is open
// below, the last open above); NaN goes to `missing`.
struct Histogram {
  std::vector<double> edges;  // inner cut points, ascending, size = bins - 1
  std::vector<int64_t> counts;
  int64_t missing = 0;
  nlohmann::json ToJson() const;
  static Result<Histogram> FromJson(const nlohmann::json& value);
};

// ROC curve from the highest threshold down, starting at (0, 0) and ending at (1, 1).
std::vector<CurvePoint> RocCurve(std::span<const double> scores, std::span<const float> labels);
double RocAuc(std::span<const double> scores, std::span<const float> labels);
// Max over thresholds of TPR - FPR (positive scores ranked higher), and the threshold where it is.
double KsStatistic(std::span<const double> scores, std::span<const float> labels, double* at_threshold = nullptr);
double LogLoss(std::span<const double> probabilities, std::span<const float> labels);
double BrierScore(std::span<const double> probabilities, std::span<const float> labels);
ConfusionMatrix Confusion(std::span<const double> scores, std::span<const float> labels, double threshold);
// `bins` groups of (almost) equal size by ascending score (deciles for 10), as sklearn's
// calibration_curve(strategy="quantile") groups them.
std::vector<CalibrationBin> Calibration(std::span<const double> probabilities, std::span<const float> labels, int bins);

// Inner cut points at the `bins`-quantiles of the finite values (duplicates removed).
std::vector<double> QuantileEdges(std::span<const double> values, int bins);
Histogram MakeHistogram(std::span<const double> values, std::vector<double> edges);
// Population stability index of `actual` against `expected` over the same edges.
double Psi(const Histogram& expected, const Histogram& actual);

double Rmse(std::span<const double> predictions, std::span<const float> targets);
double Mae(std::span<const double> predictions, std::span<const float> targets);
double RSquared(std::span<const double> predictions, std::span<const float> targets);

// Everything `finserve evaluate` reports for a binary classifier, as one value.
struct BinaryReport {
  int64_t rows = 0;
  int64_t positives = 0;
  double threshold = 0.5;
  double auc = 0, gini = 0, ks = 0, ks_threshold = 0, log_loss = 0, brier = 0;
  ConfusionMatrix confusion;
  std::vector<CalibrationBin> calibration;
  std::vector<CurvePoint> roc;       // thinned to at most ~200 points for charts
  std::vector<double> scores;  // not serialised; for the HTML charts
  std::vector<float> labels;   // not serialised
  double psi = -1;                   // -1 when no training score histogram is known
  nlohmann::json ToJson() const;
};

// `training_scores` may be null (then psi stays -1).
BinaryReport EvaluateBinary(std::span<const double> probabilities, std::span<const float> labels, double threshold,
                            const Histogram* training_scores);

}  // namespace finserve::train
