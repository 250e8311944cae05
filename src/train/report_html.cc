#include "train/report_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace finserve::train {
namespace {

constexpr double kSize = 320, kPad = 40;

std::string Fmt(double v, const char* format = "%.4f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Chart coordinates: x, y in [0, 1] -> SVG pixels (y up).
double X(double x) { return kPad + x * (kSize - 2 * kPad); }
double Y(double y) { return kSize - kPad - y * (kSize - 2 * kPad); }

std::string Polyline(const std::vector<std::pair<double, double>>& points, const char* color, const char* cls) {
  std::string out = "<polyline class=\"" + std::string(cls) + "\" fill=\"none\" stroke=\"" + color + "\" stroke-width=\"2\" points=\"";
  for (const auto& [x, y] : points) out += Fmt(X(x), "%.1f") + "," + Fmt(Y(std::clamp(y, 0.0, 1.0)), "%.1f") + " ";
  return out + "\"/>";
}

std::string Chart(const std::string& id, const std::string& title, const std::string& xlabel, const std::string& ylabel,
                  const std::string& body) {
  std::string svg = "<figure><svg id=\"" + id + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + Fmt(kSize, "%.0f") +
                    "\" height=\"" + Fmt(kSize, "%.0f") + "\" role=\"img\" aria-label=\"" + Escape(title) + "\">";
  svg += "<rect x=\"" + Fmt(X(0), "%.0f") + "\" y=\"" + Fmt(Y(1), "%.0f") + "\" width=\"" + Fmt(X(1) - X(0), "%.0f") +
         "\" height=\"" + Fmt(Y(0) - Y(1), "%.0f") + "\" fill=\"#fafafa\" stroke=\"#999\"/>";
  for (double t : {0.0, 0.5, 1.0}) {
    svg += "<text x=\"" + Fmt(X(t), "%.0f") + "\" y=\"" + Fmt(Y(0) + 14, "%.0f") + "\" font-size=\"10\" text-anchor=\"middle\">" + Fmt(t, "%.1f") + "</text>";
    svg += "<text x=\"" + Fmt(X(0) - 4, "%.0f") + "\" y=\"" + Fmt(Y(t) + 3, "%.0f") + "\" font-size=\"10\" text-anchor=\"end\">" + Fmt(t, "%.1f") + "</text>";
  }
  svg += "<text x=\"" + Fmt(kSize / 2, "%.0f") + "\" y=\"" + Fmt(kSize - 8, "%.0f") + "\" font-size=\"11\" text-anchor=\"middle\">" + Escape(xlabel) + "</text>";
  svg += "<text x=\"12\" y=\"" + Fmt(kSize / 2, "%.0f") + "\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 " +
         Fmt(kSize / 2, "%.0f") + ")\">" + Escape(ylabel) + "</text>";
  return svg + body + "</svg><figcaption>" + Escape(title) + "</figcaption></figure>";
}

std::string RocChart(const BinaryReport& r) {
  std::vector<std::pair<double, double>> points;
  for (const auto& p : r.roc) points.emplace_back(p.fpr, p.tpr);
  return Chart("roc", "ROC curve (AUC " + Fmt(r.auc) + ")", "false-positive rate", "true-positive rate",
               Polyline({{0, 0}, {1, 1}}, "#bbb", "diagonal") + Polyline(points, "#1f5fa8", "curve"));
}

std::string KsChart(const BinaryReport& r) {
  // Cumulative share of positives and negatives at or below each score threshold.
  std::vector<std::pair<double, double>> pos, neg;
  for (auto it = r.roc.rbegin(); it != r.roc.rend(); ++it) {
    const double t = std::isinf(it->threshold) ? 1.0 : std::clamp(it->threshold, 0.0, 1.0);
    pos.emplace_back(t, 1 - it->tpr);
    neg.emplace_back(t, 1 - it->fpr);
  }
  return Chart("ks", "KS curve (KS " + Fmt(r.ks) + " at score " + Fmt(r.ks_threshold, "%.3f") + ")", "score threshold",
               "cumulative share", Polyline(pos, "#c0392b", "curve positives") + Polyline(neg, "#27ae60", "curve negatives"));
}

std::string CalibrationChart(const BinaryReport& r) {
  std::vector<std::pair<double, double>> points;
  std::string dots;
  for (const auto& b : r.calibration) {
    points.emplace_back(b.mean_score, b.positive_rate);
    dots += "<circle class=\"bin\" cx=\"" + Fmt(X(b.mean_score), "%.1f") + "\" cy=\"" + Fmt(Y(b.positive_rate), "%.1f") +
            "\" r=\"3\" fill=\"#1f5fa8\"/>";
  }
  return Chart("calibration", "Calibration by decile (Brier " + Fmt(r.brier) + ")", "mean predicted probability",
               "observed rate", Polyline({{0, 0}, {1, 1}}, "#bbb", "diagonal") + Polyline(points, "#1f5fa8", "curve") + dots);
}

std::string DistributionChart(const BinaryReport& r) {
  constexpr int kBins = 20;
  std::vector<double> pos(kBins, 0), neg(kBins, 0);
  double npos = 0, nneg = 0;
  for (size_t i = 0; i < r.scores.size(); ++i) {
    const int b = std::clamp(static_cast<int>(r.scores[i] * kBins), 0, kBins - 1);
    (r.labels[i] > 0.5f ? pos : neg)[static_cast<size_t>(b)] += 1;
    (r.labels[i] > 0.5f ? npos : nneg) += 1;
  }
  double top = 1e-9;
  for (int b = 0; b < kBins; ++b) top = std::max({top, pos[static_cast<size_t>(b)] / std::max(npos, 1.0), neg[static_cast<size_t>(b)] / std::max(nneg, 1.0)});
  std::string bars;
  const double w = (X(1) - X(0)) / kBins;
  for (int b = 0; b < kBins; ++b) {
    for (int cls = 0; cls < 2; ++cls) {
      const double share = (cls ? pos : neg)[static_cast<size_t>(b)] / std::max(cls ? npos : nneg, 1.0) / top;
      bars += "<rect class=\"bar\" x=\"" + Fmt(X(static_cast<double>(b) / kBins) + cls * w / 2, "%.1f") + "\" y=\"" +
              Fmt(Y(share), "%.1f") + "\" width=\"" + Fmt(w / 2, "%.1f") + "\" height=\"" + Fmt(Y(0) - Y(share), "%.1f") +
              "\" fill=\"" + (cls ? "#c0392b" : "#27ae60") + "\"/>";
    }
  }
  return Chart("distribution", "Score distribution (green: negatives, red: positives)", "predicted probability",
               "share of class (scaled)", bars);
}

std::string MetricRow(const char* name, double value) {
  return "<tr><th>" + std::string(name) + "</th><td>" + Fmt(value) + "</td></tr>";
}

}  // namespace

std::string RenderHtmlReport(const BinaryReport& r, const ReportHeader& h) {
  const auto& c = r.confusion;
  std::string html = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>finserve evaluation: " +
                     Escape(h.model) + "@" + Escape(h.version) +
                     "</title><style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;"
                     "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}figure{display:inline-block;"
                     "margin:0 1em 1em 0}figcaption{text-align:center;font-size:12px}</style></head><body>";
  html += "<h1>Evaluation of " + Escape(h.model) + " version " + Escape(h.version) + "</h1>";
  html += "<p>Data: " + Escape(h.data) + " (" + std::to_string(r.rows) + " rows, " + std::to_string(r.positives) +
          " with " + Escape(h.target) + " = " + Escape(h.positive) + "). Model SHA-256: <code>" + Escape(h.model_sha256) + "</code></p>";
  html += "<table id=\"metrics\">" + MetricRow("AUC", r.auc) + MetricRow("Gini", r.gini) + MetricRow("KS", r.ks) +
          MetricRow("log loss", r.log_loss) + MetricRow("Brier", r.brier) + MetricRow("accuracy", c.accuracy()) +
          MetricRow("precision", c.precision()) + MetricRow("recall", c.recall()) + MetricRow("F1", c.f1());
  if (r.psi >= 0) html += MetricRow("PSI (vs training scores)", r.psi);
  html += "</table><h2>Confusion matrix at threshold " + Fmt(r.threshold, "%.3f") + "</h2><table id=\"confusion\">"
          "<tr><th></th><th>predicted negative</th><th>predicted positive</th></tr><tr><th>actual negative</th><td>" +
          std::to_string(c.tn) + "</td><td>" + std::to_string(c.fp) + "</td></tr><tr><th>actual positive</th><td>" +
          std::to_string(c.fn) + "</td><td>" + std::to_string(c.tp) + "</td></tr></table><h2>Charts</h2>";
  html += RocChart(r) + KsChart(r) + CalibrationChart(r) + DistributionChart(r);
  return html + "</body></html>\n";
}

}  // namespace finserve::train
