#include "runtime/linear/linear_model.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "runtime/linear/input_check.h"

namespace finserve::runtime::linear {
namespace {

using nlohmann::json;

}  // namespace

Result<LinearSpec> ParseLinearJson(std::string_view bytes) {
  json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgument("model.linear.json is not a JSON object");
  if (doc.value("format", json()) != "finserve-linear") return InvalidArgument("model.linear.json: 'format' must be \"finserve-linear\"");
  if (doc.value("format_version", json()) != 1) return InvalidArgument("model.linear.json: unsupported 'format_version' (this build reads 1)");
  LinearSpec spec;
  try {
    const std::string kind = doc.at("kind").get<std::string>();
    if (kind != "logistic" && kind != "regression") return InvalidArgument("model.linear.json: 'kind' must be logistic or regression");
    spec.kind = kind == "logistic" ? LinearSpec::Kind::kLogistic : LinearSpec::Kind::kRegression;
    spec.intercept = doc.at("intercept").get<double>();
    spec.coefficients = doc.at("coefficients").get<std::vector<double>>();
    if (doc.contains("feature_names")) spec.feature_names = doc["feature_names"].get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("model.linear.json: ") + e.what());
  }
  if (spec.coefficients.empty()) return InvalidArgument("model.linear.json: 'coefficients' is empty");
  if (!spec.feature_names.empty() && spec.feature_names.size() != spec.coefficients.size()) {
    return InvalidArgument("model.linear.json: " + std::to_string(spec.feature_names.size()) + " feature names for " +
                           std::to_string(spec.coefficients.size()) + " coefficients");
  }
  for (double c : spec.coefficients) {
    if (!std::isfinite(c)) return InvalidArgument("model.linear.json: a coefficient is not finite");
  }
  if (!std::isfinite(spec.intercept)) return InvalidArgument("model.linear.json: the intercept is not finite");
  return spec;
}

std::string LinearToJson(const LinearSpec& spec) {
  json doc = {{"format", "finserve-linear"},
              {"format_version", 1},
              {"kind", spec.kind == LinearSpec::Kind::kLogistic ? "logistic" : "regression"},
              {"feature_names", spec.feature_names},
              {"intercept", spec.intercept},
              {"coefficients", spec.coefficients}};
  return doc.dump(1) + "\n";
}

LinearModel::LinearModel(LinearSpec spec) : spec_(std::move(spec)) {
  const int64_t n = static_cast<int64_t>(spec_.coefficients.size());
  inputs_ = {{"features", DataType::kFp32, {-1, n}}};
  if (spec_.kind == LinearSpec::Kind::kLogistic) {
    outputs_ = {{"probability", DataType::kFp32, {-1}}, {"margin", DataType::kFp32, {-1}}};
  } else {
    outputs_ = {{"prediction", DataType::kFp32, {-1}}};
  }
}

Result<std::unique_ptr<LinearModel>> LinearModel::Create(LinearSpec spec) {
  return std::unique_ptr<LinearModel>(new LinearModel(std::move(spec)));
}

Status LinearModel::Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
                        std::vector<Tensor>* outputs) const {
  const int64_t n = static_cast<int64_t>(spec_.coefficients.size());
  FS_ASSIGN_OR_RETURN(int64_t rows, CheckMatrixInput(inputs, n));
  const float* x = inputs[0].data_as<float>();
  std::vector<double> margins(static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    double m = spec_.intercept;
    for (int64_t c = 0; c < n; ++c) {
      const float v = x[r * n + c];
      if (std::isnan(v)) return MissingValueError(r, c, spec_.feature_names);
      m += spec_.coefficients[static_cast<size_t>(c)] * v;
    }
    margins[static_cast<size_t>(r)] = m;
  }
  outputs->clear();
  outputs->resize(outputs_.size());
  for (size_t o = 0; o < outputs_.size(); ++o) {
    if (!wanted.wants(o)) continue;
    Tensor t = Tensor::Uninitialized(DataType::kFp32, Shape({rows}));
    const bool probability = spec_.kind == LinearSpec::Kind::kLogistic && o == 0;
    for (int64_t r = 0; r < rows; ++r) {
      const double m = margins[static_cast<size_t>(r)];
      t.data<float>()[r] = static_cast<float>(probability ? 1.0 / (1.0 + std::exp(-m)) : m);
    }
    (*outputs)[o] = std::move(t);
  }
  return Status::Ok();
}

}  // namespace finserve::runtime::linear
