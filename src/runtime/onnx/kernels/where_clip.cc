// Where (three-way broadcast select, any element type) and Clip (attribute bounds before
// opset 11, optional scalar inputs from 11 on).
#include <cfloat>
#include <cstring>

#include "runtime/onnx/kernels/broadcast.h"
#include "runtime/onnx/kernels/elementwise.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/saturate_cast.h"

namespace finserve::runtime::onnx {
namespace {

using WhereFn = void (*)(const TensorData& c, const TensorData& x, const TensorData& y, TensorData* out);

template <typename T>
void WhereLoop(const TensorData& c, const TensorData& x, const TensorData& y, TensorData* out) {
  const bool* pc = c.data_as<bool>();
  const T* px = x.data_as<T>();
  const T* py = y.data_as<T>();
  T* po = out->mutable_data_as<T>();
  ForEachRun<3>(out->shape, {&c.shape, &x.shape, &y.shape},
                [&](int64_t o, const std::array<int64_t, 3>& off, int64_t n, const std::array<int64_t, 3>& st) {
                  for (int64_t i = 0; i < n; ++i) {
                    po[o + i] = pc[off[0] + st[0] * i] ? px[off[1] + st[1] * i] : py[off[2] + st[2] * i];
                  }
                });
}

class WhereKernel final : public Kernel {
 public:
  explicit WhereKernel(WhereFn fn) : fn_(fn) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& c = ctx.Input(0);
    const TensorData& x = ctx.Input(1);
    const TensorData& y = ctx.Input(2);
    const Dims* shapes[] = {&c.shape, &x.shape, &y.shape};
    FS_ASSIGN_OR_RETURN(Dims shape, BroadcastShape(shapes));
    FS_ASSIGN_OR_RETURN(TensorData * out, ctx.Output(0, std::move(shape)));
    fn_(c, x, y, out);
    return Status::Ok();
  }

 private:
  WhereFn fn_;
};

using ClipFn = void (*)(const TensorData& x, double lo, double hi, TensorData* y);

template <typename T>
void ClipLoop(const TensorData& x, double lo_d, double hi_d, TensorData* y) {
  const T lo = SaturateCast<T>(lo_d), hi = SaturateCast<T>(hi_d);
  const T* px = x.data_as<T>();
  T* py = y->mutable_data_as<T>();
  const int64_t n = x.size();
  for (int64_t i = 0; i < n; ++i) {
    const T v = px[i] < lo ? lo : px[i];
    py[i] = hi < v ? hi : v;
  }
}

class ClipKernel final : public Kernel {
 public:
  ClipKernel(ClipFn fn, bool bounds_from_inputs, double lo, double hi)
      : fn_(fn), bounds_from_inputs_(bounds_from_inputs), lo_(lo), hi_(hi) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    double lo = lo_, hi = hi_;
    if (bounds_from_inputs_) {
      FS_RETURN_IF_ERROR(ReadBound(ctx.input(1), &lo));
      FS_RETURN_IF_ERROR(ReadBound(ctx.input(2), &hi));
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    fn_(x, lo, hi, y);
    return Status::Ok();
  }

 private:
  static Status ReadBound(const TensorData* t, double* bound) {
    if (t == nullptr) return Status::Ok();
    if (t->size() != 1) return InvalidArgument("Clip min/max must be scalars, got shape " + DimsToString(t->shape));
    *bound = ScalarAsDouble(*t);
    return Status::Ok();
  }
  ClipFn fn_;
  bool bounds_from_inputs_;
  double lo_, hi_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateWhere(const KernelInfo& info) {
  if (info.input_type(1) != info.input_type(2)) return info.Error("X and Y must have the same element type");
  FS_ASSIGN_OR_RETURN(WhereFn fn, DispatchByElementSize<WhereFn>(info.input_type(1), [](auto tag) -> WhereFn {
                        return &WhereLoop<typename decltype(tag)::type>;
                      }));
  return std::unique_ptr<Kernel>(new WhereKernel(fn));
}

Result<std::unique_ptr<Kernel>> CreateClip(const KernelInfo& info) {
  const DataType t = info.input_type(0);
  FS_ASSIGN_OR_RETURN(ClipFn fn, DispatchNumeric<ClipFn>(t, [](auto tag) -> ClipFn {
                        return &ClipLoop<typename decltype(tag)::type>;
                      }));
  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  if (info.opset() < 11) {
    FS_ASSIGN_OR_RETURN(float min_attr, info.attrs().GetFloat("min", -FLT_MAX));
    FS_ASSIGN_OR_RETURN(float max_attr, info.attrs().GetFloat("max", FLT_MAX));
    lo = min_attr;
    hi = max_attr;
  } else if (!IsFloating(t)) {
    FS_ASSIGN_OR_RETURN(lo, DispatchNumeric<double>(t, [](auto tag) {
                          return static_cast<double>(std::numeric_limits<typename decltype(tag)::type>::lowest());
                        }));
    FS_ASSIGN_OR_RETURN(hi, DispatchNumeric<double>(t, [](auto tag) {
                          return static_cast<double>(std::numeric_limits<typename decltype(tag)::type>::max());
                        }));
  }
  for (size_t i = 1; i < info.num_inputs(); ++i) {
    if (info.has_input(i) && info.input_type(i) != t) return info.Error("min/max must have the input's element type");
  }
  return std::unique_ptr<Kernel>(new ClipKernel(fn, info.opset() >= 11, lo, hi));
}

}  // namespace finserve::runtime::onnx
