// Predictions from the real XGBoost (libxgboost's C API), the reference our tree backend is
// checked against. Rows are dense, row-major, NaN = missing.
#pragma once

#include <string>
#include <vector>

namespace finserve::testing {

enum class XgboostOutput { kValue, kMargin, kContributions };

// Loads `model_path` with XGBoosterLoadModel and predicts `rows` (num_rows x num_cols).
// Throws std::runtime_error with XGBoost's message on failure.
std::vector<float> XgboostPredict(const std::string& model_path, const std::vector<float>& rows, size_t num_rows,
                                  size_t num_cols, XgboostOutput output = XgboostOutput::kValue);

}  // namespace finserve::testing
