#include "train/explanation_defaults.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <random>

#include "runtime/linear/linear_model.h"
#include "runtime/linear/scorecard.h"

namespace finserve::train {
namespace {

using nlohmann::json;

enum class Direction { kAny, kHigh, kLow };  // which values of a feature count against the applicant

std::string_view DirectionName(Direction d) {
  return d == Direction::kHigh ? "high" : d == Direction::kLow ? "low" : "any";
}

Direction FromSign(double effect_on_positive) {
  return effect_on_positive > 0 ? Direction::kHigh : effect_on_positive < 0 ? Direction::kLow : Direction::kAny;
}

// Points that never rise with the value: high values are adverse; never fall: low ones are.
Direction FromPoints(const runtime::linear::Characteristic& c) {
  bool rises = false, falls = false;
  for (size_t b = 1; b < c.bins.size(); ++b) {
    rises = rises || c.bins[b].points > c.bins[b - 1].points;
    falls = falls || c.bins[b].points < c.bins[b - 1].points;
  }
  return rises == falls ? Direction::kAny : falls ? Direction::kHigh : Direction::kLow;
}

// Per feature of the plan: the direction in which the fitted model's effect is monotone.
Result<std::vector<Direction>> Directions(const ExplanationInputs& in) {
  const auto& features = in.plan->features();
  std::vector<Direction> out(features.size(), Direction::kAny);
  switch (in.spec->algorithm) {
    case Algorithm::kLogistic: {
      FS_ASSIGN_OR_RETURN(auto model, runtime::linear::ParseLinearJson(in.model_bytes));
      for (size_t f = 0; f < features.size(); ++f) {
        if (features[f].type == FeatureType::kNumeric) out[f] = FromSign(model.coefficients.at(features[f].column_index[0]));
      }
      break;
    }
    case Algorithm::kScorecard: {
      FS_ASSIGN_OR_RETURN(auto card, runtime::linear::ParseScorecardJson(in.model_bytes));
      for (size_t f = 0; f < features.size(); ++f) {
        for (const auto& c : card.characteristics) {
          if (c.name == features[f].name && !c.categorical) out[f] = FromPoints(c);
        }
      }
      break;
    }
    case Algorithm::kGbdt:
      for (size_t f = 0; f < features.size(); ++f) {
        auto it = in.spec->gbdt.monotone.find(in.plan->column_names()[features[f].column_index[0]]);
        if (features[f].type == FeatureType::kNumeric && it != in.spec->gbdt.monotone.end()) out[f] = FromSign(it->second);
      }
      break;
    case Algorithm::kMlp: break;  // no monotone structure to read
  }
  return out;
}

std::string Humanize(const std::string& name) {
  std::string out = name;
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

std::string Text(const std::string& name, Direction d) {
  const std::string words = Humanize(name);
  return d == Direction::kHigh ? words + " too high" : d == Direction::kLow ? words + " too low" : words;
}

// Missing values reach the model as missing (not imputed) and the training data had some.
bool MissingReachesModel(const FeatureSpec& f, const json* statistics) {
  if (f.missing != MissingPolicy::kNan || statistics == nullptr) return false;
  const json* features = statistics->contains("features") ? &(*statistics)["features"] : nullptr;
  if (features == nullptr || !features->contains(f.name)) return false;
  return (*features)[f.name].value("missing", int64_t{0}) > 0;
}

json ReasonTable(const ExplanationInputs& in, const std::vector<Direction>& directions) {
  const auto& features = in.plan->features();
  const int width = features.size() >= 100 ? 3 : 2;
  json table = json::array();
  for (size_t f = 0; f < features.size(); ++f) {
    char code[32];
    std::snprintf(code, sizeof(code), "R%0*zu", width, f + 1);
    json entry = {{"code", code}, {"features", {features[f].name}}, {"adverse", DirectionName(directions[f])},
                  {"text", Text(features[f].name, directions[f])}};
    if (MissingReachesModel(features[f], in.statistics)) entry["missing_text"] = Humanize(features[f].name) + " not provided";
    table.push_back(std::move(entry));
  }
  return table;
}

std::string_view MethodFor(Algorithm a) {
  switch (a) {
    case Algorithm::kLogistic: return "linear";
    case Algorithm::kScorecard: return "points_below_max";
    case Algorithm::kGbdt: return "tree_shap";
    case Algorithm::kMlp: return "sampling";
  }
  return "none";
}

// The background file's header is split on commas and stripped of quotes (explain/background.h).
bool CsvSafe(const std::vector<std::string>& columns) {
  return std::none_of(columns.begin(), columns.end(), [](const std::string& c) {
    return c.find_first_of(",\"\r\n") != std::string::npos;
  });
}

std::string Number(float v) {
  if (std::isnan(v)) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.9g", static_cast<double>(v));
  return buffer;
}

}  // namespace

std::string BackgroundCsv(const Matrix& x, const std::vector<std::string>& columns, int64_t rows, uint64_t seed) {
  std::vector<int64_t> order(static_cast<size_t>(x.rows));
  std::iota(order.begin(), order.end(), int64_t{0});
  // A partial Fisher-Yates shuffle on mt19937_64's raw output: the same rows on every platform.
  std::mt19937_64 rng(seed);
  const int64_t n = std::min(rows, x.rows);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng() % static_cast<uint64_t>(x.rows - i));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  std::sort(order.begin(), order.begin() + n);  // file order = data order, easier to trace
  std::string out;
  for (size_t c = 0; c < columns.size(); ++c) out += (c ? ",\"" : "\"") + columns[c] + "\"";
  out += "\n";
  for (int64_t i = 0; i < n; ++i) {
    for (int c = 0; c < x.cols; ++c) out += (c ? "," : "") + Number(x.at(order[static_cast<size_t>(i)], c));
    out += "\n";
  }
  return out;
}

Result<ExplanationDefaults> DefaultExplanation(const ExplanationInputs& in) {
  ExplanationDefaults out;
  out.decision = {{"classes", {in.negative, in.positive}}, {"adverse_class", in.positive}, {"threshold", 0.5}};
  const Algorithm algorithm = in.spec->algorithm;
  if (algorithm == Algorithm::kMlp && !CsvSafe(in.plan->column_names())) {
    out.explanation = {{"method", "none"}};  // no background file can name these columns
    return out;
  }
  FS_ASSIGN_OR_RETURN(std::vector<Direction> directions, Directions(in));
  const json table = ReasonTable(in, directions);
  out.explanation = {{"method", MethodFor(algorithm)},
                     {"reason_codes", {{"default_k", std::min<size_t>(4, table.size())}, {"table", table}}}};
  if (algorithm == Algorithm::kMlp) {
    const int64_t rows = std::min(kBackgroundRows, in.train->rows);
    out.files.emplace_back(kBackgroundFile, BackgroundCsv(*in.train, in.plan->column_names(), rows, in.spec->seed));
    out.explanation["background"] = {{"csv", kBackgroundFile}, {"max_rows", rows}};
    out.explanation["samples"] = kSamplingPermutations;
    out.explanation["seed"] = in.spec->seed & 0x7fffffffffffffffull;  // the config reads a signed integer
  }
  return out;
}

}  // namespace finserve::train
