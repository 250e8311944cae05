// Splitting rows into training, validation and test sets: random (stratified by the label, from
// the seeded Rng, so the same seed gives the same split) or out-of-time (ordered by a date
// column: ISO dates or numbers; the most recent rows validate and test). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "train/csv_table.h"
#include "train/train_spec.h"

namespace finserve::train {

struct RowSplit {
  std::vector<int64_t> train, validation, test;  // ascending row indices (out-of-time: date order)
};

Result<RowSplit> SplitRows(const CsvTable& table, std::span<const float> labels, const SplitSpec& spec, uint64_t seed);

}  // namespace finserve::train
