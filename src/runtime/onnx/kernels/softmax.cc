#include "runtime/onnx/kernels/softmax.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace finserve::runtime::onnx {
namespace {

constexpr int64_t kSoftmaxBlockFloats = 4096;  // 16 KiB: a block stays in L1 between passes

}  // namespace

template <typename T>
void SoftmaxLoop(SoftmaxKind kind, const T* in, T* out, int64_t outer, int64_t n, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) {
      const T* x = in + o * n * inner + j;
      T* y = out + o * n * inner + j;
      T max_v = x[0];
      int64_t arg = 0;
      for (int64_t i = 1; i < n; ++i) {
        if (x[i * inner] > max_v) {
          max_v = x[i * inner];
          arg = i;
        }
      }
      if (kind == SoftmaxKind::kHardmax) {
        for (int64_t i = 0; i < n; ++i) y[i * inner] = i == arg ? T(1) : T(0);
        continue;
      }
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(x[i * inner] - max_v));
      if (kind == SoftmaxKind::kLogSoftmax) {
        const double log_sum = std::log(sum);
        for (int64_t i = 0; i < n; ++i) y[i * inner] = static_cast<T>(static_cast<double>(x[i * inner] - max_v) - log_sum);
      } else {
        for (int64_t i = 0; i < n; ++i) y[i * inner] = static_cast<T>(std::exp(static_cast<double>(x[i * inner] - max_v)) / sum);
      }
    }
  }
}

template void SoftmaxLoop<float>(SoftmaxKind, const float*, float*, int64_t, int64_t, int64_t);
template void SoftmaxLoop<double>(SoftmaxKind, const double*, double*, int64_t, int64_t, int64_t);

void SoftmaxRowsFp32(SoftmaxKind kind, const float* in, float* out, int64_t rows, int64_t n) {
  using ConstRow = Eigen::Map<const Eigen::ArrayXf>;
  using Row = Eigen::Map<Eigen::ArrayXf>;
  if (kind == SoftmaxKind::kSoftmax && n > 0 && n < kSoftmaxBlockFloats) {
    // Short rows (attention scores): shift a block of rows, then one long exp call over the
    // whole block, so Eigen's vectorised exp runs without a call and a tail per short row.
    const int64_t block_rows = kSoftmaxBlockFloats / n;
    for (int64_t r0 = 0; r0 < rows; r0 += block_rows) {
      const int64_t count = std::min(block_rows, rows - r0);
      for (int64_t r = r0; r < r0 + count; ++r) {
        const ConstRow x(in + r * n, n);
        Row(out + r * n, n) = x - x.maxCoeff();
      }
      Row block(out + r0 * n, count * n);
      block = block.exp();
      for (int64_t r = r0; r < r0 + count; ++r) {
        Row y(out + r * n, n);
        y /= y.sum();
      }
    }
    return;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const ConstRow x(in + r * n, n);
    Row y(out + r * n, n);
    // maxCoeff's NaN handling is unspecified, but a NaN anywhere in the row makes the sum NaN.
    const float max_v = x.maxCoeff();
    y = (x - max_v).exp();
    const float sum = y.sum();
    if (kind == SoftmaxKind::kLogSoftmax) {
      y = (x - max_v) - std::log(sum);
    } else {
      y /= sum;
    }
  }
}

}  // namespace finserve::runtime::onnx
