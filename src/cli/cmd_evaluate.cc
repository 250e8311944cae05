#include <CLI/CLI.hpp>

#include <cmath>
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/offline_service.h"
#include "core/env.h"
#include "serving/inference_service.h"
#include "train/csv_table.h"
#include "train/metrics.h"
#include "train/preprocess.h"
#include "train/report_html.h"
#include "train/statistics.h"

namespace finserve::cli {
namespace {

constexpr int64_t kBatchRows = 4096;

struct EvaluateOptions {
  std::string model_repository;
  std::string model;
  std::string version;
  std::string data;
  std::string target;
  std::string positive;
  double threshold = 0.5;
  std::string format = "json";
  int64_t max_memory = int64_t{2} << 30;
  std::string unknown_categories = "missing";
};

// Counts, per raw feature, the test values that are categories the model never saw.
using UnknownCounts = std::map<std::string, int64_t>;

// One input tensor for rows [begin, end) of a CSV column: BYTES for categorical raw features,
// FP64 (NaN = missing) otherwise. With `unknown` set, categories the model does not know are sent
// as missing values and counted there (a test set may hold rare categories training never saw).
Result<serving::InferInput> ColumnInput(const train::CsvTable& table, const serving::TensorMetadata& input, int64_t begin,
                                        int64_t end, UnknownCounts* unknown = nullptr) {
  const int c = table.FindColumn(input.name);
  if (c < 0) return InvalidArgument(table.source() + ": no column '" + input.name + "' (the model needs it)");
  serving::InferInput out;
  out.name = input.name;
  out.dtype = input.dtype == DataType::kBytes ? DataType::kBytes : DataType::kFp64;
  const Shape shape({end - begin});
  if (out.dtype == DataType::kBytes) {
    std::vector<std::string_view> cells;
    for (int64_t r = begin; r < end; ++r) {
      std::string_view cell = table.cell(r, c);
      if (unknown && !cell.empty() && !input.features.empty() &&
          std::find(input.features.begin(), input.features.end(), cell) == input.features.end()) {
        ++(*unknown)[input.name];
        cell = "";
      }
      cells.push_back(cell);
    }
    out.tensor = Tensor::FromStrings(shape, cells);
    return out;
  }
  out.tensor = Tensor::Uninitialized(DataType::kFp64, shape);
  for (int64_t r = begin; r < end; ++r) {
    auto v = table.missing(r, c) ? std::optional<double>(std::nan("")) : train::ParseNumber(table.cell(r, c));
    if (!v) return InvalidArgument(table.source() + ": " + table.Where(r, c) + ": '" + table.cell(r, c) + "' is not a number");
    out.tensor.data<double>()[r - begin] = *v;
  }
  return out;
}

// A version with a `features:` plan takes raw columns; otherwise the CSV must hold the encoded
// columns named by the input's `features`.
Result<serving::InferInput> EncodedInput(const train::CsvTable& table, const serving::TensorMetadata& input,
                                         int64_t begin, int64_t end) {
  if (input.features.empty()) return InvalidArgument("model input '" + input.name + "' names no feature columns to read from the CSV");
  const int64_t cols = static_cast<int64_t>(input.features.size());
  serving::InferInput out{input.name, DataType::kFp32, Tensor::Uninitialized(DataType::kFp32, Shape({end - begin, cols})), {}};
  for (int64_t k = 0; k < cols; ++k) {
    serving::TensorMetadata column{input.features[static_cast<size_t>(k)], DataType::kFp64, {-1}, {}};
    FS_ASSIGN_OR_RETURN(serving::InferInput values, ColumnInput(table, column, begin, end));
    for (int64_t r = 0; r < end - begin; ++r) out.tensor.data<float>()[r * cols + k] = static_cast<float>(values.tensor.data<double>()[r]);
  }
  return out;
}

Result<std::vector<double>> Score(serving::InferenceService& service, const serving::ModelMetadata& md,
                                  const train::CsvTable& table, const EvaluateOptions& o, UnknownCounts* unknown) {
  std::vector<double> scores;
  for (int64_t begin = 0; begin < table.num_rows(); begin += kBatchRows) {
    const int64_t end = std::min(table.num_rows(), begin + kBatchRows);
    serving::InferRequest request;
    request.model_name = o.model;
    request.model_version = std::to_string(md.version);
    request.outputs.push_back({"probability", {}});
    if (!md.raw_inputs.empty()) {
      for (const auto& raw : md.raw_inputs) {
        FS_ASSIGN_OR_RETURN(serving::InferInput input,
                            ColumnInput(table, raw, begin, end, o.unknown_categories == "missing" ? unknown : nullptr));
        request.inputs.push_back(std::move(input));
      }
    } else {
      if (md.inputs.size() != 1) return InvalidArgument("evaluate needs a model with one input or a features: section");
      FS_ASSIGN_OR_RETURN(serving::InferInput input, EncodedInput(table, md.inputs[0], begin, end));
      request.inputs.push_back(std::move(input));
    }
    FS_ASSIGN_OR_RETURN(serving::InferResponse response, service.Infer(request));
    const Tensor& p = response.outputs.at(0).tensor;
    for (int64_t i = 0; i < p.num_elements(); ++i) scores.push_back(p.data<float>()[i]);
  }
  return scores;
}

int Evaluate(const EvaluateOptions& o) {
  auto offline = OfflineService::Open(o.model_repository, o.model);
  if (!offline.ok()) return CommandFailed("evaluate", offline.status());
  serving::InferenceService& service = (*offline)->service();
  auto md = service.GetModelMetadata(o.model, o.version);
  if (!md.ok()) return CommandFailed("evaluate", md.status());
  auto text = Env::Default()->ReadFile(o.data);
  if (!text.ok()) return CommandFailed("evaluate", text.status());
  auto table = train::CsvTable::Parse(*text, o.data, {.max_memory_bytes = o.max_memory});
  if (!table.ok()) return CommandFailed("evaluate", table.status());
  auto stats = service.GetTrainingStatistics(o.model, std::to_string(md->version));
  std::string positive = o.positive;
  if (positive.empty() && stats.ok()) positive = stats->value("positive", "");  // the class the model was trained on
  auto labels = train::EncodeBinaryTarget(*table, o.target, &positive);
  if (!labels.ok()) return CommandFailed("evaluate", labels.status());
  UnknownCounts unknown;
  auto scores = Score(service, *md, *table, o, &unknown);
  if (!scores.ok()) return CommandFailed("evaluate", scores.status());
  for (const auto& [feature, count] : unknown) {
    std::cerr << "finserve evaluate: " << count << " value(s) of '" << feature
              << "' are categories the model never saw; scored as missing values\n";
  }
  std::optional<train::Histogram> training;
  if (stats.ok()) {
    if (auto h = train::ScoreHistogram(*stats); h.ok()) training = *h;
  }
  const train::BinaryReport report =
      train::EvaluateBinary(*scores, *labels, o.threshold, training ? &*training : nullptr);
  if (o.format == "html") {
    std::cout << train::RenderHtmlReport(report, {o.model, std::to_string(md->version), md->model_sha256, o.data, o.target, positive});
    return 0;
  }
  nlohmann::json out = report.ToJson();
  out["model"] = {{"name", md->name}, {"version", md->version}, {"model_sha256", md->model_sha256},
                  {"config_sha256", md->config_sha256}};
  out["data"] = o.data;
  out["target"] = o.target;
  out["positive"] = positive;
  std::cout << out.dump(2) << "\n";
  return 0;
}

}  // namespace

RunCommand AddEvaluateCommand(CLI::App* command) {
  auto o = std::make_shared<EvaluateOptions>();
  command->add_option("--model-repository", o->model_repository, "model repository directory")->required();
  command->add_option("--model", o->model, "model name")->required();
  command->add_option("--version", o->version, "model version (default: by the model's version policy)");
  command->add_option("--data", o->data, "labelled test data: CSV with a header row")->required();
  command->add_option("--target", o->target, "the label column")->required();
  command->add_option("--positive", o->positive, "the positive class (default: the one the model was trained for, else the class that sorts last)");
  command->add_option("--threshold", o->threshold, "probability threshold for the confusion matrix")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  command->add_option("--format", o->format, "json (stdout) or html (a self-contained report on stdout)")
      ->check(CLI::IsMember({"json", "html"}))
      ->capture_default_str();
  command->add_option("--unknown-categories", o->unknown_categories,
                      "missing: score categories the model never saw as missing values (and say how many); error: refuse")
      ->check(CLI::IsMember({"missing", "error"}))
      ->capture_default_str();
  command->add_option("--max-memory", o->max_memory, "memory budget for the data (bytes; suffixes KB, MB, GB)")
      ->transform(CLI::AsSizeValue(false));
  return [o] { return Evaluate(*o); };
}

}  // namespace finserve::cli
