#include "train/statistics.h"

#include <cmath>
#include <map>

namespace finserve::train {
namespace {

using nlohmann::json;

json NumericStats(const CsvTable& t, int c) {
  std::vector<double> values;
  int64_t missing = 0;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    auto v = t.missing(r, c) ? std::nullopt : ParseNumber(t.cell(r, c));
    v ? values.push_back(*v) : void(++missing);
  }
  double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
  for (double v : values) sum += v, lo = std::min(lo, v), hi = std::max(hi, v);
  const double mean = values.empty() ? 0 : sum / static_cast<double>(values.size());
  for (double v : values) sq += (v - mean) * (v - mean);
  const Histogram h = MakeHistogram(values, QuantileEdges(values, kStatisticsBins));
  return {{"type", "numeric"}, {"count", static_cast<int64_t>(values.size())}, {"missing", missing},
          {"mean", mean}, {"std", values.empty() ? 0 : std::sqrt(sq / static_cast<double>(values.size()))},
          {"min", values.empty() ? 0 : lo}, {"max", values.empty() ? 0 : hi}, {"histogram", h.ToJson()}};
}

json CategoricalStats(const CsvTable& t, int c, const FeatureSpec& spec) {
  std::map<std::string, int64_t> counts;
  int64_t missing = 0, present = 0;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    if (t.missing(r, c)) {
      ++missing;
    } else {
      ++counts[t.cell(r, c)], ++present;
    }
  }
  json cats = json::object();
  for (const auto& name : spec.categories) cats[name] = counts.count(name) ? counts[name] : 0;
  return {{"type", "categorical"}, {"count", present}, {"missing", missing}, {"categories", cats}};
}

}  // namespace

json FeatureStatistics(const FeaturePlan& plan, const CsvTable& train, const Matrix& encoded) {
  json features = json::object();
  for (const auto& spec : plan.features()) {
    const int c = train.FindColumn(spec.name);
    if (c < 0) continue;
    features[spec.name] = spec.type == FeatureType::kNumeric ? NumericStats(train, c) : CategoricalStats(train, c, spec);
  }
  return features;
}

json StatisticsDocument(const FeaturePlan& plan, const CsvTable& train, const Matrix& encoded,
                        std::span<const double> training_scores) {
  json means = json::array();
  for (int c = 0; c < encoded.cols; ++c) {
    double sum = 0;
    int64_t n = 0;
    for (int64_t r = 0; r < encoded.rows; ++r) {
      const float v = encoded.at(r, c);
      if (!std::isnan(v)) sum += v, ++n;
    }
    means.push_back(n ? sum / static_cast<double>(n) : 0.0);
  }
  const Histogram scores = MakeHistogram(training_scores, QuantileEdges(training_scores, kStatisticsBins));
  return {{"format", "finserve-statistics"}, {"format_version", 1}, {"rows", train.num_rows()},
          {"features", FeatureStatistics(plan, train, encoded)}, {"columns", plan.column_names()},
          {"column_means", means}, {"score", scores.ToJson()}};
}

Result<Histogram> ScoreHistogram(const json& statistics) {
  if (!statistics.is_object() || !statistics.contains("score")) return NotFound("the statistics have no score histogram");
  return Histogram::FromJson(statistics["score"]);
}

}  // namespace finserve::train
