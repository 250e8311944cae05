// Cast between every supported element type. Integer<->integer conversions wrap (as numpy's
// astype), float->integer saturates (NaN -> 0) instead of invoking undefined behaviour, FP16 and
// BF16 round to nearest even through float, numbers format to the shortest string that reads
// back to the same value, and strings parse as numbers (an unparsable string is InvalidArgument).
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <type_traits>

#include "core/float16.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/misc_ops.h"
#include "runtime/onnx/kernels/saturate_cast.h"
#include "runtime/onnx/onnx_types.h"

namespace finserve::runtime::onnx {
namespace {

struct Half {
  uint16_t bits;
};
struct Bf16 {
  uint16_t bits;
};

template <typename S>
auto Read(S v) {
  if constexpr (std::is_same_v<S, Half>) {
    return HalfToFloat(v.bits);
  } else if constexpr (std::is_same_v<S, Bf16>) {
    return Bfloat16ToFloat(v.bits);
  } else {
    return v;
  }
}

template <typename D, typename V>
D Convert(V v) {
  if constexpr (std::is_same_v<D, Half>) {
    return Half{FloatToHalf(static_cast<float>(v))};
  } else if constexpr (std::is_same_v<D, Bf16>) {
    return Bf16{FloatToBfloat16(static_cast<float>(v))};
  } else if constexpr (std::is_same_v<D, bool>) {
    return v != V(0);
  } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<V>) {
    return SaturateCast<D>(static_cast<double>(v));
  } else {
    return static_cast<D>(v);
  }
}

using CastFn = Status (*)(const TensorData& in, TensorData* out);

template <typename S, typename D>
Status CastLoop(const TensorData& in, TensorData* out) {
  const S* src = in.data_as<S>();
  D* dst = out->mutable_data_as<D>();
  const int64_t n = in.size();
  for (int64_t i = 0; i < n; ++i) dst[i] = Convert<D>(Read(src[i]));
  return Status::Ok();
}

template <typename S>
Status ToStringLoop(const TensorData& in, TensorData* out) {
  const S* src = in.data_as<S>();
  auto* dst = out->mutable_data_as<std::string>();
  const int64_t n = in.size();
  for (int64_t i = 0; i < n; ++i) {
    const auto v = Read(src[i]);
    if constexpr (std::is_floating_point_v<decltype(v)>) {
      if (std::isnan(v)) {
        dst[i] = "NaN";
      } else if (std::isinf(v)) {
        dst[i] = v > 0 ? "INF" : "-INF";
      } else {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        dst[i].assign(buf, r.ptr);
      }
    } else {
      dst[i] = std::to_string(v);
    }
  }
  return Status::Ok();
}

template <typename D>
Status FromStringLoop(const TensorData& in, TensorData* out) {
  const auto* src = in.data_as<std::string>();
  D* dst = out->mutable_data_as<D>();
  const int64_t n = in.size();
  for (int64_t i = 0; i < n; ++i) {
    const char* begin = src[i].c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin || *end != '\0') {
      return InvalidArgument("Cast: element " + std::to_string(i) + " ('" + src[i].substr(0, 40) + "') is not a number");
    }
    dst[i] = Convert<D>(v);
  }
  return Status::Ok();
}

Status StringCopy(const TensorData& in, TensorData* out) {
  CopyElements(DataType::kBytes, in.data, out->data, in.size());
  return Status::Ok();
}

// Calls fn(TypeTag<T>) for every castable non-string type.
template <typename Fn>
CastFn ForType(DataType t, Fn&& fn) {
  if (t == DataType::kFp16) return fn(TypeTag<Half>{});
  if (t == DataType::kBf16) return fn(TypeTag<Bf16>{});
  Result<CastFn> r = DispatchNumeric<CastFn>(t, fn);
  return r.ok() ? *r : nullptr;
}

CastFn SelectCast(DataType from, DataType to) {
  if (from == DataType::kBytes && to == DataType::kBytes) return &StringCopy;
  if (from == DataType::kBytes) {
    return ForType(to, [](auto d) -> CastFn { return &FromStringLoop<typename decltype(d)::type>; });
  }
  if (to == DataType::kBytes) {
    return ForType(from, [](auto s) -> CastFn { return &ToStringLoop<typename decltype(s)::type>; });
  }
  return ForType(from, [to](auto s) -> CastFn {
    return ForType(to, [](auto d) -> CastFn {
      return &CastLoop<typename decltype(s)::type, typename decltype(d)::type>;
    });
  });
}

class CastKernel final : public Kernel {
 public:
  explicit CastKernel(CastFn fn) : fn_(fn) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    return fn_(x, y);
  }

 private:
  CastFn fn_;
};

Result<std::unique_ptr<Kernel>> MakeCast(const KernelInfo& info, DataType target) {
  if (target != info.output_type(0)) return info.Error("the target type does not match the declared output type");
  CastFn fn = SelectCast(info.input_type(0), target);
  if (fn == nullptr) {
    return info.Unsupported("cast from " + std::string(DataTypeName(info.input_type(0))) + " to " +
                            std::string(DataTypeName(target)));
  }
  return std::unique_ptr<Kernel>(new CastKernel(fn));
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateCast(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t to, info.attrs().RequireInt("to"));
  const DataType target = DataTypeFromOnnx(static_cast<int32_t>(to));
  if (target == DataType::kInvalid) return info.Unsupported("cast to " + OnnxTypeName(static_cast<int32_t>(to)));
  return MakeCast(info, target);
}

// CastLike: the target type is the type of input 1 (its values are never read).
Result<std::unique_ptr<Kernel>> CreateCastLike(const KernelInfo& info) { return MakeCast(info, info.input_type(1)); }

}  // namespace finserve::runtime::onnx
