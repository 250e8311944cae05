// Twin tests: LstmFast and GruFast against LstmReference and GruReference over random
// configurations (direction, layout, sequence_lens including 0 and full length, initial states,
// peepholes, bias, input_forget, linear_before_reset, clip, every activation ONNX lists) and
// sizes on both sides of the Gemm crossover, plus edge cases (empty sequence, hidden size 1,
// infinite inputs). Tolerance: fp32 gates differ from the double reference by a few ulp per
// step (GEMM order, vectorised exp/tanh); the recurrences are contractive for these weights, so
// 2e-5 absolute on outputs bounded by 1 (or by clip-scaled activations) holds for every step.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "runtime/onnx/kernels/reference/rnn_ref.h"
#include "runtime/onnx/kernels/rnn.h"

namespace finserve::runtime::onnx {
namespace {

struct Config {
  bool lstm = true;
  RnnAttrs attrs;
  RnnDims dims;
  bool bias = true, lens = false, initial = false, peepholes = false;
};

template <typename T>
struct Tensors {
  std::vector<T> x, w, r, b, h0, c0, p;
  std::vector<int32_t> seq_lens;
  std::vector<T> y, y_h, y_c;
  RnnArgs<T> args;
};

template <typename T>
Tensors<T> Make(const Config& c, std::mt19937& rng) {
  std::uniform_real_distribution<double> dist(-1, 1);
  const RnnDims& d = c.dims;
  const int64_t gates = c.lstm ? 4 : 3;
  Tensors<T> t;
  auto fill = [&](std::vector<T>& v, int64_t n, double scale) {
    v.resize(static_cast<size_t>(n));
    for (T& e : v) e = static_cast<T>(scale * dist(rng));
  };
  const double weight_scale = 1.0 / std::sqrt(static_cast<double>(d.hidden + d.input));
  fill(t.x, d.seq * d.batch * d.input, 2.0);
  fill(t.w, d.dirs * gates * d.hidden * d.input, 2 * weight_scale);
  fill(t.r, d.dirs * gates * d.hidden * d.hidden, 2 * weight_scale);
  fill(t.b, d.dirs * 2 * gates * d.hidden, 0.5);
  fill(t.h0, d.dirs * d.batch * d.hidden, 0.5);
  fill(t.c0, d.dirs * d.batch * d.hidden, 0.5);
  fill(t.p, d.dirs * 3 * d.hidden, 0.5);
  for (int64_t b = 0; b < d.batch; ++b) {
    t.seq_lens.push_back(static_cast<int32_t>(std::uniform_int_distribution<int64_t>(0, d.seq)(rng)));
  }
  if (d.batch > 1) t.seq_lens[1] = static_cast<int32_t>(d.seq);  // one full-length entry
  t.y.assign(static_cast<size_t>(d.seq * d.dirs * d.batch * d.hidden), std::nanf(""));
  t.y_h.assign(static_cast<size_t>(d.dirs * d.batch * d.hidden), std::nanf(""));
  t.y_c = t.y_h;
  RnnArgs<T>& a = t.args;
  a.dims = d, a.attrs = &c.attrs;
  a.x = t.x.data(), a.w = t.w.data(), a.r = t.r.data(), a.b = c.bias ? t.b.data() : nullptr;
  a.seq_lens = c.lens ? t.seq_lens.data() : nullptr;
  a.initial_h = c.initial ? t.h0.data() : nullptr;
  if (c.lstm) a.initial_c = c.initial ? t.c0.data() : nullptr, a.p = c.peepholes ? t.p.data() : nullptr;
  return t;
}

template <typename T>
void ExpectTwins(const Config& c, std::mt19937& rng, double tol, const std::string& label, bool with_y = true) {
  Tensors<T> t = Make<T>(c, rng);
  std::vector<T> y = t.y, y_h = t.y_h, y_c = t.y_c;
  RnnArgs<T> fast = t.args, ref = t.args;
  fast.y = with_y ? y.data() : nullptr, fast.y_h = y_h.data(), fast.y_c = c.lstm ? y_c.data() : nullptr;
  ref.y = t.y.data(), ref.y_h = t.y_h.data(), ref.y_c = c.lstm ? t.y_c.data() : nullptr;
  if (c.lstm) {
    ASSERT_TRUE(LstmFast(fast, 1).ok());
    LstmReference(ref);
  } else {
    ASSERT_TRUE(GruFast(fast, 1).ok());
    GruReference(ref);
  }
  auto compare = [&](const std::vector<T>& got, const std::vector<T>& want, const char* what) {
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_FALSE(std::isnan(static_cast<double>(want[i]))) << label << " " << what << " reference left " << i << " unset";
      ASSERT_NEAR(got[i], want[i], tol * (1 + std::abs(static_cast<double>(want[i])))) << label << " " << what << " at " << i;
    }
  };
  if (with_y) compare(y, t.y, "Y");
  compare(y_h, t.y_h, "Y_h");
  if (c.lstm) compare(y_c, t.y_c, "Y_c");
}

Activation RandomActivation(std::mt19937& rng, bool squashing) {
  static const ActivationKind kAll[] = {
      ActivationKind::kSigmoid, ActivationKind::kTanh, ActivationKind::kRelu, ActivationKind::kAffine,
      ActivationKind::kLeakyRelu, ActivationKind::kThresholdedRelu, ActivationKind::kScaledTanh, ActivationKind::kHardSigmoid,
      ActivationKind::kElu, ActivationKind::kSoftsign, ActivationKind::kSoftplus};
  static const ActivationKind kSquashing[] = {ActivationKind::kSigmoid, ActivationKind::kHardSigmoid};
  Activation a;
  a.kind = squashing ? kSquashing[rng() % 2] : kAll[rng() % 11];
  a.alpha = 0.5f + static_cast<float>(rng() % 4) * 0.25f;
  a.beta = 0.25f;
  return a;
}

Config RandomConfig(std::mt19937& rng, int trial, bool lstm) {
  auto pick = [&rng](int lo, int hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Config c;
  c.lstm = lstm;
  c.attrs.direction = static_cast<RnnDirection>(trial % 3);
  c.attrs.batch_major = trial % 2 == 1;
  c.attrs.input_forget = lstm && trial % 5 == 2;
  c.attrs.linear_before_reset = !lstm && trial % 2 == 0;
  c.attrs.clip = trial % 4 == 3 ? 1.5f : 0.0f;
  c.dims.seq = pick(1, 6), c.dims.batch = pick(1, 5), c.dims.input = pick(1, 7), c.dims.hidden = pick(1, 12);
  if (trial % 10 == 9) c.dims.batch = 24, c.dims.hidden = 40, c.dims.input = 16;  // oneDNN side of the crossover
  c.dims.dirs = c.attrs.directions(), c.dims.batch_major = c.attrs.batch_major;
  c.bias = trial % 3 != 1, c.lens = trial % 3 != 0, c.initial = trial % 4 != 0, c.peepholes = lstm && trial % 2 == 0;
  const int per_dir = lstm ? 3 : 2;
  const bool defaults = trial % 6 < 3;
  for (int d = 0; d < c.dims.dirs; ++d) {
    for (int i = 0; i < per_dir; ++i) {
      Activation a;
      a.kind = i == 0 ? ActivationKind::kSigmoid : ActivationKind::kTanh;
      c.attrs.activations.push_back(defaults ? a : RandomActivation(rng, i == 0));
    }
  }
  return c;
}

TEST(RnnTwins, LstmRandomConfigurations) {
  std::mt19937 rng(21);
  for (int trial = 0; trial < 200; ++trial) {
    ExpectTwins<float>(RandomConfig(rng, trial, true), rng, 2e-5, "lstm trial " + std::to_string(trial));
  }
}

// LstmFast's whole-batch steps: time-major, no peepholes or coupled gates, every sequence at
// full length (or no sequence_lens), with and without Y (h then alternates between buffers).
TEST(RnnTwins, LstmWholeBatchSteps) {
  std::mt19937 rng(27);
  auto whole_batch = [](Config c) {
    c.attrs.batch_major = c.dims.batch_major = false;
    c.attrs.input_forget = false;
    c.peepholes = false;
    c.lens = false;
    return c;
  };
  for (int trial = 0; trial < 120; ++trial) {
    ExpectTwins<float>(whole_batch(RandomConfig(rng, trial, true)), rng, 2e-5,
                       "lstm whole-batch trial " + std::to_string(trial), trial % 3 != 2);
  }
  for (int trial = 0; trial < 20; ++trial) {
    ExpectTwins<double>(whole_batch(RandomConfig(rng, trial, true)), rng, 1e-12,
                        "double whole-batch trial " + std::to_string(trial), trial % 2 == 0);
  }
  // Past the Gemm crossover with the default activations: the gates' bias, clip, sigmoid and
  // tanh run inside oneDNN's product (GemmOnednnEpilogue).
  for (int trial = 0; trial < 12; ++trial) {
    Config c = whole_batch(RandomConfig(rng, trial % 6 < 3 ? trial : trial + 3, true));
    c.dims.batch = 40 + trial, c.dims.hidden = 32, c.dims.input = 4, c.dims.seq = 3 + trial;
    ExpectTwins<float>(c, rng, 5e-5, "lstm fused-gates trial " + std::to_string(trial), trial % 3 != 2);
  }
}

TEST(RnnTwins, GruRandomConfigurations) {
  std::mt19937 rng(22);
  for (int trial = 0; trial < 200; ++trial) {
    ExpectTwins<float>(RandomConfig(rng, trial, false), rng, 2e-5, "gru trial " + std::to_string(trial));
  }
}

TEST(RnnTwins, DoublePrecisionMatchesTightly) {
  std::mt19937 rng(23);
  for (int trial = 0; trial < 40; ++trial) {
    ExpectTwins<double>(RandomConfig(rng, trial, trial % 2 == 0), rng, 1e-12, "double trial " + std::to_string(trial));
  }
}

TEST(RnnTwins, ForecasterShapes) {
  std::mt19937 rng(24);
  for (int64_t batch : {1, 64}) {
    for (bool lstm : {true, false}) {
      Config c;
      c.lstm = lstm;
      c.dims = {.seq = 30, .batch = batch, .input = 5, .hidden = 48, .dirs = 1, .batch_major = true};
      c.attrs.batch_major = true;
      c.attrs.activations = lstm ? std::vector<Activation>{{ActivationKind::kSigmoid}, {ActivationKind::kTanh}, {ActivationKind::kTanh}}
                                 : std::vector<Activation>{{ActivationKind::kSigmoid}, {ActivationKind::kTanh}};
      ExpectTwins<float>(c, rng, 5e-5, std::string(lstm ? "lstm" : "gru") + " batch " + std::to_string(batch));
    }
  }
}

TEST(RnnTwins, EdgeShapes) {
  std::mt19937 rng(25);
  for (bool lstm : {true, false}) {
    Config c = RandomConfig(rng, 0, lstm);
    c.dims.hidden = 1;
    ExpectTwins<float>(c, rng, 2e-5, "hidden 1");
    c = RandomConfig(rng, 2, lstm);
    c.lens = true;
    Tensors<float> t = Make<float>(c, rng);  // all sequences empty: Y = 0, Y_h = Y_c = 0
    std::fill(t.seq_lens.begin(), t.seq_lens.end(), 0);
    std::vector<float> y(t.y.size(), 7.0f), y_h(t.y_h.size(), 7.0f), y_c(t.y_c.size(), 7.0f);
    RnnArgs<float> a = t.args;
    a.y = y.data(), a.y_h = y_h.data(), a.y_c = lstm ? y_c.data() : nullptr;
    ASSERT_TRUE((lstm ? LstmFast(a, 1) : GruFast(a, 1)).ok());
    for (float v : y) ASSERT_EQ(v, 0.0f);
    for (float v : y_h) ASSERT_EQ(v, 0.0f);
    if (lstm) {
      for (float v : y_c) ASSERT_EQ(v, 0.0f);
    }
  }
}

TEST(RnnTwins, InfiniteInputsSaturateTheGates) {
  std::mt19937 rng(26);
  for (bool lstm : {true, false}) {
    Config c = RandomConfig(rng, 0, lstm);
    c.attrs.activations.assign(c.attrs.activations.size(), Activation{ActivationKind::kSigmoid});
    for (size_t i = 1; i < c.attrs.activations.size(); i += lstm ? 3 : 2) c.attrs.activations[i].kind = ActivationKind::kTanh;
    if (lstm) {
      for (size_t i = 2; i < c.attrs.activations.size(); i += 3) c.attrs.activations[i].kind = ActivationKind::kTanh;
    }
    Tensors<float> t = Make<float>(c, rng);
    t.x[0] = std::numeric_limits<float>::infinity();
    std::vector<float> y = t.y, y_ref = t.y;
    RnnArgs<float> a = t.args;
    a.y = y.data(), a.y_h = nullptr, a.y_c = nullptr;
    ASSERT_TRUE((lstm ? LstmFast(a, 1) : GruFast(a, 1)).ok());
    a.y = y_ref.data();
    lstm ? LstmReference(a) : GruReference(a);
    for (size_t i = 0; i < y.size(); ++i) {
      if (std::isnan(y_ref[i])) {
        EXPECT_TRUE(std::isnan(y[i])) << i;
      } else {
        ASSERT_NEAR(y[i], y_ref[i], 1e-4) << (lstm ? "lstm" : "gru") << " at " << i;
      }
    }
  }
}

}  // namespace
}  // namespace finserve::runtime::onnx
