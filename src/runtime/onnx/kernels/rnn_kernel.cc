// LSTM and GRU kernels: attributes, activations, shape checks; the math is in lstm.cc, gru.cc.
#include <Eigen/Core>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

#include "core/shape.h"
#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/nn_ops.h"
#include "runtime/onnx/kernels/rnn.h"

namespace finserve::runtime::onnx {
namespace {

struct ActivationEntry {
  std::string_view name;  // lower case
  ActivationKind kind;
  bool takes_alpha, takes_beta;
  float default_alpha, default_beta;  // the ONNX operators' defaults
};

constexpr ActivationEntry kActivations[] = {
    {"sigmoid", ActivationKind::kSigmoid, false, false, 0, 0},
    {"tanh", ActivationKind::kTanh, false, false, 0, 0},
    {"relu", ActivationKind::kRelu, false, false, 0, 0},
    {"affine", ActivationKind::kAffine, true, true, 1.0f, 0.0f},
    {"leakyrelu", ActivationKind::kLeakyRelu, true, false, 0.01f, 0},
    {"thresholdedrelu", ActivationKind::kThresholdedRelu, true, false, 1.0f, 0},
    {"scaledtanh", ActivationKind::kScaledTanh, true, true, 1.0f, 1.0f},
    {"hardsigmoid", ActivationKind::kHardSigmoid, true, true, 0.2f, 0.5f},
    {"elu", ActivationKind::kElu, true, false, 1.0f, 0},
    {"softsign", ActivationKind::kSoftsign, false, false, 0, 0},
    {"softplus", ActivationKind::kSoftplus, false, false, 0, 0},
};

constexpr const char* kSupportedActivations =
    "Sigmoid, Tanh, Relu, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus";

Result<std::vector<Activation>> ReadActivations(const KernelInfo& info, int per_dir, int dirs) {
  FS_ASSIGN_OR_RETURN(std::vector<std::string> names, info.attrs().GetStrings("activations"));
  FS_ASSIGN_OR_RETURN(std::vector<float> alphas, info.attrs().GetFloats("activation_alpha"));
  FS_ASSIGN_OR_RETURN(std::vector<float> betas, info.attrs().GetFloats("activation_beta"));
  if (names.empty()) {
    names = per_dir == 3 ? std::vector<std::string>{"Sigmoid", "Tanh", "Tanh"} : std::vector<std::string>{"Sigmoid", "Tanh"};
  }
  if (dirs == 2 && names.size() == static_cast<size_t>(per_dir)) names.insert(names.end(), names.begin(), names.end());
  if (names.size() != static_cast<size_t>(per_dir * dirs)) {
    return info.Error("attribute 'activations' has " + std::to_string(names.size()) + " entries, expected " +
                      std::to_string(per_dir * dirs) + " (" + std::to_string(per_dir) + " per direction)");
  }
  std::vector<Activation> out;
  size_t next_alpha = 0, next_beta = 0;
  for (const std::string& name : names) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const ActivationEntry* entry = nullptr;
    for (const ActivationEntry& e : kActivations) entry = e.name == lower ? &e : entry;
    if (entry == nullptr) {
      return info.Unsupported("activation '" + name + "' is not supported (supported: " + kSupportedActivations + ")");
    }
    Activation a;
    a.kind = entry->kind;
    a.alpha = entry->takes_alpha && next_alpha < alphas.size() ? alphas[next_alpha++] : entry->default_alpha;
    a.beta = entry->takes_beta && next_beta < betas.size() ? betas[next_beta++] : entry->default_beta;
    out.push_back(a);
  }
  return out;
}

Status ExpectShape(const TensorData* t, const Dims& want, const char* name) {
  if (t == nullptr || t->shape == want) return Status::Ok();
  return InvalidArgument(std::string(name) + " has shape " + DimsToString(t->shape) + ", expected " + DimsToString(want));
}

template <typename T>
class RnnKernel final : public Kernel {
 public:
  RnnKernel(RnnAttrs attrs, bool lstm) : attrs_(std::move(attrs)), lstm_(lstm) {}

  Status Compute(KernelContext& ctx) const override {
    const char* op = lstm_ ? "LSTM" : "GRU";
    Result<RnnArgs<T>> args = Prepare(ctx);
    if (!args.ok()) return args.status().WithContext(op);
    return lstm_ ? LstmFast(*args, ctx.intra_op_threads()) : GruFast(*args, ctx.intra_op_threads());
  }

 private:
  Result<RnnArgs<T>> Prepare(KernelContext& ctx) const {
    const TensorData& x = ctx.Input(0);
    const TensorData& w = ctx.Input(1);
    const TensorData& r = ctx.Input(2);
    if (x.rank() != 3 || r.rank() != 3) return InvalidArgument("X and R must have rank 3, got " + DimsToString(x.shape) + " and " + DimsToString(r.shape));
    RnnArgs<T> a;
    RnnDims& d = a.dims;
    d.batch_major = attrs_.batch_major;
    d.seq = x.shape[d.batch_major ? 1 : 0], d.batch = x.shape[d.batch_major ? 0 : 1], d.input = x.shape[2];
    d.hidden = r.shape[2], d.dirs = attrs_.directions();
    if (attrs_.hidden_size != 0 && attrs_.hidden_size != d.hidden) {
      return InvalidArgument("R " + DimsToString(r.shape) + " disagrees with hidden_size " + std::to_string(attrs_.hidden_size));
    }
    const int64_t gates = lstm_ ? 4 : 3;
    FS_RETURN_IF_ERROR(ExpectShape(&w, {d.dirs, gates * d.hidden, d.input}, "W"));
    FS_RETURN_IF_ERROR(ExpectShape(&r, {d.dirs, gates * d.hidden, d.hidden}, "R"));
    FS_RETURN_IF_ERROR(ExpectShape(ctx.input(3), {d.dirs, 2 * gates * d.hidden}, "B"));
    FS_RETURN_IF_ERROR(ExpectShape(ctx.input(4), {d.batch}, "sequence_lens"));
    const Dims state = d.batch_major ? Dims{d.batch, d.dirs, d.hidden} : Dims{d.dirs, d.batch, d.hidden};
    FS_RETURN_IF_ERROR(ExpectShape(ctx.input(5), state, "initial_h"));
    if (lstm_) {
      FS_RETURN_IF_ERROR(ExpectShape(ctx.input(6), state, "initial_c"));
      FS_RETURN_IF_ERROR(ExpectShape(ctx.input(7), {d.dirs, 3 * d.hidden}, "P"));
    }
    if (const TensorData* lens = ctx.input(4)) {
      a.seq_lens = lens->data_as<int32_t>();
      for (int64_t b = 0; b < d.batch; ++b) {
        if (a.seq_lens[b] < 0 || a.seq_lens[b] > d.seq) {
          return InvalidArgument("sequence_lens[" + std::to_string(b) + "] = " + std::to_string(a.seq_lens[b]) +
                                 " is outside [0, " + std::to_string(d.seq) + "]");
        }
      }
    }
    auto data = [&ctx](size_t i) { return ctx.input(i) != nullptr ? ctx.input(i)->template data_as<T>() : nullptr; };
    a.attrs = &attrs_;
    a.x = x.data_as<T>(), a.w = w.data_as<T>(), a.r = r.data_as<T>(), a.b = data(3), a.initial_h = data(5);
    if (lstm_) a.initial_c = data(6), a.p = data(7);
    const Dims y_shape = d.batch_major ? Dims{d.batch, d.seq, d.dirs, d.hidden} : Dims{d.seq, d.dirs, d.batch, d.hidden};
    for (int o = 0; o < (lstm_ ? 3 : 2); ++o) {
      if (!ctx.has_output(o)) continue;
      FS_ASSIGN_OR_RETURN(TensorData * t, ctx.Output(o, o == 0 ? y_shape : state));
      (o == 0 ? a.y : o == 1 ? a.y_h : a.y_c) = t->mutable_data_as<T>();
    }
    return a;
  }

  RnnAttrs attrs_;
  bool lstm_;
};

Result<std::unique_ptr<Kernel>> CreateRnn(const KernelInfo& info, bool lstm) {
  const DataType t = info.input_type(0);
  const size_t last = lstm ? 7 : 5;
  for (size_t i = 1; i <= last; ++i) {
    if (i != 4 && info.has_input(i) && info.input_type(i) != t) {
      return info.Error("input " + std::to_string(i) + " must have X's element type " + std::string(DataTypeName(t)));
    }
  }
  FS_ASSIGN_OR_RETURN(RnnAttrs attrs, ReadRnnAttrs(info, lstm ? 3 : 2));
  if (t == DataType::kFp32) return std::unique_ptr<Kernel>(new RnnKernel<float>(std::move(attrs), lstm));
  if (t == DataType::kFp64) return std::unique_ptr<Kernel>(new RnnKernel<double>(std::move(attrs), lstm));
  return info.Unsupported(std::string(lstm ? "LSTM" : "GRU") + " on " + std::string(DataTypeName(t)));
}

}  // namespace

double Activation::Apply(double x) const {
  switch (kind) {
    case ActivationKind::kSigmoid: return 1.0 / (1.0 + std::exp(-x));
    case ActivationKind::kTanh: return std::tanh(x);
    case ActivationKind::kRelu: return x > 0 ? x : 0.0;
    case ActivationKind::kAffine: return alpha * x + beta;
    case ActivationKind::kLeakyRelu: return x >= 0 ? x : alpha * x;
    case ActivationKind::kThresholdedRelu: return x >= alpha ? x : 0.0;
    case ActivationKind::kScaledTanh: return alpha * std::tanh(beta * x);
    case ActivationKind::kHardSigmoid: return std::min(1.0, std::max(0.0, alpha * x + beta));
    case ActivationKind::kElu: return x >= 0 ? x : alpha * std::expm1(x);
    case ActivationKind::kSoftsign: return x / (1.0 + std::abs(x));
    case ActivationKind::kSoftplus: return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
  return x;
}

template <typename T>
void ApplyActivation(const Activation& act, T* x, int64_t n) {
  Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> a(x, n);
  switch (act.kind) {
    // 1 / (1 + e^-x) on Eigen's vectorised exp: correctly rounded near saturation, where
    // Eigen's rational logistic() returns exactly 1 from x = 15.7 on (1.2e-7 off, which ONNX's
    // GRU cases notice).
    case ActivationKind::kSigmoid: a = (T(1) + (-a).exp()).inverse(); return;
    case ActivationKind::kTanh: a = a.tanh(); return;
    case ActivationKind::kRelu: a = a.max(T(0)); return;
    default:
      for (int64_t i = 0; i < n; ++i) x[i] = static_cast<T>(act.Apply(static_cast<double>(x[i])));
  }
}

template <typename T>
void ClipAndActivate(const Activation& act, float clip, T* x, int64_t n) {
  if (clip > 0) {
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> a(x, n);
    a = a.max(static_cast<T>(-clip)).min(static_cast<T>(clip));
  }
  ApplyActivation(act, x, n);
}

template <typename T>
Status ProjectInputs(const RnnArgs<T>& a, int64_t d, int64_t gates, const T* bias, T* xw, int threads) {
  const RnnDims& dm = a.dims;
  const int64_t rows = dm.seq * dm.batch, cols = gates * dm.hidden;
  GemmArgs<T> g;
  g.trans_b = true;
  g.m = rows, g.n = cols, g.k = dm.input;
  g.a = a.x, g.lda = dm.input;
  g.b = a.w + d * cols * dm.input, g.ldb = dm.input;
  g.c = xw, g.ldc = cols;
  if (bias != nullptr) {
    for (int64_t r = 0; r < rows; ++r) std::copy(bias, bias + cols, xw + r * cols);
    g.beta = T(1);
  }
  return Gemm(g, threads);
}

template <typename T>
void LoadState(const RnnArgs<T>& a, int64_t d, const T* initial, T* state) {
  const RnnDims& dm = a.dims;
  for (int64_t b = 0; b < dm.batch; ++b) {
    T* dst = state + b * dm.hidden;
    if (initial == nullptr) {
      std::fill(dst, dst + dm.hidden, T(0));
    } else {
      std::copy(initial + dm.StateRow(d, b) * dm.hidden, initial + (dm.StateRow(d, b) + 1) * dm.hidden, dst);
    }
  }
}

template <typename T>
void StoreState(const RnnArgs<T>& a, int64_t d, const T* state, T* out) {
  const RnnDims& dm = a.dims;
  if (out == nullptr) return;
  for (int64_t b = 0; b < dm.batch; ++b) {
    T* dst = out + dm.StateRow(d, b) * dm.hidden;
    if (a.SeqLen(b) == 0) {
      std::fill(dst, dst + dm.hidden, T(0));
    } else {
      std::copy(state + b * dm.hidden, state + (b + 1) * dm.hidden, dst);
    }
  }
}

template <typename T>
void ZeroEndedOutputs(const RnnArgs<T>& a) {
  const RnnDims& dm = a.dims;
  if (a.y == nullptr || a.seq_lens == nullptr) return;
  for (int64_t b = 0; b < dm.batch; ++b) {
    for (int64_t t = a.SeqLen(b); t < dm.seq; ++t) {
      for (int64_t d = 0; d < dm.dirs; ++d) {
        T* row = a.y + dm.YRow(t, d, b) * dm.hidden;
        std::fill(row, row + dm.hidden, T(0));
      }
    }
  }
}

#define FS_RNN_INSTANTIATE(T)                                                                        \
  template void ApplyActivation<T>(const Activation&, T*, int64_t);                                  \
  template void ClipAndActivate<T>(const Activation&, float, T*, int64_t);                           \
  template Status ProjectInputs<T>(const RnnArgs<T>&, int64_t, int64_t, const T*, T*, int);          \
  template void LoadState<T>(const RnnArgs<T>&, int64_t, const T*, T*);                              \
  template void StoreState<T>(const RnnArgs<T>&, int64_t, const T*, T*);                             \
  template void ZeroEndedOutputs<T>(const RnnArgs<T>&);
FS_RNN_INSTANTIATE(float)
FS_RNN_INSTANTIATE(double)
#undef FS_RNN_INSTANTIATE

Result<RnnAttrs> ReadRnnAttrs(const KernelInfo& info, int gate_activations) {
  const NodeAttributes& at = info.attrs();
  RnnAttrs a;
  FS_ASSIGN_OR_RETURN(std::string direction, at.GetString("direction", "forward"));
  if (direction == "forward") {
    a.direction = RnnDirection::kForward;
  } else if (direction == "reverse") {
    a.direction = RnnDirection::kReverse;
  } else if (direction == "bidirectional") {
    a.direction = RnnDirection::kBidirectional;
  } else {
    return info.Error("attribute 'direction' = '" + direction + "': expected forward, reverse or bidirectional");
  }
  FS_ASSIGN_OR_RETURN(a.hidden_size, at.GetInt("hidden_size", 0));
  if (at.Has("hidden_size") && a.hidden_size < 1) return info.Error("attribute 'hidden_size' must be >= 1");
  FS_ASSIGN_OR_RETURN(a.activations, ReadActivations(info, gate_activations, a.directions()));
  FS_ASSIGN_OR_RETURN(a.clip, at.GetFloat("clip", 0.0f));
  if (at.Has("clip") && !(a.clip > 0)) return info.Error("attribute 'clip' must be > 0, got " + std::to_string(a.clip));
  FS_ASSIGN_OR_RETURN(int64_t layout, at.GetInt("layout", 0));
  if (layout != 0 && layout != 1) return info.Error("attribute 'layout' must be 0 or 1, got " + std::to_string(layout));
  a.batch_major = layout == 1;
  FS_ASSIGN_OR_RETURN(int64_t input_forget, at.GetInt("input_forget", 0));
  FS_ASSIGN_OR_RETURN(int64_t lbr, at.GetInt("linear_before_reset", 0));
  a.input_forget = input_forget != 0;
  a.linear_before_reset = lbr != 0;
  return a;
}

Result<std::unique_ptr<Kernel>> CreateLstm(const KernelInfo& info) { return CreateRnn(info, true); }
Result<std::unique_ptr<Kernel>> CreateGru(const KernelInfo& info) { return CreateRnn(info, false); }

}  // namespace finserve::runtime::onnx
