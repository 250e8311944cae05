// LstmReference and GruReference: the plain twins of LstmFast and GruFast (kernels/rnn.h).
// One direction, one batch entry, one timestep at a time, each gate's pre-activation a dot
// product in double straight from the operator document's equations, activations by their exact
// formulas (Activation::Apply); the state is rounded to T after every step, as the fast path
// keeps it. Used by the twin tests. Thread-safe.
#pragma once

#include <algorithm>
#include <vector>

#include "runtime/onnx/kernels/rnn.h"

namespace finserve::runtime::onnx {
namespace rnn_ref {

// sum_i X[t, b, i] * W[d][row][i] + sum_k h[k] * R[d][row][k] (+ Wb[row] + Rb[row]).
template <typename T>
double Pre(const RnnArgs<T>& a, int64_t d, int64_t gates, int64_t row, int64_t t, int64_t b, const std::vector<T>& h,
           bool with_input = true, bool with_recurrent = true, bool wb = true, bool rb = true) {
  const RnnDims& dm = a.dims;
  const int64_t rows = gates * dm.hidden;
  double sum = 0;
  if (with_input) {
    for (int64_t i = 0; i < dm.input; ++i) {
      sum += static_cast<double>(a.x[dm.XRow(t, b) * dm.input + i]) * static_cast<double>(a.w[(d * rows + row) * dm.input + i]);
    }
  }
  if (with_recurrent) {
    for (int64_t k = 0; k < dm.hidden; ++k) {
      sum += static_cast<double>(h[k]) * static_cast<double>(a.r[(d * rows + row) * dm.hidden + k]);
    }
  }
  if (a.b != nullptr && wb) sum += static_cast<double>(a.b[d * 2 * rows + row]);
  if (a.b != nullptr && rb) sum += static_cast<double>(a.b[d * 2 * rows + rows + row]);
  return sum;
}

inline double Clip(double x, float clip) { return clip > 0 ? std::min<double>(clip, std::max<double>(-clip, x)) : x; }

template <typename T>
std::vector<T> Initial(const RnnArgs<T>& a, const T* initial, int64_t d, int64_t b) {
  std::vector<T> v(static_cast<size_t>(a.dims.hidden), T(0));
  if (initial != nullptr) std::copy_n(initial + a.dims.StateRow(d, b) * a.dims.hidden, a.dims.hidden, v.begin());
  return v;
}

template <typename T>
void Store(const RnnArgs<T>& a, T* out, int64_t d, int64_t b, const std::vector<T>& v, bool empty) {
  if (out == nullptr) return;
  for (int64_t j = 0; j < a.dims.hidden; ++j) out[a.dims.StateRow(d, b) * a.dims.hidden + j] = empty ? T(0) : v[j];
}

template <typename T>
void ZeroY(const RnnArgs<T>& a) {
  if (a.y != nullptr) std::fill_n(a.y, a.dims.seq * a.dims.dirs * a.dims.batch * a.dims.hidden, T(0));
}

inline bool Reverse(const RnnAttrs& attrs, int64_t d) { return attrs.direction == RnnDirection::kReverse || d == 1; }

}  // namespace rnn_ref

template <typename T>
void LstmReference(const RnnArgs<T>& a) {
  using namespace rnn_ref;
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden;
  const float clip = a.attrs->clip;
  ZeroY(a);
  for (int64_t d = 0; d < dm.dirs; ++d) {
    const Activation &f = a.Act(d, 0, 3), &g = a.Act(d, 1, 3), &h_act = a.Act(d, 2, 3);
    for (int64_t b = 0; b < dm.batch; ++b) {
      std::vector<T> h = Initial(a, a.initial_h, d, b), c = Initial(a, a.initial_c, d, b);
      const int64_t len = a.SeqLen(b);
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = Reverse(*a.attrs, d) ? len - 1 - s : s;
        std::vector<T> h_next(static_cast<size_t>(H)), c_next(static_cast<size_t>(H));
        for (int64_t j = 0; j < H; ++j) {
          const double p_i = a.p ? static_cast<double>(a.p[d * 3 * H + j]) : 0.0;
          const double p_o = a.p ? static_cast<double>(a.p[d * 3 * H + H + j]) : 0.0;
          const double p_f = a.p ? static_cast<double>(a.p[d * 3 * H + 2 * H + j]) : 0.0;
          const double c_prev = static_cast<double>(c[j]);
          const double i = f.Apply(Clip(Pre(a, d, 4, j, t, b, h) + p_i * c_prev, clip));
          const double fg = a.attrs->input_forget ? 1.0 - i : f.Apply(Clip(Pre(a, d, 4, 2 * H + j, t, b, h) + p_f * c_prev, clip));
          const double cell = g.Apply(Clip(Pre(a, d, 4, 3 * H + j, t, b, h), clip));
          const double c_new = fg * c_prev + i * cell;
          const double o = f.Apply(Clip(Pre(a, d, 4, H + j, t, b, h) + p_o * c_new, clip));
          c_next[j] = static_cast<T>(c_new);
          h_next[j] = static_cast<T>(o * h_act.Apply(Clip(c_new, clip)));
        }
        h = h_next, c = c_next;
        if (a.y != nullptr) std::copy(h.begin(), h.end(), a.y + dm.YRow(t, d, b) * H);
      }
      Store(a, a.y_h, d, b, h, len == 0);
      Store(a, a.y_c, d, b, c, len == 0);
    }
  }
}

template <typename T>
void GruReference(const RnnArgs<T>& a) {
  using namespace rnn_ref;
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden;
  const float clip = a.attrs->clip;
  const bool lbr = a.attrs->linear_before_reset;
  ZeroY(a);
  for (int64_t d = 0; d < dm.dirs; ++d) {
    const Activation &f = a.Act(d, 0, 2), &g = a.Act(d, 1, 2);
    for (int64_t b = 0; b < dm.batch; ++b) {
      std::vector<T> h = Initial(a, a.initial_h, d, b);
      const int64_t len = a.SeqLen(b);
      for (int64_t s = 0; s < len; ++s) {
        const int64_t t = Reverse(*a.attrs, d) ? len - 1 - s : s;
        std::vector<double> z(static_cast<size_t>(H)), r(static_cast<size_t>(H));
        std::vector<T> rh(static_cast<size_t>(H));
        for (int64_t j = 0; j < H; ++j) {
          z[j] = f.Apply(Clip(Pre(a, d, 3, j, t, b, h), clip));
          r[j] = f.Apply(Clip(Pre(a, d, 3, H + j, t, b, h), clip));
          rh[j] = static_cast<T>(r[j] * static_cast<double>(h[j]));
        }
        std::vector<T> h_next(static_cast<size_t>(H));
        for (int64_t j = 0; j < H; ++j) {
          const int64_t row = 2 * H + j;
          // default:             g(Xt Wh + (r . H) Rh + Rbh + Wbh)
          // linear_before_reset: g(Xt Wh + Wbh + r . (H Rh + Rbh))
          const double pre = lbr ? Pre(a, d, 3, row, t, b, h, true, false, true, false) +
                                       r[j] * Pre(a, d, 3, row, t, b, h, false, true, false, true)
                                 : Pre(a, d, 3, row, t, b, h, true, false) + Pre(a, d, 3, row, t, b, rh, false, true, false, false);
          const double hh = g.Apply(Clip(pre, clip));
          h_next[j] = static_cast<T>((1.0 - z[j]) * hh + z[j] * static_cast<double>(h[j]));
        }
        h = h_next;
        if (a.y != nullptr) std::copy(h.begin(), h.end(), a.y + dm.YRow(t, d, b) * H);
      }
      Store(a, a.y_h, d, b, h, len == 0);
    }
  }
}

}  // namespace finserve::runtime::onnx
