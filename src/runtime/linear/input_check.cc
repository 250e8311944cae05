#include "runtime/linear/input_check.h"

namespace finserve::runtime::linear {

Result<int64_t> CheckMatrixInput(std::span<const TensorView> inputs, int64_t n) {
  if (inputs.size() != 1 || inputs[0].dtype != DataType::kFp32 || inputs[0].shape.size() != 2 ||
      inputs[0].shape[1] != n) {
    return InvalidArgument("expected one FP32 input of shape [rows, " + std::to_string(n) + "]");
  }
  return inputs[0].shape[0];
}

Status MissingValueError(int64_t row, int64_t column, const std::vector<std::string>& names) {
  std::string feature = "column " + std::to_string(column);
  if (static_cast<size_t>(column) < names.size()) feature = "feature '" + names[static_cast<size_t>(column)] + "' (" + feature + ")";
  return InvalidArgument("row " + std::to_string(row) + ", " + feature +
                         " is missing (NaN); this linear model has no missing-value rule: send a value, or send raw "
                         "features so the model's preprocessing imputes it");
}

}  // namespace finserve::runtime::linear
