#include "train/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace finserve::train {
namespace {

using nlohmann::json;

constexpr double kLogLossEps = 1e-15;
constexpr double kPsiFloor = 1e-4;
constexpr size_t kMaxCurvePoints = 200;

double Ratio(double num, double den) { return den > 0 ? num / den : 0.0; }

// Indices sorted by descending score (stable, so equal scores keep input order).
std::vector<size_t> ByScoreDescending(std::span<const double> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

// numpy.percentile with linear interpolation over sorted values.
double Percentile(const std::vector<double>& sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

json ConfusionJson(const ConfusionMatrix& m) {
  return {{"tp", m.tp}, {"fp", m.fp}, {"tn", m.tn}, {"fn", m.fn},
          {"matrix", json::array({json::array({m.tn, m.fp}), json::array({m.fn, m.tp})})}};
}

}  // namespace

double ConfusionMatrix::accuracy() const { return Ratio(static_cast<double>(tp + tn), static_cast<double>(tp + tn + fp + fn)); }
double ConfusionMatrix::precision() const { return Ratio(static_cast<double>(tp), static_cast<double>(tp + fp)); }
double ConfusionMatrix::recall() const { return Ratio(static_cast<double>(tp), static_cast<double>(tp + fn)); }
double ConfusionMatrix::f1() const {
  const double p = precision(), r = recall();
  return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
}

std::vector<CurvePoint> RocCurve(std::span<const double> scores, std::span<const float> labels) {
  const std::vector<size_t> order = ByScoreDescending(scores);
  double positives = 0;
  for (float y : labels) positives += y > 0.5f ? 1 : 0;
  const double negatives = static_cast<double>(labels.size()) - positives;
  std::vector<CurvePoint> curve;
  curve.push_back({std::numeric_limits<double>::infinity(), 0, 0});
  double tp = 0, fp = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    (labels[order[i]] > 0.5f ? tp : fp) += 1;
    const bool last_of_tie = i + 1 == order.size() || scores[order[i + 1]] != scores[order[i]];
    if (last_of_tie) curve.push_back({scores[order[i]], Ratio(fp, negatives), Ratio(tp, positives)});
  }
  return curve;
}

double RocAuc(std::span<const double> scores, std::span<const float> labels) {
  const auto curve = RocCurve(scores, labels);
  double area = 0;
  for (size_t i = 1; i < curve.size(); ++i) {
    area += (curve[i].fpr - curve[i - 1].fpr) * (curve[i].tpr + curve[i - 1].tpr) / 2;
  }
  return area;
}

double KsStatistic(std::span<const double> scores, std::span<const float> labels, double* at_threshold) {
  double best = 0, where = 0;
  for (const auto& p : RocCurve(scores, labels)) {
    if (p.tpr - p.fpr > best) best = p.tpr - p.fpr, where = p.threshold;
  }
  if (at_threshold) *at_threshold = where;
  return best;
}

double LogLoss(std::span<const double> probabilities, std::span<const float> labels) {
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const double p = std::clamp(probabilities[i], kLogLossEps, 1 - kLogLossEps);
    sum -= labels[i] > 0.5f ? std::log(p) : std::log(1 - p);
  }
  return Ratio(sum, static_cast<double>(labels.size()));
}

double BrierScore(std::span<const double> probabilities, std::span<const float> labels) {
  double sum = 0;
  for (size_t i = 0; i < labels.size(); ++i) sum += (probabilities[i] - labels[i]) * (probabilities[i] - labels[i]);
  return Ratio(sum, static_cast<double>(labels.size()));
}

ConfusionMatrix Confusion(std::span<const double> scores, std::span<const float> labels, double threshold) {
  ConfusionMatrix m;
  for (size_t i = 0; i < labels.size(); ++i) {
    const bool predicted = scores[i] >= threshold, actual = labels[i] > 0.5f;
    (predicted ? (actual ? m.tp : m.fp) : (actual ? m.fn : m.tn)) += 1;
  }
  return m;
}

std::vector<CalibrationBin> Calibration(std::span<const double> probabilities, std::span<const float> labels, int bins) {
  std::vector<double> sorted(probabilities.begin(), probabilities.end());
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty() || bins < 1) return {};
  std::vector<double> inner;
  for (int b = 1; b < bins; ++b) inner.push_back(Percentile(sorted, static_cast<double>(b) / bins));
  std::vector<CalibrationBin> out(static_cast<size_t>(bins));
  for (size_t i = 0; i < probabilities.size(); ++i) {
    // Bin = number of inner edges strictly below the value (numpy.searchsorted, side='left').
    const size_t b = static_cast<size_t>(std::lower_bound(inner.begin(), inner.end(), probabilities[i]) - inner.begin());
    out[b].count += 1;
    out[b].mean_score += probabilities[i];
    out[b].positive_rate += labels[i] > 0.5f ? 1 : 0;
  }
  std::erase_if(out, [](const CalibrationBin& b) { return b.count == 0; });
  for (auto& b : out) {
    b.mean_score /= static_cast<double>(b.count);
    b.positive_rate /= static_cast<double>(b.count);
  }
  return out;
}

std::vector<double> QuantileEdges(std::span<const double> values, int bins) {
  std::vector<double> sorted;
  for (double v : values) {
    if (std::isfinite(v)) sorted.push_back(v);
  }
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> edges;
  if (sorted.empty()) return edges;
  for (int b = 1; b < bins; ++b) {
    const double e = Percentile(sorted, static_cast<double>(b) / bins);
    if (edges.empty() || e > edges.back()) edges.push_back(e);
  }
  return edges;
}

Histogram MakeHistogram(std::span<const double> values, std::vector<double> edges) {
  Histogram h;
  h.edges = std::move(edges);
  h.counts.assign(h.edges.size() + 1, 0);
  for (double v : values) {
    if (std::isnan(v)) {
      ++h.missing;
      continue;
    }
    h.counts[static_cast<size_t>(std::upper_bound(h.edges.begin(), h.edges.end(), v) - h.edges.begin())] += 1;
  }
  return h;
}

double Psi(const Histogram& expected, const Histogram& actual) {
  double e_total = 0, a_total = 0;
  for (auto c : expected.counts) e_total += static_cast<double>(c);
  for (auto c : actual.counts) a_total += static_cast<double>(c);
  double psi = 0;
  for (size_t i = 0; i < expected.counts.size() && i < actual.counts.size(); ++i) {
    const double e = std::max(Ratio(static_cast<double>(expected.counts[i]), e_total), kPsiFloor);
    const double a = std::max(Ratio(static_cast<double>(actual.counts[i]), a_total), kPsiFloor);
    psi += (a - e) * std::log(a / e);
  }
  return psi;
}

json Histogram::ToJson() const { return {{"edges", edges}, {"counts", counts}, {"missing", missing}}; }

Result<Histogram> Histogram::FromJson(const json& value) {
  try {
    Histogram h;
    h.edges = value.at("edges").get<std::vector<double>>();
    h.counts = value.at("counts").get<std::vector<int64_t>>();
    h.missing = value.value("missing", int64_t{0});
    if (h.counts.size() != h.edges.size() + 1) return InvalidArgument("histogram: counts must have one more entry than edges");
    if (!std::is_sorted(h.edges.begin(), h.edges.end())) return InvalidArgument("histogram: edges must ascend");
    return h;
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("histogram: ") + e.what());
  }
}

double Rmse(std::span<const double> p, std::span<const float> t) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += (p[i] - t[i]) * (p[i] - t[i]);
  return std::sqrt(Ratio(s, static_cast<double>(t.size())));
}

double Mae(std::span<const double> p, std::span<const float> t) {
  double s = 0;
  for (size_t i = 0; i < t.size(); ++i) s += std::abs(p[i] - t[i]);
  return Ratio(s, static_cast<double>(t.size()));
}

double RSquared(std::span<const double> p, std::span<const float> t) {
  double mean = 0;
  for (float v : t) mean += v;
  mean = Ratio(mean, static_cast<double>(t.size()));
  double res = 0, tot = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    res += (t[i] - p[i]) * (t[i] - p[i]);
    tot += (t[i] - mean) * (t[i] - mean);
  }
  return tot > 0 ? 1 - res / tot : 0.0;
}

BinaryReport EvaluateBinary(std::span<const double> probabilities, std::span<const float> labels, double threshold,
                            const Histogram* training_scores) {
  BinaryReport r;
  r.rows = static_cast<int64_t>(labels.size());
  for (float y : labels) r.positives += y > 0.5f ? 1 : 0;
  r.threshold = threshold;
  r.auc = RocAuc(probabilities, labels);
  r.gini = 2 * r.auc - 1;
  r.ks = KsStatistic(probabilities, labels, &r.ks_threshold);
  r.log_loss = LogLoss(probabilities, labels);
  r.brier = BrierScore(probabilities, labels);
  r.confusion = Confusion(probabilities, labels, threshold);
  r.calibration = Calibration(probabilities, labels, 10);
  const auto curve = RocCurve(probabilities, labels);
  const size_t step = std::max<size_t>(1, curve.size() / kMaxCurvePoints);
  for (size_t i = 0; i < curve.size(); i += step) r.roc.push_back(curve[i]);
  if (r.roc.back().fpr != curve.back().fpr || r.roc.back().tpr != curve.back().tpr) r.roc.push_back(curve.back());
  r.scores.assign(probabilities.begin(), probabilities.end());
  r.labels.assign(labels.begin(), labels.end());
  if (training_scores) r.psi = Psi(*training_scores, MakeHistogram(probabilities, training_scores->edges));
  return r;
}

json BinaryReport::ToJson() const {
  json calibration_json = json::array();
  for (const auto& b : calibration) {
    calibration_json.push_back({{"count", b.count}, {"mean_predicted", b.mean_score}, {"observed_rate", b.positive_rate}});
  }
  json roc_json = json::array();
  for (const auto& p : roc) roc_json.push_back({p.fpr, p.tpr});
  return {{"rows", rows},
          {"positives", positives},
          {"threshold", threshold},
          {"auc", auc},
          {"gini", gini},
          {"ks", ks},
          {"ks_threshold", ks_threshold},
          {"log_loss", log_loss},
          {"brier", brier},
          {"accuracy", confusion.accuracy()},
          {"precision", confusion.precision()},
          {"recall", confusion.recall()},
          {"f1", confusion.f1()},
          {"psi", psi < 0 ? json(nullptr) : json(psi)},
          {"calibration", std::move(calibration_json)},
          {"confusion_matrix", ConfusionJson(confusion)},
          {"roc", std::move(roc_json)}};
}

}  // namespace finserve::train
