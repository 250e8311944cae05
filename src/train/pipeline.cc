#include "train/pipeline.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <chrono>
#include <cmath>

#include <Eigen/Core>

#include "core/build_info.h"
#include "core/sha256.h"
#include "runtime/backend.h"
#include "runtime/linear/linear_model.h"
#include "runtime/linear/scorecard.h"
#include "train/explanation_defaults.h"
#include "train/metrics.h"
#include "train/onnx_writer.h"
#include "train/split.h"
#include "train/statistics.h"

namespace finserve::train {
namespace {

using nlohmann::json;

// The model itself: its file, and a way to score an encoded matrix as the server will.
struct FittedModel {
  std::string file_name;
  std::string bytes;
  FeaturePlan plan;  // may be narrower than the fitted plan (scorecards drop weak characteristics)
  std::string description;
  std::function<Result<std::vector<double>>(const Matrix&)> score;
  json details = json::object();
};

Result<std::vector<double>> ScoreWithBackend(const FittedModel& m, const Matrix& x) {
  const runtime::Backend* backend = runtime::BackendRegistry::Builtin().ForFileName(m.file_name);
  if (!backend) return Internal("no backend serves " + m.file_name);
  FS_ASSIGN_OR_RETURN(auto model, backend->Load({"", m.file_name, m.bytes}, {}));
  int prob = -1;
  for (size_t o = 0; o < model->outputs().size(); ++o) {
    if (model->outputs()[o].name == "probability") prob = static_cast<int>(o);
  }
  if (prob < 0) return Internal(m.file_name + " has no probability output");
  const std::vector<int64_t> dims = {x.rows, x.cols};
  TensorView input{DataType::kFp32, dims, x.values.data(), x.values.size() * sizeof(float), nullptr};
  std::vector<Tensor> outputs;
  FS_RETURN_IF_ERROR(model->Run(std::span<const TensorView>(&input, 1), runtime::OutputSelection::All(), &outputs));
  const Tensor& p = outputs[static_cast<size_t>(prob)];
  return std::vector<double>(p.data<float>(), p.data<float>() + p.num_elements());
}

Matrix SelectColumns(const Matrix& x, const std::vector<size_t>& keep) {
  Matrix out;
  out.rows = x.rows;
  out.cols = static_cast<int>(keep.size());
  for (int64_t r = 0; r < x.rows; ++r) {
    for (size_t k : keep) out.values.push_back(x.at(r, static_cast<int>(k)));
  }
  return out;
}

struct Data {
  CsvTable train_table;
  Matrix train, valid, test;
  std::vector<float> train_y, valid_y, test_y;
};

Result<FittedModel> FitLogisticModel(const FeaturePlan& plan, const Data& d, const TrainSpec& spec, const TrainContext& ctx) {
  FS_ASSIGN_OR_RETURN(LogisticFit fit, FitLogistic(d.train, d.train_y, spec.logistic, ctx));
  runtime::linear::LinearSpec model{runtime::linear::LinearSpec::Kind::kLogistic, plan.column_names(), fit.intercept,
                                    fit.coefficients};
  FittedModel m{"model.linear.json", runtime::linear::LinearToJson(model), plan,
                "logistic regression (IRLS, l2 " + json(spec.logistic.l2).dump() + ", l1 " + json(spec.logistic.l1).dump() + ")", nullptr};
  m.details = {{"iterations", fit.iterations}, {"converged", fit.converged}};
  return m;
}

Result<FittedModel> FitScorecardModel(const FeaturePlan& plan, const Data& d, const TrainSpec& spec, const TrainContext& ctx) {
  FS_ASSIGN_OR_RETURN(ScorecardFit fit, FitScorecard(plan, d.train, d.train_y, spec.scorecard, ctx));
  std::vector<FeatureSpec> kept;
  json iv = json::object();
  for (size_t f = 0; f < plan.features().size(); ++f) iv[plan.features()[f].name] = fit.information_values[f];
  for (size_t k : fit.kept) kept.push_back(plan.features()[k]);
  FittedModel m{"model.scorecard.json", runtime::linear::ScorecardToJson(fit.spec), FeaturePlan::Sequential(std::move(kept)),
                "points scorecard (PDO " + std::to_string(static_cast<int>(spec.scorecard.pdo)) + ", " +
                    std::to_string(static_cast<int>(spec.scorecard.base_score)) + " points at " +
                    std::to_string(static_cast<int>(spec.scorecard.base_odds)) + ":1 odds)",
                nullptr};
  m.details = {{"information_values", iv}, {"characteristics_kept", fit.kept.size()}};
  return m;
}

Result<FittedModel> FitGbdtModel(const FeaturePlan& plan, const Data& d, const TrainSpec& spec, const TrainContext& ctx) {
  FS_ASSIGN_OR_RETURN(GbdtFit fit, FitGbdt(d.train, d.train_y, d.valid, d.valid_y, plan.column_names(), spec.gbdt, ctx));
  FittedModel m{"model.json", fit.model_json, plan,
                "gradient-boosted trees (XGBoost hist, " + std::to_string(fit.rounds) + " trees of depth " +
                    std::to_string(spec.gbdt.max_depth) + ")",
                nullptr};
  m.details = {{"rounds", fit.rounds}, {"best_round", fit.best_round}};
  return m;
}

Result<FittedModel> FitMlpModel(const FeaturePlan& plan, const Data& d, const TrainSpec& spec, const TrainContext& ctx) {
  FS_ASSIGN_OR_RETURN(MlpFit fit, FitMlp(d.train, d.train_y, d.valid, d.valid_y, spec.mlp, ctx));
  FS_ASSIGN_OR_RETURN(std::string onnx, MlpToOnnx(fit, plan.column_names()));
  std::string layers;
  for (int h : spec.mlp.hidden) layers += (layers.empty() ? "" : "x") + std::to_string(h);
  FittedModel m{"model.onnx", std::move(onnx), plan, "multilayer perceptron (" + layers + ", ReLU, Adam)", nullptr};
  // The ONNX backend may not be built in; the exported weights' own forward pass scores then.
  if (!runtime::BackendRegistry::Builtin().ForFileName("model.onnx")) {
    m.score = [fit](const Matrix& x) -> Result<std::vector<double>> { return PredictMlp(fit, x); };
  }
  m.details = {{"epochs", fit.epochs}, {"best_epoch", fit.best_epoch}};
  return m;
}

PreprocessOptions PreprocessFor(const TrainSpec& spec) {
  PreprocessOptions o = spec.preprocess;
  o.target = spec.target;
  if (!spec.split.date_column.empty()) o.exclude.push_back(spec.split.date_column);
  const bool trees_or_bins = spec.algorithm == Algorithm::kGbdt || spec.algorithm == Algorithm::kScorecard;
  o.native_missing = trees_or_bins;
  o.encoding = spec.algorithm == Algorithm::kScorecard ? CategoryEncoding::kOrdinal : CategoryEncoding::kOneHot;
  if (spec.algorithm == Algorithm::kScorecard) {
    for (auto& [name, c] : o.columns) c.encoding = CategoryEncoding::kOrdinal;
  }
  return o;
}

json ConfigDocument(const FittedModel& m, const TrainSpec& spec, const std::string& positive,
                    const ExplanationDefaults& explanation) {
  json input = {{"name", "features"}, {"datatype", "FP32"}, {"shape", {-1, m.plan.num_columns()}},
                {"features", m.plan.column_names()}};
  return {{"description", "Probability that " + spec.target + " = " + positive + "; " + m.description +
                              ", trained by finserve train"},
          {"inputs", json::array({input})},
          {"features", m.plan.ToJson()},
          {"decision", explanation.decision},
          {"explanation", explanation.explanation}};
}

constexpr char kConfigHeader[] =
    "# Written by finserve train. `features` maps raw applicant values to the model columns;\n"
    "# `decision` and `explanation` were generated: review the threshold, and turn the reason texts\n"
    "# into the statements your customers receive (docs/explanations.md).\n";

// The target's class other than `positive` (EncodeBinaryTarget checked there are exactly two).
std::string NegativeClass(const CsvTable& table, const std::string& target, const std::string& positive) {
  const int c = table.FindColumn(target);
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    if (table.cell(r, c) != positive) return table.cell(r, c);
  }
  return "not " + positive;
}

json Libraries() {
  return {{"finserve", std::string(BuildVersion()) + " (" + std::string(BuildId()) + ")"},
          {"xgboost", XgboostVersion()},
          {"onnx", OnnxVersion()},
          {"eigen", std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                        std::to_string(EIGEN_MINOR_VERSION)}};
}

Status CheckRows(const CsvTable& table, const TrainSpec& spec) {
  if (table.num_rows() < spec.min_rows) {
    return InvalidArgument(table.source() + ": " + std::to_string(table.num_rows()) + " data rows; training needs at least " +
                           std::to_string(spec.min_rows) + " (min_rows)");
  }
  return Status::Ok();
}

Result<Data> PrepareData(const CsvTable& table, const std::vector<float>& y, const RowSplit& split, FeaturePlan* plan,
                         const TrainSpec& spec) {
  Data d{table.SelectRows(split.train), {}, {}, {}, {}, {}, {}};
  FS_ASSIGN_OR_RETURN(*plan, FitFeaturePlan(d.train_table, PreprocessFor(spec)));
  const std::pair<const std::vector<int64_t>*, std::pair<Matrix*, std::vector<float>*>> parts[] = {
      {&split.train, {&d.train, &d.train_y}}, {&split.validation, {&d.valid, &d.valid_y}}, {&split.test, {&d.test, &d.test_y}}};
  for (const auto& [rows, out] : parts) {
    FS_ASSIGN_OR_RETURN(*out.first, EncodeTable(*plan, table.SelectRows(*rows)));
    for (int64_t r : *rows) out.second->push_back(y[static_cast<size_t>(r)]);
  }
  return d;
}

Result<FittedModel> Fit(const FeaturePlan& plan, const Data& d, const TrainSpec& spec, const TrainContext& ctx) {
  switch (spec.algorithm) {
    case Algorithm::kLogistic: return FitLogisticModel(plan, d, spec, ctx);
    case Algorithm::kScorecard: return FitScorecardModel(plan, d, spec, ctx);
    case Algorithm::kGbdt: return FitGbdtModel(plan, d, spec, ctx);
    case Algorithm::kMlp: return FitMlpModel(plan, d, spec, ctx);
  }
  return Internal("unknown algorithm");
}

// Columns of `x` (encoded with the fitted plan) that the final plan keeps.
Matrix Narrow(const FeaturePlan& fitted, const FeaturePlan& final_plan, const Matrix& x) {
  if (final_plan.num_columns() == fitted.num_columns()) return x;
  std::vector<size_t> keep;
  for (const auto& name : final_plan.column_names()) {
    const auto& all = fitted.column_names();
    keep.push_back(static_cast<size_t>(std::find(all.begin(), all.end(), name) - all.begin()));
  }
  return SelectColumns(x, keep);
}

}  // namespace

Result<TrainedVersion> TrainModel(const CsvTable& table, const std::string& data_sha256, const TrainSpec& spec,
                                  const TrainContext& ctx) {
  const auto started = std::chrono::steady_clock::now();
  FS_RETURN_IF_ERROR(CheckRows(table, spec));
  std::string positive = spec.positive;
  FS_ASSIGN_OR_RETURN(std::vector<float> y, EncodeBinaryTarget(table, spec.target, &positive));
  FS_ASSIGN_OR_RETURN(RowSplit split, SplitRows(table, y, spec.split, spec.seed));
  ctx.Progress(0.02, "preprocessing");
  FeaturePlan fitted_plan;
  FS_ASSIGN_OR_RETURN(Data d, PrepareData(table, y, split, &fitted_plan, spec));
  FS_RETURN_IF_ERROR(ctx.CheckCancelled());
  FS_ASSIGN_OR_RETURN(FittedModel m, Fit(fitted_plan, d, spec, ctx));
  FS_RETURN_IF_ERROR(ctx.CheckCancelled());
  auto score = [&](const Matrix& x) { return m.score ? m.score(Narrow(fitted_plan, m.plan, x)) : ScoreWithBackend(m, Narrow(fitted_plan, m.plan, x)); };
  FS_ASSIGN_OR_RETURN(std::vector<double> train_scores, score(d.train));
  const Matrix narrow_train = Narrow(fitted_plan, m.plan, d.train);
  json statistics = StatisticsDocument(m.plan, d.train_table, narrow_train, train_scores);
  statistics["target"] = spec.target;
  statistics["positive"] = positive;
  FS_ASSIGN_OR_RETURN(Histogram train_hist, ScoreHistogram(statistics));
  FS_ASSIGN_OR_RETURN(ExplanationDefaults explanation,
                      DefaultExplanation({&spec, &m.plan, m.bytes, &statistics, &narrow_train,
                                          NegativeClass(table, spec.target, positive), positive}));
  TrainedVersion out;
  out.model_file = m.file_name;
  if (d.valid.rows > 0) {
    FS_ASSIGN_OR_RETURN(std::vector<double> valid_scores, score(d.valid));
    out.validation_metrics = EvaluateBinary(valid_scores, d.valid_y, 0.5, &train_hist).ToJson();
    out.validation_metrics.erase("roc");
  }
  if (d.test.rows > 0) {
    FS_ASSIGN_OR_RETURN(std::vector<double> test_scores, score(d.test));
    out.test_metrics = EvaluateBinary(test_scores, d.test_y, 0.5, &train_hist).ToJson();
    out.test_metrics.erase("roc");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out.lineage = {{"format", "finserve-lineage"}, {"format_version", 1},
                 {"data", {{"sha256", data_sha256}, {"source", table.source()}, {"rows", table.num_rows()},
                           {"columns", table.header()}}},
                 {"target", spec.target}, {"positive", positive},
                 {"rows", {{"train", split.train.size()}, {"validation", split.validation.size()}, {"test", split.test.size()}}},
                 {"algorithm", AlgorithmName(spec.algorithm)}, {"model_file", m.file_name},
                 {"model_sha256", Sha256Hex(m.bytes)}, {"parameters", spec.EffectiveParameters()},
                 {"parameters_file", spec.params}, {"seed", spec.seed}, {"threads", spec.threads},
                 {"libraries", Libraries()}, {"training", m.details}, {"training_seconds", seconds},
                 {"validation_metrics", out.validation_metrics}, {"test_metrics", out.test_metrics}};
  out.files = {{m.file_name, m.bytes},
               {"config.yaml", kConfigHeader + JsonToYaml(ConfigDocument(m, spec, positive, explanation))},
               {"statistics.json", statistics.dump(1) + "\n"},
               {"lineage.json", out.lineage.dump(1) + "\n"}};
  for (auto& file : explanation.files) out.files.push_back(std::move(file));
  ctx.Progress(1.0, "done");
  return out;
}

namespace {

// A string is written plain when every YAML reader reads it back as the same string: an identifier
// that is not one of YAML 1.1's booleans or nulls (PyYAML reads a bare `no` as false).
bool PlainIsSafe(const std::string& s) {
  static const char* kWords[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"};
  if (s.empty() || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* w : kWords) {
    if (lower == w) return false;
  }
  return true;
}

void EmitString(YAML::Emitter* e, const std::string& s) {
  if (PlainIsSafe(s)) {
    *e << s;
  } else {
    *e << YAML::DoubleQuoted << s;
  }
}

// A short map of scalars and scalar lists (a reason-table entry, a numeric feature): one line.
bool IsShortFlatMap(const json& v) {
  if (!v.is_object() || v.dump().size() > 120) return false;
  for (const auto& [key, value] : v.items()) {
    if (value.is_object()) return false;
    if (value.is_array()) {
      for (const auto& item : value) {
        if (item.is_structured()) return false;
      }
    }
  }
  return true;
}

void Emit(YAML::Emitter* e, const json& v, bool flow = false) {
  switch (v.type()) {
    case json::value_t::object:
      if (flow) *e << YAML::Flow;
      *e << YAML::BeginMap;
      for (const auto& [key, value] : v.items()) {
        *e << YAML::Key;
        EmitString(e, key);
        *e << YAML::Value;
        Emit(e, value, IsShortFlatMap(value));
      }
      *e << YAML::EndMap;
      break;
    case json::value_t::array: {
      bool scalars = true;
      for (const auto& item : v) scalars = scalars && !item.is_structured();
      *e << (scalars ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
      for (const auto& item : v) Emit(e, item, IsShortFlatMap(item));
      *e << YAML::EndSeq;
      break;
    }
    case json::value_t::string: EmitString(e, v.get<std::string>()); break;
    case json::value_t::null: *e << YAML::Null; break;
    default: *e << v.dump(); break;
  }
}

}  // namespace

std::string JsonToYaml(const json& doc) {
  YAML::Emitter e;
  Emit(&e, doc);
  return std::string(e.c_str()) + "\n";
}

}  // namespace finserve::train
