// Background data for the explainers that need a reference distribution (sampling Shapley values,
// linear SHAP's means): a CSV file whose header names the model's input columns (any order; extra
// columns are refused, so a misspelt name never silently becomes missing), one row per line,
// numbers or empty cells (missing, NaN). At most `max_rows` rows are kept (the first ones).
// Errors name the file, the line and the column. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace finserve::explain {

struct BackgroundData {
  int64_t num_rows = 0;
  std::vector<float> rows;  // num_rows x columns.size(), in the model's column order

  std::vector<double> ColumnMeans(size_t num_columns) const;  // NaN-skipping; 0 for an all-missing column
};

Result<BackgroundData> ParseBackgroundCsv(std::string_view text, const std::vector<std::string>& columns,
                                          int64_t max_rows, std::string_view file);

}  // namespace finserve::explain
