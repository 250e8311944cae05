// Recurrent layers on the CPU: ONNX LSTM and GRU (opsets 7-17), forward, reverse and
// bidirectional, with B, sequence_lens, initial_h (and initial_c, P for LSTM), clip, layout
// (opset 14), input_forget (LSTM), linear_before_reset (GRU) and any activation ONNX lists.
//
// Semantics follow the operator documents; where they are silent, ONNX Runtime's behaviour:
//   - clip bounds every activation's input (gate pre-activations after the biases, and C before
//     h in LSTM); the cell state itself is not clipped;
//   - a batch entry with sequence_lens[b] = L runs steps 0..L-1 (reverse: L-1..0); its Y rows at
//     t >= L are 0 and Y_h/Y_c hold its state after its last step (0 when L = 0);
//   - input_forget couples the gates as f = 1 - i;
//   - activations are matched case-insensitively; activation_alpha/beta are consumed in order
//     by the functions that take them, defaults as the ONNX operators of the same name.
//
// LstmFast/GruFast: the input projection X * W^T (+ biases) of every timestep in one Gemm(),
// then per step one Gemm() of the hidden state with R (GRU without linear_before_reset: two)
// and vectorised gate arithmetic (sigmoid on Eigen's exp, Eigen's tanh). LstmReference/GruReference
// (kernels/reference/rnn_ref.h): plain per-timestep loops, dot products in double: the twins.
// Pure functions; thread-safe (temporaries in the thread's scratch block).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

enum class RnnDirection { kForward, kReverse, kBidirectional };

enum class ActivationKind {
  kSigmoid, kTanh, kRelu, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid, kElu, kSoftsign, kSoftplus,
};

struct Activation {
  ActivationKind kind = ActivationKind::kSigmoid;
  float alpha = 0, beta = 0;
  double Apply(double x) const;  // the exact formula (reference, and the fast path's rare kinds)
};

// In place over n values: vectorised sigmoid (Eigen's exp), tanh and relu, Apply() for the others.
template <typename T>
void ApplyActivation(const Activation& act, T* x, int64_t n);

struct RnnAttrs {
  RnnDirection direction = RnnDirection::kForward;
  int64_t hidden_size = 0;               // 0 when the attribute is absent (taken from R)
  std::vector<Activation> activations;   // per direction: f, g, h (LSTM) or f, g (GRU)
  float clip = 0;                        // 0: no clipping
  bool batch_major = false;              // layout 1
  bool input_forget = false;             // LSTM
  bool linear_before_reset = false;      // GRU
  int directions() const { return direction == RnnDirection::kBidirectional ? 2 : 1; }
};

// `gate_activations` is 3 for LSTM, 2 for GRU. Errors name the attribute or activation.
Result<RnnAttrs> ReadRnnAttrs(const KernelInfo& info, int gate_activations);

// Row indices into X ([rows, input]), Y ([rows, hidden]) and the state tensors initial_h,
// initial_c, Y_h, Y_c ([rows, hidden]) for layout 0 ([seq, dirs, batch, ...]) and 1 ([batch, ...]).
struct RnnDims {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
  bool batch_major = false;
  int64_t XRow(int64_t t, int64_t b) const { return batch_major ? b * seq + t : t * batch + b; }
  int64_t YRow(int64_t t, int64_t d, int64_t b) const { return batch_major ? (b * seq + t) * dirs + d : (t * dirs + d) * batch + b; }
  int64_t StateRow(int64_t d, int64_t b) const { return batch_major ? b * dirs + d : d * batch + b; }
};

template <typename T>
struct RnnArgs {
  RnnDims dims;
  const RnnAttrs* attrs = nullptr;
  const T* x = nullptr;              // [seq, batch, input] (layout 1: [batch, seq, input])
  const T* w = nullptr;              // [dirs, gates * hidden, input]
  const T* r = nullptr;              // [dirs, gates * hidden, hidden]
  const T* b = nullptr;              // [dirs, 2 * gates * hidden] or nullptr
  const int32_t* seq_lens = nullptr; // [batch] or nullptr, values in [0, seq]
  const T* initial_h = nullptr;      // [dirs, batch, hidden] (layout 1: [batch, dirs, hidden]) or nullptr
  const T* initial_c = nullptr;      // LSTM, like initial_h
  const T* p = nullptr;              // LSTM peepholes [dirs, 3 * hidden] (i, o, f) or nullptr
  T* y = nullptr;                    // [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]) or nullptr
  T* y_h = nullptr;                  // like initial_h, or nullptr
  T* y_c = nullptr;                  // LSTM, or nullptr

  int64_t SeqLen(int64_t b) const { return seq_lens != nullptr ? seq_lens[b] : dims.seq; }
  const Activation& Act(int64_t dir, int i, int per_dir) const { return attrs->activations[dir * per_dir + i]; }
};

// Pieces shared by LstmFast and GruFast (rnn_kernel.cc):
// clip (when > 0) then activate n values in place;
template <typename T>
void ClipAndActivate(const Activation& act, float clip, T* x, int64_t n);
// xw[XRow(t, b)] = bias + X[t, b] * W[d]^T for every timestep, [rows, gates * hidden];
template <typename T>
Status ProjectInputs(const RnnArgs<T>& args, int64_t d, int64_t gates, const T* bias, T* xw, int threads);
// state [batch, hidden] = initial[d] (or 0); out[d] = state (0 for empty sequences);
template <typename T>
void LoadState(const RnnArgs<T>& args, int64_t d, const T* initial, T* state);
template <typename T>
void StoreState(const RnnArgs<T>& args, int64_t d, const T* state, T* out);
// Y = 0 everywhere a batch entry's sequence has ended (call before the steps write Y).
template <typename T>
void ZeroEndedOutputs(const RnnArgs<T>& args);

template <typename T>
Status LstmFast(const RnnArgs<T>& args, int threads);
template <typename T>
Status GruFast(const RnnArgs<T>& args, int threads);

}  // namespace finserve::runtime::onnx
