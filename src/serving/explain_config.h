// The serving layer's explanation settings of one model version, parsed from its effective
// config (see docs/explanations.md and docs/model-repository.md):
//
//   features:     named raw features for :score (serving/named_features.h)
//   decision:     which class is adverse and the probability threshold of a decline
//   explanation:  the method (tree_shap, sampling, linear, points_below_max, none), its settings, and the reason
//                 table (code, text, features, adverse direction) with the default k
//
// Everything is checked against the model's input columns at load; errors name the config file,
// the key and the feature. Value types; immutable after parsing; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "explain/reason_codes.h"
#include "serving/named_features.h"

namespace finserve::serving {

struct DecisionRule {
  std::string output = "probability";  // the client-facing output holding class probabilities
  std::vector<std::string> classes;    // optional class names, by class index
  int32_t adverse_class = 1;
  double threshold = 0.5;              // decline when P(adverse class) >= threshold

  std::string AdverseClassName() const;
};

enum class ExplainMethod : uint8_t { kDefault, kTreeShap, kSampling, kLinear, kPointsBelowMax, kNone };
std::string_view ExplainMethodName(ExplainMethod method);

struct ExplanationSettings {
  // kDefault: tree_shap for tree models, points_below_max for scorecards, linear for linear
  // models (finserve_linear, recognised linear ONNX graphs) with a background or the version's
  // training means (statistics.json), else none.
  ExplainMethod method = ExplainMethod::kDefault;
  std::string output;        // sampling: the output explained ("" = `margin`, else the only output)
  int64_t samples = 64;      // sampling: permutations (antithetic pairs: rounded up to even)
  uint64_t seed = 0;         // sampling
  std::string background_csv;                               // file name, relative to the version dir
  std::vector<std::pair<std::string, double>> background_means;  // column -> mean
  int64_t max_background_rows = 100;
  int64_t max_batch = 16;    // sampling: rows one request may ask to explain (each is costly)
  int32_t default_k = 4;
  bool refuse_unmapped = true;  // every column must belong to a reason
};

struct ExplainConfig {
  NamedFeatures features;
  std::optional<DecisionRule> decision;
  ExplanationSettings explanation;
  std::optional<explain::ReasonTable> reasons;
  std::vector<std::vector<std::string>> reason_features;  // per reason: the names as written
};

// Parses the three sections of `document`; `columns` are the explained input's column names.
Result<ExplainConfig> ParseExplainConfig(const nlohmann::json& document, const std::vector<std::string>& columns,
                                         std::string_view file);

}  // namespace finserve::serving
