// Training statistics saved with a model version (`statistics.json`): per raw feature the count,
// missing count, and for numeric features mean, standard deviation, min, max and a decile
// histogram, for categorical ones the count per category; per model column the mean (the
// background for explanations); and the histogram of the training rows' scores (the reference
// for PSI in `finserve evaluate` and drift monitoring). Pure functions; thread-safe.
#pragma once

#include <span>

#include <nlohmann/json.hpp>

#include "train/csv_table.h"
#include "train/feature_plan.h"
#include "train/metrics.h"
#include "train/preprocess.h"

namespace finserve::train {

inline constexpr int kStatisticsBins = 10;

nlohmann::json FeatureStatistics(const FeaturePlan& plan, const CsvTable& train, const Matrix& encoded);

// {"features": ..., "column_means": [...], "score": histogram}; the pipeline adds "target" and
// "positive" (the class whose probability the model gives).
nlohmann::json StatisticsDocument(const FeaturePlan& plan, const CsvTable& train, const Matrix& encoded,
                                  std::span<const double> training_scores);

// The score histogram of a statistics document; NotFound if it has none.
Result<Histogram> ScoreHistogram(const nlohmann::json& statistics);

}  // namespace finserve::train
