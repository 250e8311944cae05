// GruFast: one Gemm() for the input projection of all timesteps, then per step the recurrent
// Gemm()s and the gate arithmetic on Eigen arrays. Gate order z, r, h. Without
// linear_before_reset the hidden gate needs (r . H) * Rh^T, so a step is two products (z/r, then
// h); with it, one product of H with all of R.
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
struct GruBuffers {
  T* xw;      // [seq * batch, 3H] input projections plus the biases that can be folded in
  T* gates;   // [batch, 3H]
  T* h;       // [batch, H]
  T* rh;      // [batch, H] r . H (without linear_before_reset)
  T* bias;    // [3H]
};

struct StepRow {
  int64_t b, t;
};

// z and r of one row: gates[0:2H] += xw[0:2H], then f().
template <typename T>
void UpdateAndReset(const RnnArgs<T>& a, int64_t d, T* g, const T* xw_row) {
  const int64_t H = a.dims.hidden;
  Vec<T>(g, 2 * H) += ConstVec<T>(xw_row, 2 * H);
  ClipAndActivate(a.Act(d, 0, 2), a.attrs->clip, g, 2 * H);
}

// H = (1 - z) . g(pre) + z . H, with `pre` the hidden gate's input (overwritten).
template <typename T>
void Blend(const RnnArgs<T>& a, int64_t d, const T* z, T* pre, T* h) {
  const int64_t H = a.dims.hidden;
  ClipAndActivate(a.Act(d, 1, 2), a.attrs->clip, pre, H);
  ConstVec<T> zv(z, H);
  Vec<T>(h, H) = (T(1) - zv) * ConstVec<T>(pre, H) + zv * ConstVec<T>(h, H);
}

template <typename T>
Status GruStep(const RnnArgs<T>& a, int64_t d, const std::vector<StepRow>& rows, const GruBuffers<T>& buf, int threads) {
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden, G = 3 * H;
  const T* r = a.r + d * G * H;
  GemmArgs<T> rec;
  rec.trans_b = true;
  rec.m = dm.batch, rec.k = H, rec.a = buf.h, rec.lda = H, rec.b = r, rec.ldb = H, rec.c = buf.gates, rec.ldc = G;
  if (a.attrs->linear_before_reset) {
    rec.n = G;
    FS_RETURN_IF_ERROR(Gemm(rec, threads));
    const T* rbh = a.b != nullptr ? a.b + d * 2 * G + G + 2 * H : nullptr;
    for (const StepRow& row : rows) {
      T* g = buf.gates + row.b * G;
      const T* xw_row = buf.xw + dm.XRow(row.t, row.b) * G;
      UpdateAndReset(a, d, g, xw_row);
      Vec<T> hh(g + 2 * H, H);
      if (rbh != nullptr) hh += ConstVec<T>(rbh, H);
      hh = ConstVec<T>(xw_row + 2 * H, H) + ConstVec<T>(g + H, H) * hh;
      Blend(a, d, g, hh.data(), buf.h + row.b * H);
    }
    return Status::Ok();
  }
  rec.n = 2 * H;
  FS_RETURN_IF_ERROR(Gemm(rec, threads));
  std::fill(buf.rh, buf.rh + dm.batch * H, T(0));
  for (const StepRow& row : rows) {
    T* g = buf.gates + row.b * G;
    UpdateAndReset(a, d, g, buf.xw + dm.XRow(row.t, row.b) * G);
    Vec<T>(buf.rh + row.b * H, H) = ConstVec<T>(g + H, H) * ConstVec<T>(buf.h + row.b * H, H);
  }
  rec.n = H, rec.a = buf.rh, rec.b = r + 2 * H * H, rec.c = buf.gates + 2 * H;
  FS_RETURN_IF_ERROR(Gemm(rec, threads));
  for (const StepRow& row : rows) {
    T* g = buf.gates + row.b * G;
    Vec<T>(g + 2 * H, H) += ConstVec<T>(buf.xw + dm.XRow(row.t, row.b) * G + 2 * H, H);
    Blend(a, d, g, g + 2 * H, buf.h + row.b * H);
  }
  return Status::Ok();
}

template <typename T>
Status GruDirection(const RnnArgs<T>& a, int64_t d, bool reverse, const GruBuffers<T>& buf, int threads) {
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden, G = 3 * H;
  const T* bias = nullptr;
  if (a.b != nullptr) {
    // Wb for every gate; Rb for z and r, and for h unless it sits inside r . (H Rh^T + Rbh).
    const T* wb = a.b + d * 2 * G;
    for (int64_t j = 0; j < G; ++j) buf.bias[j] = wb[j] + (j < 2 * H || !a.attrs->linear_before_reset ? wb[G + j] : T(0));
    bias = buf.bias;
  }
  FS_RETURN_IF_ERROR(ProjectInputs(a, d, 3, bias, buf.xw, threads));
  LoadState(a, d, a.initial_h, buf.h);
  int64_t steps = 0;
  for (int64_t b = 0; b < dm.batch; ++b) steps = std::max(steps, a.SeqLen(b));
  std::vector<StepRow> rows;
  rows.reserve(static_cast<size_t>(dm.batch));
  for (int64_t s = 0; s < steps; ++s) {
    rows.clear();
    for (int64_t b = 0; b < dm.batch; ++b) {
      const int64_t len = a.SeqLen(b);
      if (s < len) rows.push_back({b, reverse ? len - 1 - s : s});
    }
    FS_RETURN_IF_ERROR(GruStep(a, d, rows, buf, threads));
    if (a.y == nullptr) continue;
    for (const StepRow& row : rows) {
      const T* h = buf.h + row.b * H;
      std::copy(h, h + H, a.y + dm.YRow(row.t, d, row.b) * H);
    }
  }
  StoreState(a, d, buf.h, a.y_h);
  return Status::Ok();
}

}  // namespace

template <typename T>
Status GruFast(const RnnArgs<T>& a, int threads) {
  const RnnDims& dm = a.dims;
  const int64_t H = dm.hidden, G = 3 * H;
  using C = ScratchCarver;
  const size_t bytes = C::Bytes<T>(dm.seq * dm.batch * G) + C::Bytes<T>(dm.batch * G) + 2 * C::Bytes<T>(dm.batch * H) +
                       C::Bytes<T>(G);
  C carver(ThreadScratch(bytes));
  GruBuffers<T> buf;
  buf.xw = carver.Take<T>(dm.seq * dm.batch * G);
  buf.gates = carver.Take<T>(dm.batch * G);
  buf.h = carver.Take<T>(dm.batch * H);
  buf.rh = carver.Take<T>(dm.batch * H);
  buf.bias = carver.Take<T>(G);
  ZeroEndedOutputs(a);
  const RnnDirection dir = a.attrs->direction;
  FS_RETURN_IF_ERROR(GruDirection(a, 0, dir == RnnDirection::kReverse, buf, threads));
  if (dir == RnnDirection::kBidirectional) FS_RETURN_IF_ERROR(GruDirection(a, 1, true, buf, threads));
  return Status::Ok();
}

template Status GruFast<float>(const RnnArgs<float>&, int);
template Status GruFast<double>(const RnnArgs<double>&, int);

}  // namespace finserve::runtime::onnx
