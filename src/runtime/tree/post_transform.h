// Post transforms: margins (log-odds, raw scores) to the model's answer (probabilities, counts).
//
// The formulas are XGBoost 1.7's, in float, so answers match XGBoost to the last bit where
// libm agrees: Sigmoid is common::Sigmoid (clamped exponent), Softmax is common::Softmax (float
// exponentials summed in double), Exp is expf.
//
// ONNX-ML models name their transform in a `post_transform` attribute (TreeEnsemble*, Linear*);
// OnnxMlTransform computes those the way ONNX's reference implementation and ONNX Runtime do
// (float arithmetic throughout), so an ONNX model gives the answers its exporter tested:
//   LOGISTIC      element-wise 1 / (1 + e^-|x|), mirrored (1 - v) for x < 0
//   SOFTMAX       across each row: e^(x - max) / sum, summed in float
//   SOFTMAX_ZERO  like SOFTMAX but values within 1e-7 of zero stay (almost) zero: they are
//                 scaled by e^-max instead of exponentiated; a row that sums to 0 becomes 0.5
//                 everywhere (ONNX's reference; ONNX Runtime would divide 0 by 0)
//   PROBIT        element-wise sqrt(2) * erfinv(2x - 1) with Winitzki's closed-form erfinv
//                 approximation (a = 0.147, about 2e-3 relative error), which is what ONNX's
//                 reference and ONNX Runtime compute; probit(0) = -inf, probit(1) = +inf
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/status.h"

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

enum class OnnxMlTransform : uint8_t { kNone, kLogistic, kSoftmax, kSoftmaxZero, kProbit };

// "NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"; InvalidArgument for anything else.
Result<OnnxMlTransform> ParseOnnxMlTransform(std::string_view name);
std::string_view OnnxMlTransformName(OnnxMlTransform transform);

float OnnxMlLogistic(float x);
float OnnxMlProbit(float x);

// Transforms `values` in place: rows of `row_size` values (SOFTMAX and SOFTMAX_ZERO work across
// a row; the others element-wise).
void ApplyOnnxMlTransform(OnnxMlTransform transform, int64_t row_size, std::span<float> values);

}  // namespace finserve::runtime::tree
