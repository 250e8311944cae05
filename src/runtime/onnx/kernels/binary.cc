// Binary elementwise kernels with numpy broadcasting: arithmetic, Pow, comparisons, logic, and
// the variadic Min/Max/Sum/Mean (folded pairwise into the output).
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "runtime/onnx/kernels/broadcast.h"
#include "runtime/onnx/kernels/elementwise.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/saturate_cast.h"

namespace finserve::runtime::onnx {
namespace {

template <typename T>
constexpr bool kSignedInt = std::is_signed_v<T> && std::is_integral_v<T>;

// Wrapping integer arithmetic (no signed-overflow UB); plain for floats.
template <typename T, typename F>
T Wrap(T a, T b, F f) {
  if constexpr (kSignedInt<T>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(f(static_cast<U>(a), static_cast<U>(b)));
  } else {
    return static_cast<T>(f(a, b));
  }
}

struct AddOp {
  template <typename T>
  static T Apply(T a, T b) { return Wrap(a, b, [](auto x, auto y) { return x + y; }); }
};
struct SubOp {
  template <typename T>
  static T Apply(T a, T b) { return Wrap(a, b, [](auto x, auto y) { return x - y; }); }
};
struct MulOp {
  template <typename T>
  static T Apply(T a, T b) { return Wrap(a, b, [](auto x, auto y) { return x * y; }); }
};
struct DivOp {  // integer divisors are checked for zero before the loop
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (kSignedInt<T>) {
      if (b == T(-1)) return Wrap(T(0), a, [](auto x, auto y) { return x - y; });
    }
    return static_cast<T>(a / b);
  }
};
struct ModOp {  // Python semantics: the result has the sign of the divisor
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      T r = std::fmod(a, b);
      return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    } else if constexpr (kSignedInt<T>) {
      if (b == T(-1)) return T(0);
      T r = static_cast<T>(a % b);
      return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(r + b) : r;
    } else {
      return static_cast<T>(a % b);
    }
  }
};
struct FmodOp {  // C semantics: the result has the sign of the dividend
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::fmod(a, b);
    } else {
      if constexpr (kSignedInt<T>) {
        if (b == T(-1)) return T(0);
      }
      return static_cast<T>(a % b);
    }
  }
};
struct MinOp {
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    }
    return b < a ? b : a;
  }
};
struct MaxOp {
  template <typename T>
  static T Apply(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN();
    }
    return a < b ? b : a;
  }
};
struct PReluOp {  // slope broadcast to x
  template <typename T>
  static T Apply(T x, T slope) { return x < T(0) ? MulOp::Apply(x, slope) : x; }
};
struct EqualOp {
  template <typename T>
  static bool Apply(T a, T b) { return a == b; }
};
struct LessOp {
  template <typename T>
  static bool Apply(T a, T b) { return a < b; }
};
struct GreaterOp {
  template <typename T>
  static bool Apply(T a, T b) { return a > b; }
};
struct LessOrEqualOp {
  template <typename T>
  static bool Apply(T a, T b) { return a <= b; }
};
struct GreaterOrEqualOp {
  template <typename T>
  static bool Apply(T a, T b) { return a >= b; }
};
struct AndOp {
  static bool Apply(bool a, bool b) { return a && b; }
};
struct OrOp {
  static bool Apply(bool a, bool b) { return a || b; }
};
struct XorOp {
  static bool Apply(bool a, bool b) { return a != b; }
};
struct PowOp {
  template <typename TA, typename TB>
  static TA Apply(TA a, TB b) {
    if constexpr (std::is_floating_point_v<TA>) {
      return static_cast<TA>(std::pow(a, static_cast<TA>(b)));
    } else {
      return SaturateCast<TA>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    }
  }
};

using BinaryFn = void (*)(const TensorData& a, const TensorData& b, TensorData* y);

template <typename TA, typename TB, typename TO, typename F>
void BroadcastLoop(const TensorData& a, const TensorData& b, TensorData* y, F f) {
  const TA* pa = a.data_as<TA>();
  const TB* pb = b.data_as<TB>();
  TO* py = y->mutable_data_as<TO>();
  ForEachRun<2>(y->shape, {&a.shape, &b.shape},
                [&](int64_t o, const std::array<int64_t, 2>& off, int64_t n, const std::array<int64_t, 2>& step) {
                  const TA* x0 = pa + off[0];
                  const TB* x1 = pb + off[1];
                  TO* out = py + o;
                  if (step[0] && step[1]) {
                    for (int64_t i = 0; i < n; ++i) out[i] = f(x0[i], x1[i]);
                  } else if (step[0]) {
                    const TB v = *x1;
                    for (int64_t i = 0; i < n; ++i) out[i] = f(x0[i], v);
                  } else if (step[1]) {
                    const TA v = *x0;
                    for (int64_t i = 0; i < n; ++i) out[i] = f(v, x1[i]);
                  } else {
                    const TO r = f(*x0, *x1);
                    for (int64_t i = 0; i < n; ++i) out[i] = r;
                  }
                });
}

template <typename T, typename TO, typename Op>
void OpLoop(const TensorData& a, const TensorData& b, TensorData* y) {
  BroadcastLoop<T, T, TO>(a, b, y, [](T x0, T x1) { return Op::Apply(x0, x1); });
}

template <typename TA, typename TB>
void PowLoop(const TensorData& a, const TensorData& b, TensorData* y) {
  BroadcastLoop<TA, TB, TA>(a, b, y, [](TA x0, TB x1) { return PowOp::Apply(x0, x1); });
}

// Loop for (Op, element type); `Out` is void for "same as input" or bool for predicates.
template <typename Op, typename Out>
BinaryFn SelectLoop(DataType t) {
  auto pick = [&](auto tag) -> BinaryFn {
    using T = typename decltype(tag)::type;
    using TO = std::conditional_t<std::is_void_v<Out>, T, Out>;
    return &OpLoop<T, TO, Op>;
  };
  Result<BinaryFn> fn = DispatchNumeric<BinaryFn>(t, pick);
  return fn.ok() ? *fn : nullptr;
}

class BinaryKernel final : public Kernel {
 public:
  BinaryKernel(BinaryFn fn, bool check_divisor) : fn_(fn), check_divisor_(check_divisor) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& a = ctx.Input(0);
    const TensorData& b = ctx.Input(1);
    const Dims* shapes[] = {&a.shape, &b.shape};
    FS_ASSIGN_OR_RETURN(Dims shape, BroadcastShape(shapes));
    if (check_divisor_) FS_RETURN_IF_ERROR(CheckNoZero(b));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, std::move(shape)));
    fn_(a, b, y);
    return Status::Ok();
  }

 private:
  static Status CheckNoZero(const TensorData& b) {
    const int64_t n = b.size();
    for (int64_t i = 0; i < n; ++i) {
      if (ScalarAsDouble(b, i) == 0.0) return InvalidArgument("integer division by zero");
    }
    return Status::Ok();
  }
  BinaryFn fn_;
  bool check_divisor_;
};

BinaryFn SelectArithmetic(const std::string& op, bool fmod, DataType t) {
  if (op == "Add") return SelectLoop<AddOp, void>(t);
  if (op == "Sub") return SelectLoop<SubOp, void>(t);
  if (op == "Mul") return SelectLoop<MulOp, void>(t);
  if (op == "Div") return SelectLoop<DivOp, void>(t);
  if (op == "Mod") return fmod ? SelectLoop<FmodOp, void>(t) : SelectLoop<ModOp, void>(t);
  return nullptr;
}

template <typename TA>
BinaryFn SelectPowExponent(DataType tb) {
  switch (tb) {
    case DataType::kFp32: return &PowLoop<TA, float>;
    case DataType::kFp64: return &PowLoop<TA, double>;
    case DataType::kInt8: return &PowLoop<TA, int8_t>;
    case DataType::kInt16: return &PowLoop<TA, int16_t>;
    case DataType::kInt32: return &PowLoop<TA, int32_t>;
    case DataType::kInt64: return &PowLoop<TA, int64_t>;
    case DataType::kUint8: return &PowLoop<TA, uint8_t>;
    case DataType::kUint16: return &PowLoop<TA, uint16_t>;
    case DataType::kUint32: return &PowLoop<TA, uint32_t>;
    case DataType::kUint64: return &PowLoop<TA, uint64_t>;
    default: return nullptr;
  }
}

// Variadic ops fold every input into the output: y = x0 broadcast, then y = op(y, xi).
class VariadicKernel final : public Kernel {
 public:
  VariadicKernel(BinaryFn fold, bool mean) : fold_(fold), mean_(mean) {}
  Status Compute(KernelContext& ctx) const override {
    std::vector<const Dims*> shapes;
    for (size_t i = 0; i < ctx.num_inputs(); ++i) shapes.push_back(&ctx.Input(i).shape);
    FS_ASSIGN_OR_RETURN(Dims shape, BroadcastShape(shapes));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, shape));
    const TensorData& x0 = ctx.Input(0);
    const int64_t n = y->size();
    const size_t es = ElementSize(y->dtype);
    // y = broadcast(x0): copy runs of x0 (step 0 or 1) into y.
    ForEachRun<1>(y->shape, {&x0.shape}, [&](int64_t o, const std::array<int64_t, 1>& off, int64_t len,
                                              const std::array<int64_t, 1>& step) {
      auto* dst = static_cast<char*>(y->data) + o * es;
      const auto* src = static_cast<const char*>(x0.data) + off[0] * es;
      for (int64_t i = 0; i < len; ++i) std::memcpy(dst + i * es, src + (step[0] ? i * es : 0), es);
    });
    for (size_t i = 1; i < ctx.num_inputs(); ++i) fold_(*y, ctx.Input(i), y);
    if (mean_) {
      const double k = static_cast<double>(ctx.num_inputs());
      if (y->dtype == DataType::kFp32) {
        for (int64_t e = 0; e < n; ++e) y->mutable_data_as<float>()[e] = static_cast<float>(y->data_as<float>()[e] / k);
      } else {
        for (int64_t e = 0; e < n; ++e) y->mutable_data_as<double>()[e] /= k;
      }
    }
    return Status::Ok();
  }

 private:
  BinaryFn fold_;
  bool mean_;
};

Result<std::unique_ptr<Kernel>> Make(const KernelInfo& info, BinaryFn fn, bool check_divisor = false) {
  if (fn == nullptr) {
    return info.Unsupported("no loop for element type " + std::string(DataTypeName(info.input_type(0))));
  }
  return std::unique_ptr<Kernel>(new BinaryKernel(fn, check_divisor));
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateArithmetic(const KernelInfo& info) {
  const std::string& op = info.node->op_type;
  FS_ASSIGN_OR_RETURN(int64_t fmod, info.attrs().GetInt("fmod", 0));
  const DataType t = info.input_type(0);
  if (op == "Mod" && IsFloating(t) && fmod == 0) return info.Error("Mod on floating-point inputs requires fmod=1");
  const bool int_divide = (op == "Div" || op == "Mod") && !IsFloating(t);
  return Make(info, SelectArithmetic(op, fmod != 0, t), int_divide);
}

Result<std::unique_ptr<Kernel>> CreatePRelu(const KernelInfo& info) {
  if (info.input_type(1) != info.input_type(0)) return info.Error("slope must have the input's element type");
  return Make(info, SelectLoop<PReluOp, void>(info.input_type(0)));
}

Result<std::unique_ptr<Kernel>> CreatePow(const KernelInfo& info) {
  BinaryFn fn = nullptr;
  switch (info.input_type(0)) {
    case DataType::kFp32: fn = SelectPowExponent<float>(info.input_type(1)); break;
    case DataType::kFp64: fn = SelectPowExponent<double>(info.input_type(1)); break;
    case DataType::kInt32: fn = SelectPowExponent<int32_t>(info.input_type(1)); break;
    case DataType::kInt64: fn = SelectPowExponent<int64_t>(info.input_type(1)); break;
    default: break;
  }
  return Make(info, fn);
}

Result<std::unique_ptr<Kernel>> CreateComparison(const KernelInfo& info) {
  const std::string& op = info.node->op_type;
  const DataType t = info.input_type(0);
  if (info.input_type(1) != t) return info.Error("both inputs must have the same element type");
  BinaryFn fn = nullptr;
  if (op == "Equal") fn = SelectLoop<EqualOp, bool>(t);
  if (op == "Less") fn = SelectLoop<LessOp, bool>(t);
  if (op == "Greater") fn = SelectLoop<GreaterOp, bool>(t);
  if (op == "LessOrEqual") fn = SelectLoop<LessOrEqualOp, bool>(t);
  if (op == "GreaterOrEqual") fn = SelectLoop<GreaterOrEqualOp, bool>(t);
  return Make(info, fn);
}

Result<std::unique_ptr<Kernel>> CreateLogical(const KernelInfo& info) {
  const std::string& op = info.node->op_type;
  BinaryFn fn = nullptr;
  if (op == "And") fn = &OpLoop<bool, bool, AndOp>;
  if (op == "Or") fn = &OpLoop<bool, bool, OrOp>;
  if (op == "Xor") fn = &OpLoop<bool, bool, XorOp>;
  return Make(info, fn);
}

Result<std::unique_ptr<Kernel>> CreateVariadic(const KernelInfo& info) {
  const std::string& op = info.node->op_type;
  const DataType t = info.output_type(0);
  for (size_t i = 0; i < info.num_inputs(); ++i) {
    if (info.input_type(i) != t) return info.Error("all inputs must have the output's element type");
  }
  BinaryFn fn = nullptr;
  if (op == "Min") fn = SelectLoop<MinOp, void>(t);
  if (op == "Max") fn = SelectLoop<MaxOp, void>(t);
  if (op == "Sum" || op == "Mean") fn = SelectLoop<AddOp, void>(t);
  if (fn == nullptr) return info.Unsupported("no loop for element type " + std::string(DataTypeName(t)));
  return std::unique_ptr<Kernel>(new VariadicKernel(fn, op == "Mean"));
}

}  // namespace finserve::runtime::onnx
