#include "train/scorecard_trainer.h"

#include <cmath>

namespace finserve::train {

using runtime::linear::Characteristic;
using runtime::linear::ScorecardModel;

Result<ScorecardFit> FitScorecard(const FeaturePlan& plan, const Matrix& x, std::span<const float> y,
                                  const ScorecardOptions& options, const TrainContext& context) {
  if (plan.num_columns() != static_cast<int>(plan.features().size())) {
    return InvalidArgument("a scorecard needs one column per characteristic (numeric or ordinal categories)");
  }
  ScorecardFit fit;
  std::vector<Characteristic> all;
  std::vector<float> column(static_cast<size_t>(x.rows));
  for (size_t f = 0; f < plan.features().size(); ++f) {
    FS_RETURN_IF_ERROR(context.CheckCancelled());
    const FeatureSpec& spec = plan.features()[f];
    for (int64_t r = 0; r < x.rows; ++r) column[static_cast<size_t>(r)] = x.at(r, static_cast<int>(f));
    Characteristic ch;
    ch.name = spec.name;
    ch.categorical = spec.type == FeatureType::kCategorical;
    ch.categories = spec.categories;
    const double iv = BinCharacteristic(column, y, options.binning, &ch);
    fit.information_values.push_back(iv);
    if (iv >= options.min_information_value && ch.bins.size() + (ch.missing_woe != 0 ? 1 : 0) >= 2) {
      fit.kept.push_back(f);
      all.push_back(std::move(ch));
    }
  }
  if (all.empty()) {
    return InvalidArgument("no characteristic reaches the minimum information value " +
                           std::to_string(options.min_information_value) + "; lower `min_information_value`");
  }
  fit.spec.pdo = options.pdo;
  fit.spec.base_score = options.base_score;
  fit.spec.base_odds = options.base_odds;
  fit.spec.characteristics = all;
  // A provisional model maps values to bins; its WOE columns feed the logistic fit.
  FS_ASSIGN_OR_RETURN(auto binner, ScorecardModel::Create(fit.spec));
  Matrix woe;
  woe.rows = x.rows;
  woe.cols = static_cast<int>(all.size());
  woe.values.resize(static_cast<size_t>(woe.rows * woe.cols));
  for (int64_t r = 0; r < x.rows; ++r) {
    for (size_t k = 0; k < all.size(); ++k) {
      FS_ASSIGN_OR_RETURN(int bin, binner->BinOf(k, x.at(r, static_cast<int>(fit.kept[k]))));
      woe.values[static_cast<size_t>(r * woe.cols) + k] =
          static_cast<float>(bin < 0 ? all[k].missing_woe : all[k].bins[static_cast<size_t>(bin)].woe);
    }
  }
  context.Progress(0.6, "scorecard: logistic fit on WOE");
  FS_ASSIGN_OR_RETURN(LogisticFit logistic, FitLogistic(woe, y, options.logistic, context));
  fit.spec.intercept = logistic.intercept;
  for (size_t k = 0; k < all.size(); ++k) fit.spec.characteristics[k].coefficient = logistic.coefficients[k];
  fit.spec.AssignPoints();
  return fit;
}

}  // namespace finserve::train
