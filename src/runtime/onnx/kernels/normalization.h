// Normalisation on the CPU.
//
//   BatchNormalization (inference):  Y[n, c, i] = (X[n, c, i] - mean[c]) / sqrt(var[c] + epsilon)
//                                                  * scale[c] + B[c]
//     BatchNormFast folds the four parameters into one multiply-add per element
//     (a = scale / sqrt(var + eps), b = B - mean * a, computed in double);
//     BatchNormReference evaluates the formula per element in double.
//     The deprecated non-spatial mode (opsets 6-8, spatial=0) is the same with c running over
//     C * D1 * ... * Dn and i over nothing.
//
//   LayerNormalization: per row r (X viewed as [rows, cols], cols = product of dims axis..):
//     mean = sum(x) / cols, var = sum((x - mean)^2) / cols, inv_std = 1 / sqrt(var + epsilon),
//     Y = (x - mean) * inv_std * scale + B;  Mean and InvStdDev (fp32) are the optional outputs.
//     LayerNormFast computes the statistics in the element type (float for fp32: stash_type 1)
//     with vectorised two-pass sums; LayerNormReference in double, one element at a time.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace finserve::runtime::onnx {

template <typename T>
struct BatchNormArgs {
  int64_t batch = 0, channels = 0, plane = 0;  // X viewed as [batch, channels, plane]
  const double* scale = nullptr;  // [channels] each, converted from the inputs' types
  const double* bias = nullptr;
  const double* mean = nullptr;
  const double* var = nullptr;
  double epsilon = 1e-5;
  const T* x = nullptr;
  T* y = nullptr;
};

template <typename T>
void BatchNormFast(const BatchNormArgs<T>& args);

template <typename T>
struct LayerNormArgs {
  int64_t rows = 0, cols = 0;
  const T* x = nullptr;
  const T* scale = nullptr;  // [cols]
  const T* bias = nullptr;   // [cols] or nullptr
  float epsilon = 1e-5f;
  T* y = nullptr;
  float* mean = nullptr;     // [rows] or nullptr
  float* inv_std = nullptr;  // [rows] or nullptr
};

template <typename T>
void LayerNormFast(const LayerNormArgs<T>& args);

}  // namespace finserve::runtime::onnx
