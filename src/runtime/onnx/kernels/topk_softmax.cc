// TopK (k from an attribute before opset 10, from input 1 after; largest/sorted from 11) and
// Softmax/LogSoftmax/Hardmax (before opset 13 the input is coerced to 2-D at `axis`, default 1;
// from 13 on the op runs along the single `axis`, default -1). The loops: kernels/softmax.h.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/misc_ops.h"
#include "runtime/onnx/kernels/softmax.h"

namespace finserve::runtime::onnx {
namespace {

template <typename T>
void TopKLoop(const TensorData& x, int axis, int64_t k, bool largest, bool sorted, TensorData* values, TensorData* indices) {
  const int64_t dim = x.shape[axis];
  const int64_t outer = Product(x.shape, 0, axis), inner = Product(x.shape, axis + 1, x.rank());
  const T* in = x.data_as<T>();
  T* out_v = values->mutable_data_as<T>();
  int64_t* out_i = indices->mutable_data_as<int64_t>();
  std::vector<int64_t> order(static_cast<size_t>(dim));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) {
      const T* base = in + o * dim * inner + j;
      std::iota(order.begin(), order.end(), int64_t{0});
      // Ties keep the lower index first, as the ONNX reference does.
      auto before = [&](int64_t a, int64_t b) {
        const T va = base[a * inner], vb = base[b * inner];
        if (va == vb) return a < b;
        return largest ? va > vb : va < vb;
      };
      std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
      if (!sorted) std::sort(order.begin(), order.begin() + k);
      for (int64_t r = 0; r < k; ++r) {
        const int64_t dst = (o * k + r) * inner + j;
        out_v[dst] = base[order[r] * inner];
        out_i[dst] = order[r];
      }
    }
  }
}

class TopKKernel final : public Kernel {
 public:
  using Loop = void (*)(const TensorData&, int, int64_t, bool, bool, TensorData*, TensorData*);
  TopKKernel(Loop loop, int64_t axis, int64_t attr_k, bool largest, bool sorted)
      : loop_(loop), axis_(axis), attr_k_(attr_k), largest_(largest), sorted_(sorted) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x.rank()));
    int64_t k = attr_k_;
    if (ctx.input(1) != nullptr) {
      FS_ASSIGN_OR_RETURN(std::vector<int64_t> kv, ReadInts(*ctx.input(1)));
      if (kv.size() != 1) return InvalidArgument("TopK: K must hold one value");
      k = kv[0];
    }
    if (k < 0 || k > x.shape[axis]) {
      return InvalidArgument("TopK: k=" + std::to_string(k) + " is out of range for axis size " + std::to_string(x.shape[axis]));
    }
    Dims shape = x.shape;
    shape[axis] = k;
    FS_ASSIGN_OR_RETURN(TensorData * values, ctx.Output(0, shape));
    FS_ASSIGN_OR_RETURN(TensorData * indices, ctx.Output(1, shape));
    loop_(x, axis, k, largest_, sorted_, values, indices);
    return Status::Ok();
  }

 private:
  Loop loop_;
  int64_t axis_, attr_k_;
  bool largest_, sorted_;
};

class SoftmaxKernel final : public Kernel {
 public:
  SoftmaxKernel(SoftmaxKind kind, int64_t axis, bool coerce_2d) : kind_(kind), axis_(axis), coerce_2d_(coerce_2d) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    if (x.size() == 0) return Status::Ok();
    int64_t outer, n, inner;
    if (x.rank() == 0) {
      outer = n = inner = 1;
    } else {
      FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x.rank()));
      outer = Product(x.shape, 0, axis);
      n = coerce_2d_ ? Product(x.shape, axis, x.rank()) : x.shape[axis];
      inner = coerce_2d_ ? 1 : Product(x.shape, axis + 1, x.rank());
    }
    if (x.dtype == DataType::kFp32 && inner == 1 && kind_ != SoftmaxKind::kHardmax) {
      SoftmaxRowsFp32(kind_, x.data_as<float>(), y->mutable_data_as<float>(), outer, n);
    } else if (x.dtype == DataType::kFp32) {
      SoftmaxLoop<float>(kind_, x.data_as<float>(), y->mutable_data_as<float>(), outer, n, inner);
    } else {
      SoftmaxLoop<double>(kind_, x.data_as<double>(), y->mutable_data_as<double>(), outer, n, inner);
    }
    return Status::Ok();
  }

 private:
  SoftmaxKind kind_;
  int64_t axis_;
  bool coerce_2d_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateTopK(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(TopKKernel::Loop loop, DispatchNumeric<TopKKernel::Loop>(info.input_type(0), [](auto tag) -> TopKKernel::Loop {
                        return &TopKLoop<typename decltype(tag)::type>;
                      }));
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", -1));
  FS_ASSIGN_OR_RETURN(int64_t k, info.attrs().GetInt("k", -1));
  FS_ASSIGN_OR_RETURN(int64_t largest, info.attrs().GetInt("largest", 1));
  FS_ASSIGN_OR_RETURN(int64_t sorted, info.attrs().GetInt("sorted", 1));
  if (info.opset() < 10 && k < 0) return info.Error("TopK needs the 'k' attribute before opset 10");
  return std::unique_ptr<Kernel>(new TopKKernel(loop, axis, k, largest != 0, sorted != 0));
}

Result<std::unique_ptr<Kernel>> CreateSoftmax(const KernelInfo& info) {
  const std::string& op = info.node->op_type;
  const SoftmaxKind kind = op == "LogSoftmax" ? SoftmaxKind::kLogSoftmax : op == "Hardmax" ? SoftmaxKind::kHardmax : SoftmaxKind::kSoftmax;
  const bool legacy = info.opset() < 13;
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", legacy ? 1 : -1));
  return std::unique_ptr<Kernel>(new SoftmaxKernel(kind, axis, legacy));
}

}  // namespace finserve::runtime::onnx
