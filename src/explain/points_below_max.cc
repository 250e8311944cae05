#include "explain/points_below_max.h"

#include <algorithm>

namespace finserve::explain {

using runtime::linear::Characteristic;
using runtime::linear::ScorecardModel;

Result<std::unique_ptr<PointsBelowMaxExplainer>> PointsBelowMaxExplainer::Create(
    const runtime::linear::ScorecardSpec& spec) {
  std::unique_ptr<PointsBelowMaxExplainer> e(new PointsBelowMaxExplainer());
  FS_ASSIGN_OR_RETURN(e->card_, ScorecardModel::Create(spec));
  for (const Characteristic& c : e->card_->spec().characteristics) {
    double best = c.missing_points;
    for (const auto& bin : c.bins) best = std::max(best, bin.points);
    e->max_points_.push_back(best);
    e->max_score_ += best;
  }
  return e;
}

Status PointsBelowMaxExplainer::Explain(const float* rows, int64_t num_rows, float* out) const {
  const auto& characteristics = card_->spec().characteristics;
  const size_t n = characteristics.size();
  for (int64_t r = 0; r < num_rows; ++r) {
    float* phi = out + static_cast<size_t>(r) * (n + 1);
    for (size_t c = 0; c < n; ++c) {
      auto bin = card_->BinOf(c, rows[static_cast<size_t>(r) * n + c]);
      if (!bin.ok()) return bin.status().WithContext("row " + std::to_string(r));
      const Characteristic& ch = characteristics[c];
      const double points = *bin < 0 ? ch.missing_points : ch.bins[static_cast<size_t>(*bin)].points;
      phi[c] = static_cast<float>(points - max_points_[c]);
    }
    phi[n] = static_cast<float>(max_score_);
  }
  return Status::Ok();
}

size_t PointsBelowMaxExplainer::memory_bytes() const {
  size_t bytes = sizeof(*this) + max_points_.capacity() * sizeof(double);
  for (const Characteristic& c : card_->spec().characteristics) bytes += c.bins.size() * sizeof(c.bins[0]);
  return bytes;
}

Result<std::unique_ptr<Explainer>> CreatePointsBelowMaxExplainer(const runtime::Model& model) {
  const auto* card = dynamic_cast<const ScorecardModel*>(&model);
  if (card == nullptr) {
    return Unimplemented("points below maximum needs a scorecard; this model is '" + std::string(model.platform()) + "'");
  }
  FS_ASSIGN_OR_RETURN(auto explainer, PointsBelowMaxExplainer::Create(card->spec()));
  return std::unique_ptr<Explainer>(std::move(explainer));
}

}  // namespace finserve::explain
