// Monotone weight-of-evidence binning for scorecards.
//
// Numeric characteristics start from up to `initial_bins` quantile bins; adjacent bins are then
// merged until the WOE moves in one direction only (the direction that keeps more bins, ties to
// the higher information value) and every bin holds at least `min_bin_share` of the rows and at
// least one good and one bad. Categorical characteristics (category codes) start with one bin per
// category, ordered by WOE, and small categories are merged into their WOE neighbours. Missing
// values form their own bin (WOE 0 when there were none in training).
// WOE = ln((goods_in_bin / goods) / (bads_in_bin / bads)) with 0.5 added to each count, so a
// higher WOE means a lower risk of the positive ("bad") class. Pure functions; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "runtime/linear/scorecard.h"

namespace finserve::train {

struct BinningOptions {
  int initial_bins = 20;
  double min_bin_share = 0.05;
};

// Bins one characteristic: `values` are the numbers (or category codes), NaN = missing;
// `labels` 1 = bad. Fills bins, missing_woe; returns the information value.
double BinCharacteristic(std::span<const float> values, std::span<const float> labels, const BinningOptions& options,
                         runtime::linear::Characteristic* characteristic);

}  // namespace finserve::train
