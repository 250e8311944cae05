// Dense matrix multiply, the one primitive under MatMul and Gemm:
//
//   C[m,n] = alpha * sum_k op(A)[m,k] * op(B)[k,n] + beta * C[m,n]     (row-major, op = transpose or not)
//
// Three implementations of the same contract:
//   GemmReference  plain triple loop in the element type (kernels/reference/gemm_ref.h): the twin
//   GemmEigen      Eigen maps over the caller's buffers: fastest for small shapes
//   GemmOnednn     oneDNN matmul (fp32 only), primitives cached per shape: fastest for large ones
// Gemm() picks Eigen or oneDNN by the number of multiply-adds (kOnednnMinMacs, chosen from
// bench/onnx_kernels_bench.cc) and never calls oneDNN for degenerate shapes. With beta == 0, C is
// write-only (NaNs in it do not propagate). All functions are thread-safe; GemmOnednn limits
// oneDNN's OpenMP team to `threads` for the calling thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace finserve::runtime::onnx {

template <typename T>
struct GemmArgs {
  bool trans_a = false, trans_b = false;
  int64_t m = 0, n = 0, k = 0;
  T alpha = T(1);
  const T* a = nullptr;
  int64_t lda = 0;  // row stride of A as stored ([m,k], or [k,m] when trans_a)
  const T* b = nullptr;
  int64_t ldb = 0;
  T beta = T(0);
  T* c = nullptr;
  int64_t ldc = 0;
};

enum class GemmPath { kReference, kEigen, kOnednn };
std::string_view GemmPathName(GemmPath path);

// Below this many multiply-adds (m*n*k) Eigen beats oneDNN's per-call overhead on fp32; see the
// crossover table in docs/onnx-support.md (measured with bench/onnx_kernels_bench.cc).
inline constexpr int64_t kOnednnMinMacs = int64_t{1} << 18;

template <typename T>
void GemmEigen(const GemmArgs<T>& args);
Status GemmOnednn(const GemmArgs<float>& args, int threads);

// The path Gemm() takes for a shape (exposed for tests and the benchmark).
GemmPath ChooseGemmPath(int64_t m, int64_t n, int64_t k, bool is_fp32);

template <typename T>
Status Gemm(const GemmArgs<T>& args, int threads);

}  // namespace finserve::runtime::onnx
