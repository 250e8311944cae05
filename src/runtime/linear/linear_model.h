// LinearModel: a linear or logistic regression over a dense feature vector, served from
// `model.linear.json` (platform "finserve_linear"):
//
//   {"format": "finserve-linear", "format_version": 1, "kind": "logistic" | "regression",
//    "feature_names": ["Age", ...], "intercept": -1.2, "coefficients": [0.01, ...]}
//
// Signature: input `features` FP32 [-1, n]; outputs for "logistic": probability FP32 [-1]
// (sigmoid of the margin) and margin FP32 [-1] (log-odds); for "regression": prediction FP32 [-1].
// Sums run in double, so a row's answer does not depend on the batch. A missing value (NaN) is
// refused with the row and feature named: imputation belongs to the preprocessing in config.yaml.
// Immutable after Parse; Run() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model.h"

namespace finserve::runtime::linear {

struct LinearSpec {
  enum class Kind { kLogistic, kRegression };
  Kind kind = Kind::kLogistic;
  std::vector<std::string> feature_names;
  double intercept = 0;
  std::vector<double> coefficients;
};

// The file format, both ways (the trainer writes what the backend reads).
Result<LinearSpec> ParseLinearJson(std::string_view bytes);
std::string LinearToJson(const LinearSpec& spec);

class LinearModel final : public runtime::Model {
 public:
  static Result<std::unique_ptr<LinearModel>> Create(LinearSpec spec);

  std::string_view platform() const override { return "finserve_linear"; }
  const std::vector<TensorSpec>& inputs() const override { return inputs_; }
  const std::vector<TensorSpec>& outputs() const override { return outputs_; }
  Status Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
             std::vector<Tensor>* outputs) const override;
  const LinearSpec& spec() const { return spec_; }

 private:
  explicit LinearModel(LinearSpec spec);
  LinearSpec spec_;
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
};

}  // namespace finserve::runtime::linear
