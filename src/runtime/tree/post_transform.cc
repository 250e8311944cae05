#include "runtime/tree/post_transform.h"

#include <algorithm>
#include <cmath>

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

}  // namespace finserve::runtime::tree
