// The plain twins of BatchNormFast and LayerNormFast (kernels/normalization.h): the formulas
// as written in the ONNX operator documents, evaluated in double one element at a time.
// Used by the twin tests. Thread-safe.
#pragma once

#include <cmath>

#include "runtime/onnx/kernels/normalization.h"

namespace finserve::runtime::onnx {

template <typename T>
void BatchNormReference(const BatchNormArgs<T>& a) {
  for (int64_t n = 0; n < a.batch; ++n) {
    for (int64_t c = 0; c < a.channels; ++c) {
      for (int64_t i = 0; i < a.plane; ++i) {
        const int64_t at = (n * a.channels + c) * a.plane + i;
        const double x = static_cast<double>(a.x[at]);
        a.y[at] = static_cast<T>((x - a.mean[c]) / std::sqrt(a.var[c] + a.epsilon) * a.scale[c] + a.bias[c]);
      }
    }
  }
}

template <typename T>
void LayerNormReference(const LayerNormArgs<T>& a) {
  for (int64_t r = 0; r < a.rows; ++r) {
    const T* x = a.x + r * a.cols;
    double mean = 0;
    for (int64_t i = 0; i < a.cols; ++i) mean += static_cast<double>(x[i]);
    mean /= static_cast<double>(a.cols);
    double var = 0;
    for (int64_t i = 0; i < a.cols; ++i) var += (static_cast<double>(x[i]) - mean) * (static_cast<double>(x[i]) - mean);
    var /= static_cast<double>(a.cols);
    const double inv_std = 1.0 / std::sqrt(var + static_cast<double>(a.epsilon));
    for (int64_t i = 0; i < a.cols; ++i) {
      const double normalized = (static_cast<double>(x[i]) - mean) * inv_std;
      const double bias = a.bias != nullptr ? static_cast<double>(a.bias[i]) : 0.0;
      a.y[r * a.cols + i] = static_cast<T>(normalized * static_cast<double>(a.scale[i]) + bias);
    }
    if (a.mean != nullptr) a.mean[r] = static_cast<float>(mean);
    if (a.inv_std != nullptr) a.inv_std[r] = static_cast<float>(inv_std);
  }
}

}  // namespace finserve::runtime::onnx
