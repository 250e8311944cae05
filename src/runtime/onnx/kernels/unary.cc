// Unary elementwise kernels: one loop template, one small functor per op, chosen at load.
#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

#include "runtime/onnx/kernels/elementwise.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/saturate_cast.h"

namespace finserve::runtime::onnx {
namespace {

struct Params {
  float alpha = 0, beta = 0, gamma = 0;
};

template <typename T>
constexpr bool kIsFloat = std::is_floating_point_v<T>;

// Two's-complement negation without signed-overflow UB.
template <typename T>
T WrapNeg(T x) {
  if constexpr (std::is_signed_v<T> && !kIsFloat<T>) {
    return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(x));
  } else {
    return static_cast<T>(-x);
  }
}

#define FS_UNARY_OP(Name, expr)                          \
  struct Name {                                          \
    template <typename T>                                \
    static T Apply(T x, const Params& p) {               \
      (void)p;                                           \
      return static_cast<T>(expr);                       \
    }                                                    \
  };

FS_UNARY_OP(AbsOp, (std::is_unsigned_v<T> ? x : (x < T(0) ? WrapNeg(x) : x)))
FS_UNARY_OP(NegOp, WrapNeg(x))
FS_UNARY_OP(SqrtOp, std::sqrt(x))
FS_UNARY_OP(ExpOp, std::exp(x))
FS_UNARY_OP(LogOp, std::log(x))
FS_UNARY_OP(ErfOp, std::erf(x))
FS_UNARY_OP(ReciprocalOp, T(1) / x)
FS_UNARY_OP(ReluOp, (x > T(0) ? x : T(0)))
FS_UNARY_OP(LeakyReluOp, (x >= T(0) ? x : static_cast<T>(p.alpha * x)))
FS_UNARY_OP(SigmoidOp, (x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x))))
FS_UNARY_OP(TanhOp, std::tanh(x))
FS_UNARY_OP(CeilOp, std::ceil(x))
FS_UNARY_OP(FloorOp, std::floor(x))
FS_UNARY_OP(RoundOp, std::nearbyint(x))
FS_UNARY_OP(SignOp, (x > T(0) ? T(1) : (x < T(0) ? WrapNeg(T(1)) : T(0))))
FS_UNARY_OP(SinOp, std::sin(x))
FS_UNARY_OP(CosOp, std::cos(x))
FS_UNARY_OP(TanOp, std::tan(x))
FS_UNARY_OP(AsinOp, std::asin(x))
FS_UNARY_OP(AcosOp, std::acos(x))
FS_UNARY_OP(AtanOp, std::atan(x))
FS_UNARY_OP(SinhOp, std::sinh(x))
FS_UNARY_OP(CoshOp, std::cosh(x))
FS_UNARY_OP(AsinhOp, std::asinh(x))
FS_UNARY_OP(AcoshOp, std::acosh(x))
FS_UNARY_OP(AtanhOp, std::atanh(x))
FS_UNARY_OP(SoftplusOp, (x > T(0) ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x))))
FS_UNARY_OP(SoftsignOp, x / (T(1) + std::abs(x)))
FS_UNARY_OP(EluOp, (x >= T(0) ? x : static_cast<T>(p.alpha * std::expm1(x))))
FS_UNARY_OP(SeluOp, (x > T(0) ? static_cast<T>(p.gamma * x) : static_cast<T>(p.gamma * (p.alpha * std::exp(x) - p.alpha))))
FS_UNARY_OP(CeluOp, (std::max(T(0), x) + std::min(T(0), static_cast<T>(p.alpha * std::expm1(x / p.alpha)))))
FS_UNARY_OP(HardSigmoidOp, std::max(T(0), std::min(T(1), static_cast<T>(p.alpha * x + p.beta))))
FS_UNARY_OP(HardSwishOp, x * std::max(T(0), std::min(T(1), static_cast<T>(x / T(6) + T(0.5)))))
FS_UNARY_OP(ThresholdedReluOp, (x > static_cast<T>(p.alpha) ? x : T(0)))
FS_UNARY_OP(ShrinkOp, SaturateCast<T>(static_cast<double>(x) < -p.alpha ? static_cast<double>(x) + p.beta
                                      : static_cast<double>(x) > p.alpha ? static_cast<double>(x) - p.beta : 0.0))
#undef FS_UNARY_OP

struct NotOp {
  static bool Apply(bool x, const Params&) { return !x; }
};

using UnaryFn = void (*)(const void* in, void* out, int64_t n, const Params& p);

template <typename T, typename Op>
void UnaryLoop(const void* in, void* out, int64_t n, const Params& p) {
  const T* x = static_cast<const T*>(in);
  T* y = static_cast<T*>(out);
  for (int64_t i = 0; i < n; ++i) y[i] = Op::Apply(x[i], p);
}

// Integer instantiations only for ops that are defined on integers.
template <typename Op>
constexpr bool kIntegerOp = std::is_same_v<Op, AbsOp> || std::is_same_v<Op, NegOp> ||
                            std::is_same_v<Op, ReluOp> || std::is_same_v<Op, SignOp> || std::is_same_v<Op, ShrinkOp>;

template <typename Op>
UnaryFn Select(DataType t) {
  if constexpr (std::is_same_v<Op, NotOp>) {
    return t == DataType::kBool ? &UnaryLoop<bool, NotOp> : nullptr;
  } else {
    switch (t) {
      case DataType::kFp32: return &UnaryLoop<float, Op>;
      case DataType::kFp64: return &UnaryLoop<double, Op>;
      default: break;
    }
    if constexpr (kIntegerOp<Op>) {
      switch (t) {
        case DataType::kInt8: return &UnaryLoop<int8_t, Op>;
        case DataType::kInt16: return &UnaryLoop<int16_t, Op>;
        case DataType::kInt32: return &UnaryLoop<int32_t, Op>;
        case DataType::kInt64: return &UnaryLoop<int64_t, Op>;
        case DataType::kUint8: return &UnaryLoop<uint8_t, Op>;
        case DataType::kUint16: return &UnaryLoop<uint16_t, Op>;
        case DataType::kUint32: return &UnaryLoop<uint32_t, Op>;
        case DataType::kUint64: return &UnaryLoop<uint64_t, Op>;
        default: break;
      }
    }
    return nullptr;
  }
}

struct UnaryEntry {
  std::string_view op;
  UnaryFn (*select)(DataType);
};

constexpr UnaryEntry kUnaryOps[] = {
    {"Abs", &Select<AbsOp>},         {"Neg", &Select<NegOp>},           {"Sqrt", &Select<SqrtOp>},
    {"Exp", &Select<ExpOp>},         {"Log", &Select<LogOp>},           {"Erf", &Select<ErfOp>},
    {"Reciprocal", &Select<ReciprocalOp>}, {"Relu", &Select<ReluOp>},   {"LeakyRelu", &Select<LeakyReluOp>},
    {"Sigmoid", &Select<SigmoidOp>}, {"Tanh", &Select<TanhOp>},         {"Ceil", &Select<CeilOp>},
    {"Floor", &Select<FloorOp>},     {"Round", &Select<RoundOp>},       {"Sign", &Select<SignOp>},
    {"Sin", &Select<SinOp>},         {"Cos", &Select<CosOp>},           {"Tan", &Select<TanOp>},
    {"Asin", &Select<AsinOp>},       {"Acos", &Select<AcosOp>},         {"Atan", &Select<AtanOp>},
    {"Sinh", &Select<SinhOp>},       {"Cosh", &Select<CoshOp>},         {"Asinh", &Select<AsinhOp>},
    {"Acosh", &Select<AcoshOp>},     {"Atanh", &Select<AtanhOp>},       {"Softplus", &Select<SoftplusOp>},
    {"Softsign", &Select<SoftsignOp>}, {"Elu", &Select<EluOp>},         {"Selu", &Select<SeluOp>},
    {"Celu", &Select<CeluOp>},       {"HardSigmoid", &Select<HardSigmoidOp>},
    {"HardSwish", &Select<HardSwishOp>}, {"ThresholdedRelu", &Select<ThresholdedReluOp>},
    {"Shrink", &Select<ShrinkOp>},
    {"Not", &Select<NotOp>},
};

Result<Params> ReadParams(const KernelInfo& info) {
  const std::string& op = info.node->op_type;
  const NodeAttributes& a = info.attrs();
  Params p;
  if (op == "LeakyRelu") {
    FS_ASSIGN_OR_RETURN(p.alpha, a.GetFloat("alpha", 0.01f));
  }
  if (op == "Elu" || op == "Celu" || op == "ThresholdedRelu") {
    FS_ASSIGN_OR_RETURN(p.alpha, a.GetFloat("alpha", 1.0f));
  }
  if (op == "Selu") {
    FS_ASSIGN_OR_RETURN(p.alpha, a.GetFloat("alpha", 1.67326319217681884765625f));
    FS_ASSIGN_OR_RETURN(p.gamma, a.GetFloat("gamma", 1.05070102214813232421875f));
  }
  if (op == "HardSigmoid") {
    FS_ASSIGN_OR_RETURN(p.alpha, a.GetFloat("alpha", 0.2f));
    FS_ASSIGN_OR_RETURN(p.beta, a.GetFloat("beta", 0.5f));
  }
  if (op == "Shrink") {
    FS_ASSIGN_OR_RETURN(p.alpha, a.GetFloat("lambd", 0.5f));
    FS_ASSIGN_OR_RETURN(p.beta, a.GetFloat("bias", 0.0f));
  }
  if (op == "Celu" && p.alpha == 0.0f) return info.Error("Celu alpha must not be 0");
  return p;
}

class UnaryKernel final : public Kernel {
 public:
  UnaryKernel(UnaryFn fn, Params p) : fn_(fn), params_(p) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    fn_(x.data, y->data, x.size(), params_);
    return Status::Ok();
  }

 private:
  UnaryFn fn_;
  Params params_;
};

template <typename Pred>
class PredicateKernel final : public Kernel {
 public:
  explicit PredicateKernel(Pred pred) : pred_(pred) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    bool* out = y->mutable_data_as<bool>();
    const int64_t n = x.size();
    if (x.dtype == DataType::kFp32) {
      for (int64_t i = 0; i < n; ++i) out[i] = pred_(static_cast<double>(x.data_as<float>()[i]));
    } else {
      for (int64_t i = 0; i < n; ++i) out[i] = pred_(x.data_as<double>()[i]);
    }
    return Status::Ok();
  }

 private:
  Pred pred_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateUnary(const KernelInfo& info) {
  for (const UnaryEntry& e : kUnaryOps) {
    if (e.op != info.node->op_type) continue;
    UnaryFn fn = e.select(info.input_type(0));
    if (fn == nullptr) return info.Unsupported("no loop for element type " + std::string(DataTypeName(info.input_type(0))));
    FS_ASSIGN_OR_RETURN(Params p, ReadParams(info));
    return std::unique_ptr<Kernel>(new UnaryKernel(fn, p));
  }
  return info.Unsupported("not a unary op");
}

Result<std::unique_ptr<Kernel>> CreateIsNaN(const KernelInfo& info) {
  auto pred = [](double v) { return std::isnan(v); };
  return std::unique_ptr<Kernel>(new PredicateKernel<decltype(pred)>(pred));
}

Result<std::unique_ptr<Kernel>> CreateIsInf(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t pos, info.attrs().GetInt("detect_positive", 1));
  FS_ASSIGN_OR_RETURN(int64_t neg, info.attrs().GetInt("detect_negative", 1));
  auto pred = [pos, neg](double v) { return std::isinf(v) && ((v > 0 && pos) || (v < 0 && neg)); };
  return std::unique_ptr<Kernel>(new PredicateKernel<decltype(pred)>(pred));
}

}  // namespace finserve::runtime::onnx
