// LstmFast: one Gemm() for the input projection of all timesteps, then per step one Gemm() of
// the hidden states with R and the gate arithmetic on Eigen arrays. Gate order i, o, f, c.
// Without peepholes, coupled gates or ragged sequence lengths (the common case), a step runs
// on the whole batch at once: two Gemm()s (R's i/o/f rows and its c rows) into separate
// buffers, so each activation is one long vectorised call over [batch, 3H] or [batch, H]
// instead of three short ones per row.
#include <Eigen/Core>
#include <algorithm>
#include <type_traits>

#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/rnn.h"
#include "runtime/onnx/kernels/scratch.h"

namespace finserve::runtime::onnx {
namespace {

template <typename T>
using Vec = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <typename T>
using ConstVec = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

template <typename T>
struct LstmBuffers {
  T* xw;       // [seq * batch, 4H] input projections (plus both biases on the per-row path)
  T* gates;    // [batch, 4H]
  T* h;        // [batch, H]
  T* c;        // [batch, H]
  T* tmp;      // [2 * batch, H]: tanh(c), then (no Y) the other h of the whole-batch steps
  T* bias;     // [4H]
};

// Column-major views of [batch, rows] row-major buffers: column b is batch entry b.
template <typename T>
using Cols = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic>, 0, Eigen::OuterStride<>>;

// True when more than one batch entry runs every step, the layout is time-major and the cell
// has no peepholes or coupled gates.
template <typename T>
bool WholeBatchSteps(const RnnArgs<T>& a) {
  // One row gains nothing from batching and pays a second Gemm() per step (17 -> 18.5 us).
  if (a.p != nullptr || a.attrs->input_forget || a.dims.batch_major || a.dims.batch < 2) return false;
  for (int64_t b = 0; b < a.dims.batch; ++b) {
    if (a.SeqLen(b) != a.dims.seq) return false;
  }
  return true;
}

// One step of the whole batch: iof [batch, 3H] and cg [batch, H] hold the gates' pre-activations
// (input projection and bias included), or with `activated` the gates themselves; updates c
// and h [batch, H].
template <typename T>
void LstmBatchCell(const RnnArgs<T>& a, int64_t d, bool activated, T* iof, T* cg, T* c, T* h, T* tmp) {
  const int64_t H = a.dims.hidden, B = a.dims.batch;
  const float clip = a.attrs->clip;
  if (!activated) {
    ClipAndActivate(a.Act(d, 0, 3), clip, iof, B * 3 * H);
    ClipAndActivate(a.Act(d, 1, 3), clip, cg, B * H);
  }
  Cols<T> i(iof, H, B, Eigen::OuterStride<>(3 * H)), o(iof + H, H, B, Eigen::OuterStride<>(3 * H));
  Cols<T> f(iof + 2 * H, H, B, Eigen::OuterStride<>(3 * H)), g(cg, H, B, Eigen::OuterStride<>(H));
  Cols<T> state(c, H, B, Eigen::OuterStride<>(H)), squashed(tmp, H, B, Eigen::OuterStride<>(H));
  state = f * state + i * g;
  squashed = state;
  ClipAndActivate(a.Act(d, 2, 3), clip, tmp, B * H);
  Cols<T>(h, H, B, Eigen::OuterStride<>(H)) = o * squashed;
}

// xw [seq * batch, ngates * H] = X * W[d]'s rows [first * H, (first + ngates) * H)^T (the
// biases are added per step, while the step's rows are in cache).
template <typename T>
Status ProjectGates(const RnnArgs<T>& a, int64_t d, int64_t first, int64_t ngates, T* xw, int threads) {
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden, cols = ngates * H;
  GemmArgs<T> g;
  g.trans_b = true;
  g.m = dm.seq * dm.batch, g.n = cols, g.k = dm.input;
  g.a = a.x, g.lda = dm.input;
  g.b = a.w + (d * 4 + first) * H * dm.input, g.ldb = dm.input;
  g.c = xw, g.ldc = cols;
  return Gemm(g, threads);
}

template <typename T>
Status RecurrentFused(const GemmArgs<T>& g, const T* bias, float clip, GemmEpilogue::Act act, int threads) {
  if constexpr (std::is_same_v<T, float>) {
    GemmEpilogue e;
    e.bias = bias, e.clip = clip, e.act = act;
    return GemmOnednnEpilogue(g, e, threads);
  } else {
    return Internal("fused LSTM gates are fp32 only");
  }
}

// Time-major layout: the input projections of step t are rows [t * batch, (t + 1) * batch) of
// two buffers (i/o/f and c), and the recurrent Gemm()s add into them in place: no copies. Each
// step's h goes straight into Y (rows [t, d, :] are adjacent) and is the next step's Gemm input.
template <typename T>
Status LstmWholeBatchSteps(const RnnArgs<T>& a, int64_t d, bool reverse, const T* bias, const LstmBuffers<T>& buf,
                           int threads) {
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden, G = 4 * H, B = dm.batch;
  T* xw_iof = buf.xw;
  T* xw_c = buf.xw + dm.seq * B * 3 * H;
  FS_RETURN_IF_ERROR(ProjectGates(a, d, 0, 3, xw_iof, threads));
  FS_RETURN_IF_ERROR(ProjectGates(a, d, 3, 1, xw_c, threads));
  GemmArgs<T> rec_iof, rec_c;
  rec_iof.trans_b = rec_c.trans_b = true;
  rec_iof.beta = rec_c.beta = T(1);  // on top of the input projection
  rec_iof.m = rec_c.m = B;
  rec_iof.k = rec_c.k = H;
  rec_iof.lda = rec_c.lda = H;
  rec_iof.n = 3 * H, rec_iof.b = a.r + d * G * H, rec_iof.ldb = H, rec_iof.ldc = 3 * H;
  rec_c.n = H, rec_c.b = a.r + d * G * H + 3 * H * H, rec_c.ldb = H, rec_c.ldc = H;
  // fp32 with the default gate activations: bias, clip and activation run inside oneDNN's
  // product kernel (GemmOnednnEpilogue), so only tanh(c) is left to Eigen. Only where Gemm()
  // would pick oneDNN anyway: for a few rows Eigen plus Eigen's activations win (one row of the
  // forecaster: 17 us against 130 us).
  const bool fused = std::is_same_v<T, float> && a.Act(d, 0, 3).kind == ActivationKind::kSigmoid &&
                     a.Act(d, 1, 3).kind == ActivationKind::kTanh &&
                     ChooseGemmPath(B, 3 * H, H, /*is_fp32=*/true) == GemmPath::kOnednn;
  const T* h_prev = buf.h;
  for (int64_t s = 0; s < dm.seq; ++s) {
    const int64_t t = reverse ? dm.seq - 1 - s : s;
    T* iof = xw_iof + t * B * 3 * H;
    T* cg = xw_c + t * B * H;
    rec_iof.a = rec_c.a = h_prev;
    rec_iof.c = iof, rec_c.c = cg;
    if (fused) {
      FS_RETURN_IF_ERROR(RecurrentFused(rec_iof, bias, a.attrs->clip, GemmEpilogue::Act::kSigmoid, threads));
      FS_RETURN_IF_ERROR(RecurrentFused(rec_c, bias != nullptr ? bias + 3 * H : nullptr, a.attrs->clip,
                                        GemmEpilogue::Act::kTanh, threads));
    } else {
      FS_RETURN_IF_ERROR(Gemm(rec_iof, threads));
      FS_RETURN_IF_ERROR(Gemm(rec_c, threads));
      if (bias != nullptr) {
        Cols<T>(iof, 3 * H, B, Eigen::OuterStride<>(3 * H)).colwise() += ConstVec<T>(bias, 3 * H);
        Cols<T>(cg, H, B, Eigen::OuterStride<>(H)).colwise() += ConstVec<T>(bias + 3 * H, H);
      }
    }
    T* h = a.y != nullptr ? a.y + dm.YRow(t, d, 0) * H : (h_prev == buf.h ? buf.tmp + B * H : buf.h);
    LstmBatchCell(a, d, fused, iof, cg, buf.c, h, buf.tmp);
    h_prev = h;
  }
  if (h_prev != buf.h) std::copy(h_prev, h_prev + B * H, buf.h);
  return Status::Ok();
}

// One row's step: `g` holds the recurrent part of the gates; updates c and h in place.
template <typename T>
void LstmCell(const RnnArgs<T>& a, int64_t d, T* g, const T* xw_row, T* c, T* h, T* tmp) {
  const int64_t H = a.dims.hidden;
  const float clip = a.attrs->clip;
  const Activation &f_act = a.Act(d, 0, 3), &g_act = a.Act(d, 1, 3), &h_act = a.Act(d, 2, 3);
  Vec<T>(g, 4 * H) += ConstVec<T>(xw_row, 4 * H);
  Vec<T> i(g, H), o(g + H, H), f(g + 2 * H, H), cell(g + 3 * H, H), state(c, H);
  const T* p = a.p != nullptr ? a.p + d * 3 * H : nullptr;
  if (p == nullptr && !a.attrs->input_forget) {
    // i, o, f are adjacent and share f_act: one longer vectorised call instead of three.
    ClipAndActivate(f_act, clip, g, 3 * H);
    ClipAndActivate(g_act, clip, cell.data(), H);
    state = f * state + i * cell;
    Vec<T> squashed(tmp, H);
    squashed = state;
    ClipAndActivate(h_act, clip, tmp, H);
    Vec<T>(h, H) = o * squashed;
    return;
  }
  if (p != nullptr) {
    i += ConstVec<T>(p, H) * state;
    if (!a.attrs->input_forget) f += ConstVec<T>(p + 2 * H, H) * state;
  }
  ClipAndActivate(f_act, clip, i.data(), H);
  if (a.attrs->input_forget) {
    f = T(1) - i;
  } else {
    ClipAndActivate(f_act, clip, f.data(), H);
  }
  ClipAndActivate(g_act, clip, cell.data(), H);
  state = f * state + i * cell;
  if (p != nullptr) o += ConstVec<T>(p + H, H) * state;
  ClipAndActivate(f_act, clip, o.data(), H);
  Vec<T> squashed(tmp, H);
  squashed = state;
  ClipAndActivate(h_act, clip, tmp, H);
  Vec<T>(h, H) = o * squashed;
}

template <typename T>
Status LstmDirection(const RnnArgs<T>& a, int64_t d, bool reverse, const LstmBuffers<T>& buf, int threads) {
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden, G = 4 * H;
  const T* bias = nullptr;
  if (a.b != nullptr) {
    const T* wb = a.b + d * 2 * G;
    for (int64_t j = 0; j < G; ++j) buf.bias[j] = wb[j] + wb[G + j];
    bias = buf.bias;
  }
  LoadState(a, d, a.initial_h, buf.h);
  LoadState(a, d, a.initial_c, buf.c);
  if (WholeBatchSteps(a)) {
    FS_RETURN_IF_ERROR(LstmWholeBatchSteps(a, d, reverse, bias, buf, threads));
    StoreState(a, d, buf.h, a.y_h);
    StoreState(a, d, buf.c, a.y_c);
    return Status::Ok();
  }
  FS_RETURN_IF_ERROR(ProjectInputs(a, d, 4, bias, buf.xw, threads));
  int64_t steps = 0;
  for (int64_t b = 0; b < dm.batch; ++b) steps = std::max(steps, a.SeqLen(b));
  GemmArgs<T> rec;
  rec.trans_b = true;
  rec.m = dm.batch, rec.n = G, rec.k = H;
  rec.a = buf.h, rec.lda = H, rec.b = a.r + d * G * H, rec.ldb = H, rec.c = buf.gates, rec.ldc = G;
  for (int64_t s = 0; s < steps; ++s) {
    FS_RETURN_IF_ERROR(Gemm(rec, threads));
    for (int64_t b = 0; b < dm.batch; ++b) {
      const int64_t len = a.SeqLen(b);
      if (s >= len) continue;
      const int64_t t = reverse ? len - 1 - s : s;
      T* h = buf.h + b * H;
      LstmCell(a, d, buf.gates + b * G, buf.xw + dm.XRow(t, b) * G, buf.c + b * H, h, buf.tmp);
      if (a.y != nullptr) std::copy(h, h + H, a.y + dm.YRow(t, d, b) * H);
    }
  }
  StoreState(a, d, buf.h, a.y_h);
  StoreState(a, d, buf.c, a.y_c);
  return Status::Ok();
}

}  // namespace

template <typename T>
Status LstmFast(const RnnArgs<T>& a, int threads) {
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden, G = 4 * H;
  using C = ScratchCarver;
  const size_t bytes = C::Bytes<T>(dm.seq * dm.batch * G) + C::Bytes<T>(dm.batch * G) + 2 * C::Bytes<T>(dm.batch * H) + C::Bytes<T>(2 * dm.batch * H) +
                       C::Bytes<T>(G);
  C carver(ThreadScratch(bytes));
  LstmBuffers<T> buf;
  buf.xw = carver.Take<T>(dm.seq * dm.batch * G);
  buf.gates = carver.Take<T>(dm.batch * G);
  buf.h = carver.Take<T>(dm.batch * H);
  buf.c = carver.Take<T>(dm.batch * H);
  buf.tmp = carver.Take<T>(2 * dm.batch * H);
  buf.bias = carver.Take<T>(G);
  ZeroEndedOutputs(a);
  const RnnDirection dir = a.attrs->direction;
  FS_RETURN_IF_ERROR(LstmDirection(a, 0, dir == RnnDirection::kReverse, buf, threads));
  if (dir == RnnDirection::kBidirectional) FS_RETURN_IF_ERROR(LstmDirection(a, 1, true, buf, threads));
  return Status::Ok();
}

template Status LstmFast<float>(const RnnArgs<float>&, int);
template Status LstmFast<double>(const RnnArgs<double>&, int);

}  // namespace finserve::runtime::onnx
