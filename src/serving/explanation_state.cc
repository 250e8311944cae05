#include "serving/explanation_state.h"

#include <algorithm>

#include "explain/background.h"
#include "explain/linear_models.h"
#include "explain/linear_shap.h"
#include "explain/margin_space.h"
#include "explain/model_explainers.h"
#include "explain/points_below_max.h"
#include "explain/sampling_shapley.h"

namespace finserve::serving {
namespace {

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// The config file(s) the sections came from, for messages.
std::string ConfigFiles(const repository::LoadedModel& model, Env* env) {
  const std::string version_dir = Dirname(model.model_path());
  const std::string model_file = Dirname(version_dir) + "/config.yaml";
  const std::string version_file = version_dir + "/config.yaml";
  return env->FileExists(version_file) ? model_file + " + " + version_file : model_file;
}

bool AsksForExplanations(const nlohmann::json& document) {
  for (const char* key : {"features", "decision", "explanation"}) {
    auto it = document.find(key);
    if (it != document.end() && !it->is_null()) return true;
  }
  return false;
}

// The one FP32 [-1, F] input, or an explanation of why there is none.
Result<size_t> ExplainedInput(const repository::LoadedModel& model) {
  const auto& inputs = model.inputs();
  if (inputs.size() != 1) {
    return FailedPrecondition("explanations need a model with one input; this one has " + std::to_string(inputs.size()));
  }
  const auto& spec = inputs[0].spec;
  if (spec.dtype != DataType::kFp32 || spec.shape.size() != 2 || spec.shape[1] < 1) {
    return FailedPrecondition("explanations need an FP32 input of shape [-1, num_features]; input '" + spec.name +
                              "' is " + std::string(DataTypeName(spec.dtype)) + " " + DimsToString(spec.shape));
  }
  return size_t{0};
}

// The training data's mean of every column (statistics.json's `columns` and `column_means`, matched
// by name), or empty when the statistics do not cover every column.
std::vector<double> TrainingMeans(const nlohmann::json* statistics, const std::vector<std::string>& columns) {
  if (statistics == nullptr || !statistics->is_object()) return {};
  const auto names = statistics->find("columns");
  const auto means = statistics->find("column_means");
  if (names == statistics->end() || means == statistics->end() || !names->is_array() || !means->is_array() ||
      names->size() != means->size()) {
    return {};
  }
  std::vector<double> out;
  for (const std::string& column : columns) {
    size_t i = 0;
    while (i < names->size() && !((*names)[i].is_string() && (*names)[i].get<std::string>() == column)) ++i;
    if (i == names->size() || !(*means)[i].is_number()) return {};
    out.push_back((*means)[i].get<double>());
  }
  return out;
}

std::vector<std::string> ColumnNames(const repository::LoadedModel& model, size_t input) {
  const auto& binding = model.inputs()[input];
  if (!binding.features.empty()) return binding.features;
  std::vector<std::string> names = explain::NativeFeatureNames(model.model());
  if (names.size() == static_cast<size_t>(binding.spec.shape[1])) return names;
  names.clear();
  for (int64_t i = 0; i < binding.spec.shape[1]; ++i) names.push_back("f" + std::to_string(i));  // XGBoost's own
  return names;
}

Result<std::vector<float>> LoadBackground(const repository::LoadedModel& model, const ExplanationState& state,
                                          Env* env, const std::string& files) {
  const ExplanationSettings& s = state.config.explanation;
  if (s.background_csv.empty()) {
    return FailedPrecondition(files + ": 'explanation.background.csv' is required for method " +
                              std::string(ExplainMethodName(s.method)));
  }
  const std::string version_dir = Dirname(model.model_path());
  std::string path = version_dir + "/" + s.background_csv;
  if (!env->FileExists(path)) path = Dirname(version_dir) + "/" + s.background_csv;
  if (!env->FileExists(path)) {
    return InvalidArgument(files + ": 'explanation.background.csv' names '" + s.background_csv +
                           "', which is neither in " + version_dir + " nor in " + Dirname(version_dir));
  }
  FS_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  FS_ASSIGN_OR_RETURN(auto data, explain::ParseBackgroundCsv(text, state.columns, s.max_background_rows, path));
  return std::move(data.rows);
}

Result<std::unique_ptr<explain::Explainer>> MakeSampling(const repository::LoadedModel& model,
                                                         const ExplanationState& state, Env* env,
                                                         const std::string& files) {
  const ExplanationSettings& s = state.config.explanation;
  int output = s.output.empty() ? explain::MarginOutputIndex(model.model()) : -1;
  if (s.output.empty() && output < 0 && model.model().outputs().size() == 1) output = 0;  // its only output
  if (!s.output.empty()) {
    const int binding = model.FindOutput(s.output);
    if (binding < 0) return InvalidArgument(files + ": 'explanation.output' names '" + s.output + "', which the model does not have");
    output = static_cast<int>(model.outputs()[binding].native_index);
  }
  if (output < 0) {
    return InvalidArgument(files + ": 'explanation.output' is required (the model has several outputs and no 'margin')");
  }
  FS_ASSIGN_OR_RETURN(std::vector<float> background, LoadBackground(model, state, env, files));
  std::string space = s.output.empty() ? explain::MarginSpace(model.model()) : "output";
  if (space == "output" && output == explain::MarginOutputIndex(model.model())) {
    // A margin the model file does not describe (an ONNX MLP): log-odds only if the model says so.
    space = explain::ProbeMarginSpace(model.model(), static_cast<size_t>(output), background,
                                      static_cast<int64_t>(background.size()) / state.num_features());
  }
  FS_ASSIGN_OR_RETURN(auto sampler, explain::SamplingShapleyExplainer::Create(model.model(), static_cast<size_t>(output),
                                                                              std::move(background),
                                                                              {s.samples, s.seed}, space));
  return std::unique_ptr<explain::Explainer>(std::move(sampler));
}

bool HasBackground(const ExplanationState& state) {
  return !state.config.explanation.background_means.empty() || !state.config.explanation.background_csv.empty();
}

// E[x] for linear SHAP: `background.means` (every column), the column means of the CSV, or else
// the training data's column means (statistics.json).
Result<std::vector<double>> BackgroundMeans(const repository::LoadedModel& model, const ExplanationState& state,
                                            Env* env, const std::string& files) {
  const ExplanationSettings& s = state.config.explanation;
  if (!HasBackground(state)) return state.training_means;
  if (s.background_means.empty()) {
    FS_ASSIGN_OR_RETURN(std::vector<float> rows, LoadBackground(model, state, env, files));
    explain::BackgroundData data{static_cast<int64_t>(rows.size()) / state.num_features(), std::move(rows)};
    return data.ColumnMeans(state.columns.size());
  }
  std::vector<double> means;
  for (const std::string& column : state.columns) {
    auto it = std::find_if(s.background_means.begin(), s.background_means.end(),
                           [&](const auto& m) { return m.first == column; });
    if (it == s.background_means.end()) {
      return InvalidArgument(files + ": 'explanation.background.means' has no mean for column '" + column + "'");
    }
    means.push_back(it->second);
  }
  return means;
}

Result<std::unique_ptr<explain::Explainer>> MakeLinear(const repository::LoadedModel& model,
                                                       const ExplanationState& state, Env* env,
                                                       const std::string& files) {
  auto form = explain::RecognizeLinearModel(model.model());
  if (!form.ok()) {
    return InvalidArgument(files + ": 'explanation.method: linear' needs a linear or logistic model (model.linear.json, "
                           "or ONNX Gemm or MatMul [+ Add] [+ Sigmoid | Softmax]); this one is not: " +
                           form.status().message());
  }
  if (!HasBackground(state) && state.training_means.empty()) {
    return InvalidArgument(files + ": linear SHAP needs the background means: 'explanation.background.means', "
                           "'explanation.background.csv', or the version's statistics.json with 'column_means'");
  }
  FS_ASSIGN_OR_RETURN(std::vector<double> means, BackgroundMeans(model, state, env, files));
  FS_ASSIGN_OR_RETURN(auto linear, explain::LinearShapExplainer::Create(form->num_features, form->weights,
                                                                        form->intercepts, std::move(means),
                                                                        form->MarginSpace()));
  return std::unique_ptr<explain::Explainer>(std::move(linear));
}

// The default: TreeSHAP for tree models, points below maximum for scorecards, linear SHAP for
// linear models with background means (configured, or the training means); otherwise none, with
// the reason.
Status MakeDefault(const repository::LoadedModel& model, Env* env, const std::string& files, ExplanationState* state) {
  auto tree = explain::CreateTreeShapExplainer(model.model());
  if (tree.ok()) {
    state->explainer = std::move(tree).value();
    return Status::Ok();
  }
  if (auto card = explain::CreatePointsBelowMaxExplainer(model.model()); card.ok()) {
    state->explainer = std::move(card).value();
    return Status::Ok();
  }
  const bool has_background = HasBackground(*state) || !state->training_means.empty();
  if (tree.status().code() == StatusCode::kUnimplemented && has_background &&
      explain::RecognizeLinearModel(model.model()).ok()) {
    FS_ASSIGN_OR_RETURN(state->explainer, MakeLinear(model, *state, env, files));
    return Status::Ok();
  }
  state->unavailable = tree.status().code() == StatusCode::kUnimplemented
                           ? "it is not a tree model; configure 'explanation: {method: sampling, background: "
                             "{csv: ...}}' (any model) or 'method: linear' (linear and logistic models)"
                           : tree.status().message();
  return Status::Ok();
}

// The explainer the config asks for (or the model's default); null with `unavailable` set when
// the default does not apply to this model.
Status MakeExplainer(const repository::LoadedModel& model, Env* env, const std::string& files, ExplanationState* state) {
  switch (state->config.explanation.method) {
    case ExplainMethod::kNone:
      state->unavailable = "its config says 'explanation: {method: none}'";
      return Status::Ok();
    case ExplainMethod::kDefault:  // fails a load only for a broken background it was given
      return MakeDefault(model, env, files, state);
    case ExplainMethod::kTreeShap: {
      auto tree = explain::CreateTreeShapExplainer(model.model());
      if (!tree.ok()) return tree.status().WithContext(files + ": 'explanation.method: tree_shap'");
      state->explainer = std::move(tree).value();
      return Status::Ok();
    }
    case ExplainMethod::kSampling: {
      FS_ASSIGN_OR_RETURN(state->explainer, MakeSampling(model, *state, env, files));
      return Status::Ok();
    }
    case ExplainMethod::kLinear: {
      FS_ASSIGN_OR_RETURN(state->explainer, MakeLinear(model, *state, env, files));
      return Status::Ok();
    }
    case ExplainMethod::kPointsBelowMax: {
      auto card = explain::CreatePointsBelowMaxExplainer(model.model());
      if (!card.ok()) return card.status().WithContext(files + ": 'explanation.method: points_below_max'");
      state->explainer = std::move(card).value();
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// Which probabilities decide, and which explained output points toward the adverse class.
Status BindDecision(const repository::LoadedModel& model, const std::string& files, ExplanationState* state) {
  const int32_t sets = state->explainer != nullptr ? state->explainer->num_outputs() : 1;
  // Scorecard points grow toward the negative class: their contributions count against it.
  const float toward_positive = state->explainer != nullptr ? state->explainer->positive_class_sign() : 1.0f;
  state->adverse_sign = toward_positive;
  const std::optional<DecisionRule>& rule = state->config.decision;
  if (!rule) {
    if (sets > 1 && state->config.reasons) {
      return InvalidArgument(files + ": the reason table of a model with " + std::to_string(sets) +
                             " classes needs 'decision.adverse_class' (which class's contributions count)");
    }
    state->adverse_set = 0;  // binary: class 1; regression: larger values count as adverse
    return Status::Ok();
  }
  state->decision_output = model.FindOutput(rule->output);
  if (state->decision_output < 0) {
    return InvalidArgument(files + ": 'decision.output' is '" + rule->output + "', which the model does not have");
  }
  const auto& spec = model.outputs()[state->decision_output].spec;
  // [-1] or [-1, 1]: the probability of class 1 of a binary model; [-1, K]: one per class.
  const int64_t classes = spec.shape.size() == 2 && spec.shape[1] != 1 ? spec.shape[1] : 2;
  if (spec.dtype != DataType::kFp32 || spec.shape.empty() || spec.shape.size() > 2 || rule->adverse_class >= classes) {
    return InvalidArgument(files + ": 'decision' needs class " + std::to_string(rule->adverse_class) +
                           " of FP32 probabilities; output '" + rule->output + "' is " +
                           std::string(DataTypeName(spec.dtype)) + " " + DimsToString(spec.shape));
  }
  if (sets == 1) {
    state->adverse_set = 0;
    state->adverse_sign = (classes == 2 && rule->adverse_class == 0 ? -1.0f : 1.0f) * toward_positive;
  } else {
    state->adverse_set = rule->adverse_class;
  }
  if (state->adverse_set >= sets) {
    return InvalidArgument(files + ": 'decision.adverse_class' " + std::to_string(rule->adverse_class) +
                           " is out of range for the model's " + std::to_string(sets) + " explained outputs");
  }
  return Status::Ok();
}

}  // namespace

size_t ExplanationState::memory_bytes() const {
  return sizeof(*this) + (explainer != nullptr ? explainer->memory_bytes() : 0);
}

Result<std::shared_ptr<const ExplanationState>> BuildExplanationState(const repository::LoadedModel& model, Env* env,
                                                                      const nlohmann::json* statistics) {
  const nlohmann::json& document = model.config().document;
  const std::string files = ConfigFiles(model, env);
  auto state = std::make_shared<ExplanationState>();
  auto input = ExplainedInput(model);
  if (!input.ok()) {
    if (AsksForExplanations(document)) return input.status().WithContext(files);
    state->unavailable = input.status().message();
    return std::shared_ptr<const ExplanationState>(std::move(state));
  }
  state->input_binding = *input;
  state->columns = ColumnNames(model, *input);
  state->training_means = TrainingMeans(statistics, state->columns);
  FS_ASSIGN_OR_RETURN(state->config, ParseExplainConfig(document, state->columns, files));
  FS_RETURN_IF_ERROR(MakeExplainer(model, env, files, state.get()));
  if (state->explainer != nullptr && state->explainer->num_features() != state->num_features()) {
    return Internal("the explainer has " + std::to_string(state->explainer->num_features()) + " features, the input " +
                    std::to_string(state->num_features()));
  }
  if (state->explainer == nullptr && state->config.reasons) {
    return FailedPrecondition(files + ": a reason table needs an explainer, but this model cannot be explained: " +
                              state->unavailable);
  }
  FS_RETURN_IF_ERROR(BindDecision(model, files, state.get()));
  return std::shared_ptr<const ExplanationState>(std::move(state));
}

}  // namespace finserve::serving
