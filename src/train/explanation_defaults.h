// What `finserve train` writes into a trained version's config.yaml so that the version decides
// and explains out of the box (docs/training.md, "Decisions and explanations"):
//
//   decision:     classes [negative, positive], adverse_class = the positive label, threshold 0.5
//   explanation:  the method for the model kind, with what it needs:
//                   logistic  -> linear (exact linear SHAP; E[x] = statistics.json's column means)
//                   scorecard -> points_below_max
//                   gbdt      -> tree_shap
//                   mlp       -> sampling against background.csv (a seeded sample of training rows,
//                                written next to the model), seed = the training seed
//                 and a reason table: one reason per raw feature (a categorical feature's one-hot
//                 columns form one reason), codes R01.., texts made from the feature names, the
//                 adverse direction from the sign of the fitted effect where the model is monotone
//                 in the feature (logistic: the coefficient; scorecard: the points across bins;
//                 gbdt: a monotone constraint), else `any`; a `missing_text` where missing values
//                 reach the model as missing (its own missing-value path).
// The texts are placeholders for the data scientist to turn into consumer-facing statements.
// Pure functions; deterministic (the background sample comes from the seed); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "train/feature_plan.h"
#include "train/preprocess.h"
#include "train/train_spec.h"

namespace finserve::train {

inline constexpr char kBackgroundFile[] = "background.csv";
inline constexpr int64_t kBackgroundRows = 100;
inline constexpr int64_t kSamplingPermutations = 64;

struct ExplanationInputs {
  const TrainSpec* spec = nullptr;
  const FeaturePlan* plan = nullptr;       // the served plan (the model's columns)
  std::string_view model_bytes;            // the model file
  const nlohmann::json* statistics = nullptr;  // statistics.json (missing counts per feature)
  const Matrix* train = nullptr;           // training rows encoded with `plan` (background sample)
  std::string negative, positive;          // the target's class labels
};

struct ExplanationDefaults {
  nlohmann::json decision;
  nlohmann::json explanation;
  std::vector<std::pair<std::string, std::string>> files;  // extra version files (background.csv)
};

Result<ExplanationDefaults> DefaultExplanation(const ExplanationInputs& in);

// `rows` rows of `x` drawn without replacement by `seed` (all of them if fewer), as CSV with a
// header of `columns` (empty cells = missing).
std::string BackgroundCsv(const Matrix& x, const std::vector<std::string>& columns, int64_t rows, uint64_t seed);

}  // namespace finserve::train
