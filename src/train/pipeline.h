// The training pipeline: CSV text in, a complete model version out (in memory): validates the
// data and target, splits the rows, fits the preprocessing on the training rows, trains the
// chosen algorithm, scores the validation rows with the model as it will be served, and writes
// the version's files:
//   model.linear.json | model.scorecard.json | model.json (XGBoost) | model.onnx  the model
//   config.yaml      inputs (model columns) + `features:` (raw feature -> columns) + description
//                    + `decision:` and `explanation:` (explanation_defaults.h)
//   statistics.json  per-feature statistics, column means, training score histogram
//   lineage.json     data SHA-256, rows, columns, parameters, seed, threads, library versions,
//                    validation metrics
//   background.csv   MLPs only: the sampling explainer's background rows
// Nothing touches the disk here; publish.h writes the files atomically. Progress and
// cancellation go through the TrainContext. Thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "train/csv_table.h"
#include "train/train_context.h"
#include "train/train_spec.h"

namespace finserve::train {

struct TrainedVersion {
  std::vector<std::pair<std::string, std::string>> files;  // name -> contents, model file first
  std::string model_file;
  nlohmann::json validation_metrics;  // BinaryReport::ToJson() of the validation rows
  nlohmann::json test_metrics;        // null without a test split
  nlohmann::json lineage;
};

// `data_sha256` and `data_name` describe where the CSV came from (for lineage).
Result<TrainedVersion> TrainModel(const CsvTable& table, const std::string& data_sha256, const TrainSpec& spec,
                                  const TrainContext& context);

// A JSON document as YAML text; keys and strings that another YAML reader could take for a
// number, boolean or null ("no", "1", "Home=rent") are double-quoted.
std::string JsonToYaml(const nlohmann::json& doc);

}  // namespace finserve::train
