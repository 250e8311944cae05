// What a model's `margin` output means when the model file does not say (ONNX graphs such as the
// MLPs finserve train exports): the margin is taken to be the log-odds of the `probability`
// output only if the model, run on the given rows, answers probability = sigmoid(margin) on every
// one of them (to 1e-5); otherwise its meaning is unknown ("output"). Checked on real rows (the
// explanation background), never assumed from the names alone. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "runtime/model.h"

namespace finserve::explain {

// "log_odds" or "output". `rows`: num_rows x F floats for the model's one FP32 [-1, F] input.
std::string ProbeMarginSpace(const runtime::Model& model, size_t margin_output, std::span<const float> rows,
                             int64_t num_rows);

}  // namespace finserve::explain
