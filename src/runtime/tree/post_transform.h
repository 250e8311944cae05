// Post transforms: margins (log-odds, raw scores) to the model's answer (probabilities, counts).
//
// The formulas are XGBoost 1.7's, in float, so answers match XGBoost to the last bit where
// libm agrees: Sigmoid is common::Sigmoid (clamped exponent), Softmax is common::Softmax (float
// exponentials summed in double), Exp is expf. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree {

// 1 / (1 + e^-x) as XGBoost computes it.
float Sigmoid(float margin);

// `margins` holds rows x num_outputs values (row-major); `out` receives the same count.
// kSoftmax works across each row's outputs; the others are element-wise. `out` may alias
// `margins`.
void ApplyPostTransform(PostTransform transform, int32_t num_outputs, std::span<const float> margins,
                        std::span<float> out);

// Index of the first largest value (XGBoost's FindMaxIndex, used by multi:softmax).
int64_t ArgMax(std::span<const float> values);

}  // namespace finserve::runtime::tree
