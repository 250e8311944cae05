// Softmax, LogSoftmax and Hardmax along one axis of a tensor seen as [outer, n, inner].
//
// SoftmaxLoop is the plain form (any stride, FP32/FP64, exp and sums in double): it serves every
// case and is the twin of the fast path. SoftmaxRowsFp32 handles the common case (FP32, the axis
// is the innermost, i.e. inner == 1, Softmax or LogSoftmax) with Eigen's vectorised float exp and
// float sums; it differs from SoftmaxLoop by a few ulp (tests/runtime/onnx/softmax_twin_test.cc).
// Both: a NaN in a row makes the whole row NaN, as in ONNX's reference. Pure; thread-safe.
#pragma once

#include <cstdint>

namespace finserve::runtime::onnx {

enum class SoftmaxKind { kSoftmax, kLogSoftmax, kHardmax };

template <typename T>
void SoftmaxLoop(SoftmaxKind kind, const T* in, T* out, int64_t outer, int64_t n, int64_t inner);

// kind: kSoftmax or kLogSoftmax; rows of n contiguous floats.
void SoftmaxRowsFp32(SoftmaxKind kind, const float* in, float* out, int64_t rows, int64_t n);

}  // namespace finserve::runtime::onnx
