// MatMul and Gemm kernels: shape logic here, arithmetic in Gemm() (kernels/gemm.h).
#include <type_traits>

#include "core/shape.h"
#include "runtime/onnx/kernels/broadcast.h"
#include "runtime/onnx/kernels/dense_ops.h"
#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/kernel_util.h"

namespace finserve::runtime::onnx {
namespace {

template <typename T>
Status MatMulTyped(KernelContext& ctx) {
  const TensorData& a = ctx.Input(0);
  const TensorData& b = ctx.Input(1);
  if (a.rank() == 0 || b.rank() == 0) return InvalidArgument("MatMul inputs must have rank >= 1");
  // numpy: a 1-D A is [1,K], a 1-D B is [K,1]; the added dim is dropped from the result.
  Dims as = a.shape, bs = b.shape;
  if (a.rank() == 1) as.insert(as.begin(), 1);
  if (b.rank() == 1) bs.push_back(1);
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  if (bs[bs.size() - 2] != k) {
    return InvalidArgument("MatMul: shapes " + DimsToString(a.shape) + " and " + DimsToString(b.shape) + " do not align (K " +
                           std::to_string(k) + " vs " + std::to_string(bs[bs.size() - 2]) + ")");
  }
  const Dims a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  const Dims* batches[] = {&a_batch, &b_batch};
  FS_ASSIGN_OR_RETURN(Dims batch, BroadcastShape(batches));
  Dims out = batch;
  if (a.rank() > 1) out.push_back(m);
  if (b.rank() > 1) out.push_back(n);
  FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, out));
  GemmArgs<T> g;
  g.m = m, g.n = n, g.k = k, g.lda = k, g.ldb = n, g.ldc = n;
  const int64_t batch_count = Product(batch, 0, batch.size());
  const bool b_shared = Product(b_batch, 0, b_batch.size()) == 1;
  if (b_shared && Product(a_batch, 0, a_batch.size()) == batch_count) {
    // Weights shared by every batch (the common [.., M, K] x [K, N]): one product of M*batch rows.
    g.m = m * batch_count;
    g.a = a.data_as<T>(), g.b = b.data_as<T>(), g.c = y->mutable_data_as<T>();
    return Gemm(g, ctx.intra_op_threads());
  }
  if constexpr (std::is_same_v<T, float>) {
    // Both sides batched alike (attention's per-head products): one oneDNN call for all.
    if (batch_count > 1 && a_batch == batch && b_batch == batch && batch_count * m * n * k >= kBatchedOnednnMinMacs) {
      return GemmBatchedOnednn(batch_count, m, n, k, a.data_as<float>(), b.data_as<float>(), y->mutable_data_as<float>(),
                               ctx.intra_op_threads());
    }
  }
  Status status;
  ForEachRun<2>(batch, {&a_batch, &b_batch}, [&](int64_t o, const std::array<int64_t, 2>& off, int64_t len,
                                                 const std::array<int64_t, 2>& step) {
    for (int64_t i = 0; i < len && status.ok(); ++i) {
      g.a = a.data_as<T>() + (off[0] + step[0] * i) * m * k;
      g.b = b.data_as<T>() + (off[1] + step[1] * i) * k * n;
      g.c = y->mutable_data_as<T>() + (o + i) * m * n;
      status = Gemm(g, ctx.intra_op_threads());
    }
  });
  return status;
}

template <typename T>
Status GemmTyped(KernelContext& ctx, bool trans_a, bool trans_b, float alpha, float beta) {
  const TensorData& a = ctx.Input(0);
  const TensorData& b = ctx.Input(1);
  const TensorData* c = ctx.input(2);
  if (a.rank() != 2 || b.rank() != 2) return InvalidArgument("Gemm: A and B must be 2-D");
  const int64_t m = trans_a ? a.shape[1] : a.shape[0], k = trans_a ? a.shape[0] : a.shape[1];
  const int64_t kb = trans_b ? b.shape[1] : b.shape[0], n = trans_b ? b.shape[0] : b.shape[1];
  if (k != kb) {
    return InvalidArgument("Gemm: A " + DimsToString(a.shape) + " and B " + DimsToString(b.shape) + " do not align");
  }
  FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {m, n}));
  T* out = y->mutable_data_as<T>();
  const bool use_c = c != nullptr && beta != 0.0f;
  if (use_c) {
    // Y = broadcast(C), then Y = alpha*A*B + beta*Y.
    const Dims mn{m, n};
    const Dims* shapes[] = {&mn, &c->shape};
    FS_ASSIGN_OR_RETURN(Dims bshape, BroadcastShape(shapes));
    if (bshape != mn) return InvalidArgument("Gemm: C " + DimsToString(c->shape) + " does not broadcast to " + DimsToString(mn));
    const T* pc = c->data_as<T>();
    ForEachRun<1>(mn, {&c->shape}, [&](int64_t o, const std::array<int64_t, 1>& off, int64_t len, const std::array<int64_t, 1>& st) {
      for (int64_t i = 0; i < len; ++i) out[o + i] = pc[off[0] + st[0] * i];
    });
  }
  GemmArgs<T> g;
  g.trans_a = trans_a, g.trans_b = trans_b, g.m = m, g.n = n, g.k = k;
  g.alpha = static_cast<T>(alpha), g.beta = use_c ? static_cast<T>(beta) : T(0);
  g.a = a.data_as<T>(), g.lda = a.shape[1];
  g.b = b.data_as<T>(), g.ldb = b.shape[1];
  g.c = out, g.ldc = n;
  return Gemm(g, ctx.intra_op_threads());
}

using MatMulFn = Status (*)(KernelContext&);
using GemmFn = Status (*)(KernelContext&, bool, bool, float, float);

template <typename Fn, typename Pick>
Fn SelectDense(DataType t, Pick pick) {
  switch (t) {
    case DataType::kFp32: return pick(TypeTag<float>{});
    case DataType::kFp64: return pick(TypeTag<double>{});
    case DataType::kInt32: return pick(TypeTag<int32_t>{});
    case DataType::kInt64: return pick(TypeTag<int64_t>{});
    case DataType::kUint32: return pick(TypeTag<uint32_t>{});
    case DataType::kUint64: return pick(TypeTag<uint64_t>{});
    default: return nullptr;
  }
}

class MatMulKernel final : public Kernel {
 public:
  MatMulKernel(MatMulFn fn, bool fp32) : fn_(fn), fp32_(fp32) {}
  Status Compute(KernelContext& ctx) const override { return fn_(ctx); }
  std::string_view path() const override { return fp32_ ? "eigen/onednn" : "eigen"; }

 private:
  MatMulFn fn_;
  bool fp32_;
};

class GemmKernel final : public Kernel {
 public:
  GemmKernel(GemmFn fn, bool fp32, bool ta, bool tb, float alpha, float beta)
      : fn_(fn), fp32_(fp32), ta_(ta), tb_(tb), alpha_(alpha), beta_(beta) {}
  Status Compute(KernelContext& ctx) const override { return fn_(ctx, ta_, tb_, alpha_, beta_); }
  std::string_view path() const override { return fp32_ ? "eigen/onednn" : "eigen"; }

 private:
  GemmFn fn_;
  bool fp32_, ta_, tb_;
  float alpha_, beta_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateMatMul(const KernelInfo& info) {
  const DataType t = info.input_type(0);
  if (info.input_type(1) != t) return info.Error("A and B must have the same element type");
  MatMulFn fn = SelectDense<MatMulFn>(t, [](auto tag) -> MatMulFn { return &MatMulTyped<typename decltype(tag)::type>; });
  if (fn == nullptr) return info.Unsupported("MatMul on " + std::string(DataTypeName(t)));
  return std::unique_ptr<Kernel>(new MatMulKernel(fn, t == DataType::kFp32));
}

Result<std::unique_ptr<Kernel>> CreateGemm(const KernelInfo& info) {
  const DataType t = info.input_type(0);
  GemmFn fn = SelectDense<GemmFn>(t, [](auto tag) -> GemmFn { return &GemmTyped<typename decltype(tag)::type>; });
  if (fn == nullptr) return info.Unsupported("Gemm on " + std::string(DataTypeName(t)));
  FS_ASSIGN_OR_RETURN(int64_t ta, info.attrs().GetInt("transA", 0));
  FS_ASSIGN_OR_RETURN(int64_t tb, info.attrs().GetInt("transB", 0));
  FS_ASSIGN_OR_RETURN(float alpha, info.attrs().GetFloat("alpha", 1.0f));
  FS_ASSIGN_OR_RETURN(float beta, info.attrs().GetFloat("beta", 1.0f));
  return std::unique_ptr<Kernel>(new GemmKernel(fn, t == DataType::kFp32, ta != 0, tb != 0, alpha, beta));
}

}  // namespace finserve::runtime::onnx
