#include "runtime/tree/post_transform.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace finserve::runtime::tree {
namespace {

// XGBoost's common::Softmax: float max, float exponentials, their sum in double, float divide.
void SoftmaxRow(const float* in, float* out, int32_t n) {
  float max_value = in[0];
  for (int32_t i = 1; i < n; ++i) max_value = std::fmax(in[i], max_value);
  double sum = 0.0;
  for (int32_t i = 0; i < n; ++i) {
    out[i] = std::exp(in[i] - max_value);
    sum += out[i];
  }
  const auto divisor = static_cast<float>(sum);
  for (int32_t i = 0; i < n; ++i) out[i] /= divisor;
}

// ONNX-ML SOFTMAX: float max, float exponentials and float sum (ONNX Runtime's ComputeSoftmax).
void OnnxSoftmaxRow(float* v, int64_t n) {
  float max_value = -std::numeric_limits<float>::max();
  for (int64_t i = 0; i < n; ++i) max_value = std::max(max_value, v[i]);
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    v[i] = std::exp(v[i] - max_value);
    sum += v[i];
  }
  for (int64_t i = 0; i < n; ++i) v[i] /= sum;
}

// SOFTMAX_ZERO: a value that is (almost) exactly zero means "no score" and stays near zero.
void OnnxSoftmaxZeroRow(float* v, int64_t n) {
  constexpr float kZero = 1e-7f;
  float max_value = -std::numeric_limits<float>::max();
  for (int64_t i = 0; i < n; ++i) max_value = std::max(max_value, v[i]);
  const float exp_neg_max = std::exp(-max_value);
  float sum = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    v[i] = (v[i] > kZero || v[i] < -kZero) ? std::exp(v[i] - max_value) : v[i] * exp_neg_max;
    sum += v[i];
  }
  for (int64_t i = 0; i < n; ++i) v[i] = sum == 0.0f ? 0.5f : v[i] / sum;
}

// Winitzki's approximation of erf^-1 (a = 0.147), in float.
float ErfInvApprox(float x) {
  constexpr float kA = 0.147f;
  constexpr float kPi = 3.14159265358979323846f;
  const float sign = x < 0 ? -1.0f : 1.0f;
  const float ln = std::log((1.0f - x) * (1.0f + x));
  const float v = 2.0f / (kPi * kA) + 0.5f * ln;
  const float v2 = 1.0f / kA * ln;
  return sign * std::sqrt(-v + std::sqrt(v * v - v2));
}

}  // namespace

float Sigmoid(float margin) {
  // XGBoost clamps the exponent so expf cannot overflow, and adds an epsilon against division by
  // zero (a no-op in float once 1 is added, kept for fidelity).
  constexpr float kEps = 1e-16f;
  const float x = std::min(-margin, 88.7f);
  const float denominator = std::exp(x) + 1.0f + kEps;
  return 1.0f / denominator;
}

void ApplyPostTransform(PostTransform transform, int32_t num_outputs, std::span<const float> margins,
                        std::span<float> out) {
  const size_t n = margins.size();
  switch (transform) {
    case PostTransform::kIdentity:
      if (out.data() != margins.data()) std::copy(margins.begin(), margins.end(), out.begin());
      return;
    case PostTransform::kLogistic:
      for (size_t i = 0; i < n; ++i) out[i] = Sigmoid(margins[i]);
      return;
    case PostTransform::kExp:
      for (size_t i = 0; i < n; ++i) out[i] = std::exp(margins[i]);
      return;
    case PostTransform::kSoftmax:
      for (size_t i = 0; i + num_outputs <= n; i += num_outputs) {
        SoftmaxRow(margins.data() + i, out.data() + i, num_outputs);
      }
      return;
  }
}

int64_t ArgMax(std::span<const float> values) {
  int64_t best = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] > values[best]) best = static_cast<int64_t>(i);
  }
  return best;
}


Result<OnnxMlTransform> ParseOnnxMlTransform(std::string_view name) {
  for (OnnxMlTransform t : {OnnxMlTransform::kNone, OnnxMlTransform::kLogistic, OnnxMlTransform::kSoftmax,
                            OnnxMlTransform::kSoftmaxZero, OnnxMlTransform::kProbit}) {
    if (OnnxMlTransformName(t) == name) return t;
  }
  return InvalidArgument("post_transform '" + std::string(name) +
                         "' is not one of NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT");
}

std::string_view OnnxMlTransformName(OnnxMlTransform transform) {
  switch (transform) {
    case OnnxMlTransform::kNone: return "NONE";
    case OnnxMlTransform::kLogistic: return "LOGISTIC";
    case OnnxMlTransform::kSoftmax: return "SOFTMAX";
    case OnnxMlTransform::kSoftmaxZero: return "SOFTMAX_ZERO";
    case OnnxMlTransform::kProbit: return "PROBIT";
  }
  return "?";
}

float OnnxMlLogistic(float x) {
  const float v = 1.0f / (1.0f + std::exp(-std::abs(x)));
  return x < 0 ? 1.0f - v : v;
}

float OnnxMlProbit(float x) {
  constexpr float kSqrt2 = 1.41421356237309504880f;
  return kSqrt2 * ErfInvApprox(2.0f * x - 1.0f);
}

void ApplyOnnxMlTransform(OnnxMlTransform transform, int64_t row_size, std::span<float> values) {
  const auto n = static_cast<int64_t>(values.size());
  float* v = values.data();
  switch (transform) {
    case OnnxMlTransform::kNone: return;
    case OnnxMlTransform::kLogistic:
      for (int64_t i = 0; i < n; ++i) v[i] = OnnxMlLogistic(v[i]);
      return;
    case OnnxMlTransform::kProbit:
      for (int64_t i = 0; i < n; ++i) v[i] = OnnxMlProbit(v[i]);
      return;
    case OnnxMlTransform::kSoftmax:
      for (int64_t i = 0; row_size > 0 && i + row_size <= n; i += row_size) OnnxSoftmaxRow(v + i, row_size);
      return;
    case OnnxMlTransform::kSoftmaxZero:
      for (int64_t i = 0; row_size > 0 && i + row_size <= n; i += row_size) OnnxSoftmaxZeroRow(v + i, row_size);
      return;
  }
}

}  // namespace finserve::runtime::tree
