#include "explain/margin_space.h"

#include <cmath>
#include <vector>

namespace finserve::explain {
namespace {

constexpr double kTolerance = 1e-5;

int ProbabilityOutput(const runtime::Model& model) {
  const auto& outputs = model.outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name == "probability") return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

std::string ProbeMarginSpace(const runtime::Model& model, size_t margin_output, std::span<const float> rows,
                             int64_t num_rows) {
  const int probability = ProbabilityOutput(model);
  if (probability < 0 || model.inputs().size() != 1 || num_rows < 1) return "output";
  const int64_t shape[2] = {num_rows, static_cast<int64_t>(rows.size()) / num_rows};
  const TensorView input{DataType::kFp32, shape, rows.data(), rows.size() * sizeof(float), nullptr};
  runtime::OutputSelection wanted = runtime::OutputSelection::None(model.outputs().size());
  wanted.Select(margin_output);
  wanted.Select(static_cast<size_t>(probability));
  std::vector<Tensor> outputs;
  if (!model.Run(std::span<const TensorView>(&input, 1), wanted, &outputs).ok()) return "output";
  const Tensor& m = outputs.at(margin_output);
  const Tensor& p = outputs.at(static_cast<size_t>(probability));
  if (!m.valid() || !p.valid() || m.dtype() != DataType::kFp32 || p.dtype() != DataType::kFp32 ||
      m.num_elements() != num_rows || p.num_elements() != num_rows) {
    return "output";
  }
  for (int64_t r = 0; r < num_rows; ++r) {
    const double sigmoid = 1.0 / (1.0 + std::exp(-static_cast<double>(m.data<float>()[r])));
    if (!(std::fabs(sigmoid - p.data<float>()[r]) <= kTolerance)) return "output";
  }
  return "log_odds";
}

}  // namespace finserve::explain
