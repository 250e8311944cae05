// Dense matrix multiply, the one primitive under MatMul and Gemm:
//
//   C[m,n] = alpha * sum_k op(A)[m,k] * op(B)[k,n] + beta * C[m,n]     (row-major, op = transpose or not)
//
// Three implementations of the same contract:
//   GemmReference  plain triple loop in the element type (kernels/reference/gemm_ref.h): the twin
//   GemmEigen      Eigen maps over the caller's buffers: fastest for small shapes
//   GemmOnednn     oneDNN matmul (fp32 only), primitives cached per shape: fastest for large ones
// Gemm() picks Eigen or oneDNN by the rows and the number of multiply-adds (kOnednnMinRows,
// kOnednnMinMacs, chosen from bench/onnx_kernels_bench.cc) and never calls oneDNN for degenerate
// shapes. With beta == 0, C is
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

// The measured crossover (docs/onnx-support.md, bench/onnx_kernels_bench.cc, fp32, 1 thread):
// a single row is a matrix-vector product where Eigen wins at every size we measured (1x1024x1024:
// 0.25 ms vs 0.43 ms); from two rows on oneDNN wins once m*n*k reaches about 2^17 (32x64x64 is
// a tie, 64x64x64 9.6 us vs 12.5 us, 8x256x256 13 us vs 42 us) and Eigen below (16x64x64
// 3.3 us vs 4.7 us, 1x64x64 0.26 us vs 2.4 us).
inline constexpr int64_t kOnednnMinRows = 2;
inline constexpr int64_t kOnednnMinMacs = int64_t{1} << 17;

template <typename T>
void GemmEigen(const GemmArgs<T>& args);
Status GemmOnednn(const GemmArgs<float>& args, int threads);

// GemmOnednnEpilogue: GemmOnednn with work fused into oneDNN's kernel after the product:
//   C = act(clip(alpha * op(A) * op(B) + bias_row + beta * C))
// (bias_row broadcast over the rows; clip when > 0). The LSTM's recurrent products use it so
// the gate activations run in oneDNN's JIT code while the results are still in registers.
struct GemmEpilogue {
  enum class Act { kNone, kSigmoid, kTanh };
  const float* bias = nullptr;  // [n] or nullptr
  float clip = 0;
  Act act = Act::kNone;
};
Status GemmOnednnEpilogue(const GemmArgs<float>& args, const GemmEpilogue& epilogue, int threads);

// C[i] = A[i] * B[i] for i < batch: row-major [m, k] x [k, n] -> [m, n] matrices stored one
// after the other (MatMul of two equally batched tensors, e.g. attention's Q*K^T per head), in
// one oneDNN batched matmul call instead of `batch` small ones; primitives cached per shape.
Status GemmBatchedOnednn(int64_t batch, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c,
                         int threads);
// GemmBatchedOnednn pays from this many multiply-adds over all batches (the Gemm crossover:
// below it one small Eigen product per batch is as fast).
inline constexpr int64_t kBatchedOnednnMinMacs = int64_t{1} << 17;

// The path Gemm() takes for a shape (exposed for tests and the benchmark).
GemmPath ChooseGemmPath(int64_t m, int64_t n, int64_t k, bool is_fp32);

template <typename T>
Status Gemm(const GemmArgs<T>& args, int threads);

}  // namespace finserve::runtime::onnx
