// Index-driven kernels seen in exported models: CumSum, OneHot, Trilu, GatherElements, NonZero
// and EyeLike. Indices from requests are range-checked (InvalidArgument), never trusted.
#include <algorithm>
#include <type_traits>

#include "runtime/onnx/kernels/index_ops.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/saturate_cast.h"

namespace finserve::runtime::onnx {
namespace {

// Wrapping addition for signed integers (no overflow UB), plain otherwise.
template <typename T>
T AddWrap(T a, T b) {
  if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
  } else {
    return static_cast<T>(a + b);
  }
}

template <typename T>
void CumSumLoop(const TensorData& x, int axis, bool exclusive, bool reverse, TensorData* y) {
  const int64_t dim = x.shape[axis];
  const int64_t outer = Product(x.shape, 0, axis), inner = Product(x.shape, axis + 1, x.rank());
  const T* in = x.data_as<T>();
  T* out = y->mutable_data_as<T>();
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) {
      T sum = T(0);
      for (int64_t step = 0; step < dim; ++step) {
        const int64_t i = reverse ? dim - 1 - step : step;
        const int64_t at = (o * dim + i) * inner + j;
        if (exclusive) {
          out[at] = sum;
          sum = AddWrap(sum, in[at]);
        } else {
          sum = AddWrap(sum, in[at]);
          out[at] = sum;
        }
      }
    }
  }
}

class CumSumKernel final : public Kernel {
 public:
  using Loop = void (*)(const TensorData&, int, bool, bool, TensorData*);
  CumSumKernel(Loop loop, bool exclusive, bool reverse) : loop_(loop), exclusive_(exclusive), reverse_(reverse) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ReadInts(ctx.Input(1)));
    if (axis.size() != 1) return InvalidArgument("CumSum: axis must be a scalar");
    FS_ASSIGN_OR_RETURN(int a, NormalizeAxis(axis[0], x.rank()));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    loop_(x, a, exclusive_, reverse_, y);
    return Status::Ok();
  }

 private:
  Loop loop_;
  bool exclusive_, reverse_;
};

class OneHotKernel final : public Kernel {
 public:
  OneHotKernel(int64_t axis, bool allow_negative) : axis_(axis), allow_negative_(allow_negative) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& indices = ctx.Input(0);
    const TensorData& values = ctx.Input(2);
    if (ctx.Input(1).size() != 1 || values.size() != 2) return InvalidArgument("OneHot: depth must be a scalar, values hold 2");
    const double depth_d = ScalarAsDouble(ctx.Input(1));
    if (!(depth_d >= 1 && depth_d <= static_cast<double>(kMaxTensorElements))) return InvalidArgument("OneHot: invalid depth");
    const auto depth = static_cast<int64_t>(depth_d);
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, indices.rank() + 1));
    Dims shape = indices.shape;
    shape.insert(shape.begin() + axis, depth);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, shape));
    const size_t es = ElementSize(values.dtype);
    const auto* off = static_cast<const char*>(values.data);
    const char* on = off + es;
    const int64_t outer = Product(indices.shape, 0, axis), inner = Product(indices.shape, axis, indices.rank());
    auto* out = static_cast<char*>(y->data);
    FillElements(values.dtype, off, out, y->size());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t j = 0; j < inner; ++j) {
        int64_t idx = SaturateCast<int64_t>(ScalarAsDouble(indices, o * inner + j));
        if (idx < 0 && allow_negative_) idx += depth;
        if (idx < 0 || idx >= depth) continue;  // out of range: all off, as the spec says
        CopyElements(values.dtype, on, out + ((o * depth + idx) * inner + j) * es, 1);
      }
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
  bool allow_negative_;
};

class TriluKernel final : public Kernel {
 public:
  explicit TriluKernel(bool upper) : upper_(upper) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    if (x.rank() < 2) return InvalidArgument("Trilu: input must have rank >= 2");
    int64_t k = 0;
    if (ctx.input(1) != nullptr) {
      FS_ASSIGN_OR_RETURN(std::vector<int64_t> kv, ReadInts(*ctx.input(1)));
      if (kv.size() != 1) return InvalidArgument("Trilu: k must be a scalar");
      k = std::clamp<int64_t>(kv[0], -kMaxTensorElements, kMaxTensorElements);
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    const int64_t rows = x.shape[x.rank() - 2], cols = x.shape[x.rank() - 1];
    const int64_t mats = Product(x.shape, 0, x.rank() - 2);
    const size_t es = ElementSize(x.dtype);
    std::vector<char> zero(es, 0);  // numeric zero; strings are not a Trilu type
    for (int64_t m = 0; m < mats; ++m) {
      for (int64_t i = 0; i < rows; ++i) {
        for (int64_t j = 0; j < cols; ++j) {
          const bool keep = upper_ ? j - i >= k : j - i <= k;
          const int64_t at = (m * rows + i) * cols + j;
          CopyElements(x.dtype, keep ? static_cast<const char*>(x.data) + at * es : zero.data(),
                       static_cast<char*>(y->data) + at * es, 1);
        }
      }
    }
    return Status::Ok();
  }

 private:
  bool upper_;
};

class GatherElementsKernel final : public Kernel {
 public:
  explicit GatherElementsKernel(int64_t axis) : axis_(axis) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    const TensorData& idx = ctx.Input(1);
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x.rank()));
    if (idx.rank() != x.rank()) return InvalidArgument("GatherElements: indices must have the data's rank");
    for (size_t d = 0; d < x.rank(); ++d) {
      if (static_cast<int>(d) != axis && idx.shape[d] > x.shape[d]) return InvalidArgument("GatherElements: indices exceed the data's shape");
    }
    FS_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ReadInts(idx));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, idx.shape));
    const Dims xs = RowMajorStrides(x.shape), is = RowMajorStrides(idx.shape);
    const size_t es = ElementSize(x.dtype);
    const int64_t dim = x.shape[axis];
    for (int64_t o = 0; o < idx.size(); ++o) {
      int64_t k = indices[o];
      if (k < -dim || k >= dim) return InvalidArgument("GatherElements: index " + std::to_string(k) + " is out of range");
      if (k < 0) k += dim;
      int64_t offset = 0, rest = o;
      for (size_t d = 0; d < idx.rank(); ++d) {
        const int64_t coord = rest / is[d];
        rest %= is[d];
        offset += (static_cast<int>(d) == axis ? k : coord) * xs[d];
      }
      CopyElements(x.dtype, static_cast<const char*>(x.data) + offset * es, static_cast<char*>(y->data) + o * es, 1);
    }
    return Status::Ok();
  }

 private:
  int64_t axis_;
};

class NonZeroKernel final : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    std::vector<int64_t> hits;
    for (int64_t i = 0; i < x.size(); ++i) {
      if (ScalarAsDouble(x, i) != 0.0) hits.push_back(i);
    }
    const auto rank = static_cast<int64_t>(x.rank());
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {rank, static_cast<int64_t>(hits.size())}));
    const Dims strides = RowMajorStrides(x.shape);
    int64_t* out = y->mutable_data_as<int64_t>();
    for (size_t h = 0; h < hits.size(); ++h) {
      int64_t rest = hits[h];
      for (int64_t d = 0; d < rank; ++d) {
        out[d * static_cast<int64_t>(hits.size()) + static_cast<int64_t>(h)] = rest / strides[d];
        rest %= strides[d];
      }
    }
    return Status::Ok();
  }
};

class EyeLikeKernel final : public Kernel {
 public:
  explicit EyeLikeKernel(int64_t k) : k_(k) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    if (x.rank() != 2) return InvalidArgument("EyeLike: input must be 2-D");
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    const size_t es = ElementSize(y->dtype);
    std::fill_n(static_cast<char*>(y->data), static_cast<size_t>(y->size()) * es, 0);
    for (int64_t i = 0; i < x.shape[0]; ++i) {
      const int64_t j = i + k_;
      if (j < 0 || j >= x.shape[1]) continue;
      auto* at = static_cast<char*>(y->data) + (i * x.shape[1] + j) * es;
      DispatchNumeric<bool>(y->dtype, [&](auto tag) {
        using T = typename decltype(tag)::type;
        *reinterpret_cast<T*>(at) = T(1);
        return true;
      }).status().ok();
    }
    return Status::Ok();
  }

 private:
  int64_t k_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateCumSum(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(CumSumKernel::Loop loop, DispatchNumeric<CumSumKernel::Loop>(info.input_type(0), [](auto tag) -> CumSumKernel::Loop {
                        using T = typename decltype(tag)::type;
                        if constexpr (std::is_same_v<T, bool>) return nullptr;
                        else return &CumSumLoop<T>;
                      }));
  if (loop == nullptr) return info.Unsupported("CumSum on BOOL");
  FS_ASSIGN_OR_RETURN(int64_t exclusive, info.attrs().GetInt("exclusive", 0));
  FS_ASSIGN_OR_RETURN(int64_t reverse, info.attrs().GetInt("reverse", 0));
  return std::unique_ptr<Kernel>(new CumSumKernel(loop, exclusive != 0, reverse != 0));
}

Result<std::unique_ptr<Kernel>> CreateOneHot(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", -1));
  return std::unique_ptr<Kernel>(new OneHotKernel(axis, info.opset() >= 11));
}

Result<std::unique_ptr<Kernel>> CreateTrilu(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t upper, info.attrs().GetInt("upper", 1));
  return std::unique_ptr<Kernel>(new TriluKernel(upper != 0));
}

Result<std::unique_ptr<Kernel>> CreateGatherElements(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", 0));
  return std::unique_ptr<Kernel>(new GatherElementsKernel(axis));
}

Result<std::unique_ptr<Kernel>> CreateNonZero(const KernelInfo& info) { return std::unique_ptr<Kernel>(new NonZeroKernel()); }

Result<std::unique_ptr<Kernel>> CreateEyeLike(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t k, info.attrs().GetInt("k", 0));
  return std::unique_ptr<Kernel>(new EyeLikeKernel(k));
}

}  // namespace finserve::runtime::onnx
