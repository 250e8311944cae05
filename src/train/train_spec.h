// TrainSpec: everything that decides a training run besides the data: target, algorithm, seed,
// threads, the split, the column schema and each algorithm's parameters. Built from command-line
// values plus an optional YAML parameters file (ParseTrainParams), whose sections are
//   split:     {method: random | out_of_time, validation_fraction, test_fraction, date_column}
//   columns:   {<column>: {type: numeric|categorical|ignore, encoding, missing, impute}}
//   logistic:  {l2, l1, max_iterations}
//   scorecard: {pdo, base_score, base_odds, min_information_value, initial_bins, min_bin_share, l2}
//   gbdt:      {rounds, max_depth, learning_rate, subsample, colsample_bytree, min_child_weight,
//               reg_lambda, reg_alpha, gamma, max_bin, early_stopping_rounds, monotone_constraints}
//   mlp:       {hidden, learning_rate, batch_size, max_epochs, patience, weight_decay}
//   min_rows, max_one_hot_categories
// Unknown keys are refused with the key path, so a typo never silently trains something else.
// Value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "train/gbdt_trainer.h"
#include "train/logistic_trainer.h"
#include "train/mlp_trainer.h"
#include "train/preprocess.h"
#include "train/scorecard_trainer.h"

namespace finserve::train {

enum class Algorithm { kLogistic, kScorecard, kGbdt, kMlp };
std::string_view AlgorithmName(Algorithm a);
Result<Algorithm> ParseAlgorithm(std::string_view name);

struct SplitSpec {
  enum class Method { kRandom, kOutOfTime };
  Method method = Method::kRandom;
  double validation_fraction = 0.2;
  double test_fraction = 0.0;  // held out from training and validation; reported separately
  std::string date_column;     // out_of_time: the most recent rows become validation (and test)
};

struct TrainSpec {
  std::string target;
  std::string positive;  // empty: the class that sorts last
  Algorithm algorithm = Algorithm::kGbdt;
  uint64_t seed = 42;
  int threads = 1;
  int64_t min_rows = 50;
  SplitSpec split;
  PreprocessOptions preprocess;  // target and columns filled from the above and the schema
  LogisticOptions logistic;
  ScorecardOptions scorecard;
  GbdtOptions gbdt;
  MlpOptions mlp;
  nlohmann::json params = nlohmann::json::object();  // the parameters file as given (for lineage)

  // The effective settings of the chosen algorithm and the split (for lineage and job status).
  nlohmann::json EffectiveParameters() const;
};

// YAML text -> JSON (maps, lists, scalars; plain scalars that read as numbers/booleans become
// them). Errors name `file` and the line.
Result<nlohmann::json> ParamsYamlToJson(std::string_view yaml, std::string_view file);

// Applies a parameters document onto `spec`. `where` names the file for messages.
Status ParseTrainParams(const nlohmann::json& doc, std::string_view where, TrainSpec* spec);

}  // namespace finserve::train
