// LstmFast: one Gemm() for the input projection of all timesteps, then per step one Gemm() of
// the hidden states with R and the gate arithmetic on Eigen arrays. Gate order i, o, f, c.
#include <Eigen/Core>
#include <algorithm>

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
  T* xw;       // [seq * batch, 4H] input projections plus both biases
  T* gates;    // [batch, 4H]
  T* h;        // [batch, H]
  T* c;        // [batch, H]
  T* tmp;      // [H]
  T* bias;     // [4H]
};

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
  FS_RETURN_IF_ERROR(ProjectInputs(a, d, 4, bias, buf.xw, threads));
  LoadState(a, d, a.initial_h, buf.h);
  LoadState(a, d, a.initial_c, buf.c);
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
  const size_t bytes = C::Bytes<T>(dm.seq * dm.batch * G) + C::Bytes<T>(dm.batch * G) + 2 * C::Bytes<T>(dm.batch * H) +
                       C::Bytes<T>(H) + C::Bytes<T>(G);
  C carver(ThreadScratch(bytes));
  LstmBuffers<T> buf;
  buf.xw = carver.Take<T>(dm.seq * dm.batch * G);
  buf.gates = carver.Take<T>(dm.batch * G);
  buf.h = carver.Take<T>(dm.batch * H);
  buf.c = carver.Take<T>(dm.batch * H);
  buf.tmp = carver.Take<T>(H);
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
