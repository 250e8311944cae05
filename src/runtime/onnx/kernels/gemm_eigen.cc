// GemmEigen and the Gemm() dispatcher.
#include <Eigen/Core>

#include "runtime/onnx/kernels/gemm.h"

namespace finserve::runtime::onnx {

std::string_view GemmPathName(GemmPath path) {
  switch (path) {
    case GemmPath::kReference: return "reference";
    case GemmPath::kEigen: return "eigen";
    case GemmPath::kOnednn: return "onednn";
  }
  return "unknown";
}

template <typename T>
void GemmEigen(const GemmArgs<T>& g) {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Stride = Eigen::OuterStride<>;
  using ConstMap = Eigen::Map<const Matrix, Eigen::Unaligned, Stride>;
  const int64_t a_rows = g.trans_a ? g.k : g.m, a_cols = g.trans_a ? g.m : g.k;
  const int64_t b_rows = g.trans_b ? g.n : g.k, b_cols = g.trans_b ? g.k : g.n;
  ConstMap a(g.a, a_rows, a_cols, Stride(g.lda));
  ConstMap b(g.b, b_rows, b_cols, Stride(g.ldb));
  Eigen::Map<Matrix, Eigen::Unaligned, Stride> c(g.c, g.m, g.n, Stride(g.ldc));
  // The common case (alpha 1, beta 0) assigns the product directly: no zero-fill, no scaling.
  if (g.alpha == T(1) && g.beta == T(0)) {
    if (g.trans_a && g.trans_b) {
      c.noalias() = a.transpose() * b.transpose();
    } else if (g.trans_a) {
      c.noalias() = a.transpose() * b;
    } else if (g.trans_b) {
      c.noalias() = a * b.transpose();
    } else {
      c.noalias() = a * b;
    }
    return;
  }
  if (g.beta == T(0)) {
    c.setZero();
  } else if (g.beta != T(1)) {
    c *= g.beta;
  }
  if (g.trans_a && g.trans_b) {
    c.noalias() += g.alpha * (a.transpose() * b.transpose());
  } else if (g.trans_a) {
    c.noalias() += g.alpha * (a.transpose() * b);
  } else if (g.trans_b) {
    c.noalias() += g.alpha * (a * b.transpose());
  } else {
    c.noalias() += g.alpha * (a * b);
  }
}

GemmPath ChooseGemmPath(int64_t m, int64_t n, int64_t k, bool is_fp32) {
  if (!is_fp32 || m == 0 || n == 0 || k == 0) return GemmPath::kEigen;
  return m >= kOnednnMinRows && m * n * k >= kOnednnMinMacs ? GemmPath::kOnednn : GemmPath::kEigen;
}

template <typename T>
Status Gemm(const GemmArgs<T>& g, int threads) {
  if (g.m == 0 || g.n == 0) return Status::Ok();
  if constexpr (std::is_same_v<T, float>) {
    if (ChooseGemmPath(g.m, g.n, g.k, true) == GemmPath::kOnednn) return GemmOnednn(g, threads);
  }
  GemmEigen(g);
  return Status::Ok();
}

#define FS_GEMM_INSTANTIATE(T)                  \
  template void GemmEigen<T>(const GemmArgs<T>&); \
  template Status Gemm<T>(const GemmArgs<T>&, int);
FS_GEMM_INSTANTIATE(float)
FS_GEMM_INSTANTIATE(double)
FS_GEMM_INSTANTIATE(int32_t)
FS_GEMM_INSTANTIATE(int64_t)
FS_GEMM_INSTANTIATE(uint32_t)
FS_GEMM_INSTANTIATE(uint64_t)
#undef FS_GEMM_INSTANTIATE

}  // namespace finserve::runtime::onnx
