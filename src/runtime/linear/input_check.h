// Shared input checks of the linear-family models (linear, scorecard): one FP32 [rows, n] matrix.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace finserve::runtime::linear {

// The row count, or InvalidArgument when the input is not one FP32 [rows, n] matrix.
Result<int64_t> CheckMatrixInput(std::span<const TensorView> inputs, int64_t n);
// "row 3, feature 'Income' (column 7) is missing (NaN): ..."
Status MissingValueError(int64_t row, int64_t column, const std::vector<std::string>& names);

}  // namespace finserve::runtime::linear
