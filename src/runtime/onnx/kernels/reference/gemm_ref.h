// GemmReference: the plain twin of Gemm (kernels/gemm.h), written for obviousness, not speed.
// Accumulates in the element type's natural precision (double for floating types), k in order.
// Used by the twin tests and available as a kernel path of last resort. Thread-safe.
#pragma once

#include <type_traits>

#include "runtime/onnx/kernels/gemm.h"

namespace finserve::runtime::onnx {

template <typename T>
void GemmReference(const GemmArgs<T>& g) {
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;
  for (int64_t i = 0; i < g.m; ++i) {
    for (int64_t j = 0; j < g.n; ++j) {
      Acc sum = 0;
      for (int64_t p = 0; p < g.k; ++p) {
        const T a = g.trans_a ? g.a[p * g.lda + i] : g.a[i * g.lda + p];
        const T b = g.trans_b ? g.b[j * g.ldb + p] : g.b[p * g.ldb + j];
        sum += static_cast<Acc>(a) * static_cast<Acc>(b);
      }
      T& c = g.c[i * g.ldc + j];
      const Acc prior = g.beta == T(0) ? Acc(0) : static_cast<Acc>(g.beta) * static_cast<Acc>(c);
      c = static_cast<T>(static_cast<Acc>(g.alpha) * sum + prior);
    }
  }
}

}  // namespace finserve::runtime::onnx
