#include "explain/onnx_linear.h"

#include <cmath>
#include <optional>

#include "runtime/onnx/onnx_model.h"

namespace finserve::explain {
namespace {

using runtime::onnx::ExecutionPlan;
using runtime::onnx::OwnedTensor;
using runtime::onnx::PlanStep;

constexpr int32_t kMaxFeatures = 1 << 16;
constexpr int32_t kMaxProbeUnitRows = 64;

// The op of a step, from its description "node 'n' (op 'Gemm', domain ...)" (graph.h).
std::string OpOf(const PlanStep& step) {
  const std::string& d = step.description;
  const size_t at = d.rfind("' (op '");
  if (at == std::string::npos) return "";
  const size_t begin = at + 7;
  const size_t end = d.find('\'', begin);
  return end == std::string::npos ? "" : d.substr(begin, end - begin);
}

// m = A x + c with A: rows x F (row-major).
struct Affine {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<double> a;
  std::vector<double> c;

  static Affine Identity(int64_t n) {
    Affine f{n, n, std::vector<double>(static_cast<size_t>(n * n), 0.0), std::vector<double>(n, 0.0)};
    for (int64_t i = 0; i < n; ++i) f.a[i * n + i] = 1.0;
    return f;
  }
};

const OwnedTensor* ConstantOf(const ExecutionPlan& plan, int value) {
  if (value < 0 || static_cast<size_t>(value) >= plan.constants.size()) return nullptr;
  const OwnedTensor& t = plan.constants[value];
  return t.data().data != nullptr && t.data().dtype == DataType::kFp32 ? &t : nullptr;
}

// y = m . B (B: rows_in x k), or y = m . B^T (B: k x rows_in).
Affine TimesMatrix(const Affine& m, const float* b, int64_t k, bool transposed) {
  Affine out{k, m.cols, std::vector<double>(static_cast<size_t>(k * m.cols), 0.0), std::vector<double>(k, 0.0)};
  for (int64_t j = 0; j < k; ++j) {
    for (int64_t i = 0; i < m.rows; ++i) {
      const double w = transposed ? b[j * m.rows + i] : b[i * k + j];
      if (w == 0) continue;
      for (int64_t f = 0; f < m.cols; ++f) out.a[j * m.cols + f] += w * m.a[i * m.cols + f];
      out.c[j] += w * m.c[i];
    }
  }
  return out;
}

// m + bias, bias broadcast from [], [1], [K] or [1, K].
std::optional<Affine> PlusBias(Affine m, const OwnedTensor& bias) {
  const int64_t n = bias.data().size();
  if (n != 1 && n != m.rows) return std::nullopt;
  const float* b = bias.data().data_as<float>();
  for (int64_t j = 0; j < m.rows; ++j) m.c[j] += b[n == 1 ? 0 : j];
  return m;
}

// Candidate forms: a Gemm whose weight is square has two readings (transB 0 or 1).
struct Walk {
  const ExecutionPlan& plan;
  std::vector<Affine> forms;
  std::optional<LinearForm::Link> link;

  Status Step(const PlanStep& step, const std::string& op) {
    if (op == "Identity") return Status::Ok();
    if (link) return Unimplemented("op '" + op + "' follows the " + std::string(*link == LinearForm::Link::kSigmoid ? "Sigmoid" : "Softmax"));
    if (op == "Sigmoid" || op == "Softmax") {
      link = op == "Sigmoid" ? LinearForm::Link::kSigmoid : LinearForm::Link::kSoftmax;
      return Status::Ok();
    }
    if (op == "Gemm" || op == "MatMul") return Matrix(step, op);
    if (op == "Add") return Bias(step);
    return Unimplemented("op '" + op + "' is not part of a linear model");
  }

  Status Matrix(const PlanStep& step, const std::string& op) {
    const OwnedTensor* b = step.inputs.size() > 1 ? ConstantOf(plan, step.inputs[1]) : nullptr;
    if (b == nullptr || b->data().rank() != 2) return Unimplemented(op + " without a constant 2-D weight");
    const int64_t r = b->data().shape[0], k = b->data().shape[1];
    std::vector<Affine> next;
    for (const Affine& m : forms) {
      if (r == m.rows) next.push_back(TimesMatrix(m, b->data().data_as<float>(), k, false));
      if (op == "Gemm" && k == m.rows) next.push_back(TimesMatrix(m, b->data().data_as<float>(), r, true));
    }
    if (next.empty()) return Unimplemented(op + " weight shape does not fit its input");
    if (op == "Gemm" && step.inputs.size() > 2 && step.inputs[2] >= 0) {
      const OwnedTensor* c = ConstantOf(plan, step.inputs[2]);
      if (c == nullptr) return Unimplemented("Gemm with a bias that is not a constant");
      std::vector<Affine> biased;
      for (Affine& m : next) {
        if (auto with = PlusBias(std::move(m), *c)) biased.push_back(std::move(*with));
      }
      next = std::move(biased);
    }
    if (next.empty()) return Unimplemented(op + " bias shape does not fit its output");
    forms = std::move(next);
    return Status::Ok();
  }

  Status Bias(const PlanStep& step) {
    const OwnedTensor* c = ConstantOf(plan, step.inputs[0]);
    if (c == nullptr) c = ConstantOf(plan, step.inputs[1]);
    if (c == nullptr) return Unimplemented("Add of two computed values");
    std::vector<Affine> next;
    for (Affine& m : forms) {
      if (auto with = PlusBias(std::move(m), *c)) next.push_back(std::move(*with));
    }
    if (next.empty()) return Unimplemented("Add whose constant does not broadcast over the margins");
    forms = std::move(next);
    return Status::Ok();
  }
};

// The single chain from the input to an output; every other step input must be a constant.
// Once the chain has reached a graph output, later steps (e.g. an ArgMax label output computed
// from the probabilities) are side outputs and end the walk.
Status FollowChain(const ExecutionPlan& plan, int input, Walk* walk, int* last) {
  int current = input;
  for (const PlanStep& step : plan.steps) {
    const bool at_output = plan.values[current].output_index >= 0;
    int computed = 0;
    bool uses_current = false;
    for (int v : step.inputs) {
      if (v < 0 || ConstantOf(plan, v) != nullptr) continue;
      ++computed;
      uses_current = uses_current || v == current;
    }
    int outputs = 0;
    for (int v : step.outputs) outputs += v >= 0 ? 1 : 0;
    Status linear = !uses_current || computed != 1
                        ? Unimplemented("the graph is not one chain from its input (" + step.description + ")")
                    : outputs != 1 ? Unimplemented(step.description + " has more than one output")
                                   : walk->Step(step, OpOf(step));
    if (!linear.ok()) {
      if (at_output) break;
      return linear;
    }
    for (int v : step.outputs) current = v >= 0 ? v : current;
  }
  *last = current;
  return Status::Ok();
}

std::vector<float> ProbeRows(int32_t f) {
  std::vector<float> rows(static_cast<size_t>(f), 0.0f);
  for (int32_t i = 0; i < std::min(f, kMaxProbeUnitRows); ++i) {
    std::vector<float> unit(static_cast<size_t>(f), 0.0f);
    unit[i] = 1.0f;
    rows.insert(rows.end(), unit.begin(), unit.end());
  }
  uint32_t state = 12345;
  for (int r = 0; r < 4; ++r) {
    for (int32_t i = 0; i < f; ++i) {
      state = state * 1664525u + 1013904223u;
      rows.push_back(static_cast<float>(static_cast<int32_t>(state >> 8) % 2001 - 1000) / 500.0f);
    }
  }
  return rows;
}

std::vector<double> Apply(const LinearForm& form, const float* x) {
  const int32_t k = form.num_outputs, f = form.num_features;
  std::vector<double> m(k);
  for (int32_t j = 0; j < k; ++j) {
    m[j] = form.intercepts[j];
    for (int32_t i = 0; i < f; ++i) m[j] += form.weights[j * f + i] * x[i];
  }
  if (form.link == LinearForm::Link::kSigmoid) {
    for (double& v : m) v = 1.0 / (1.0 + std::exp(-v));
  } else if (form.link == LinearForm::Link::kSoftmax) {
    double top = m[0], sum = 0;
    for (double v : m) top = std::max(top, v);
    for (double& v : m) sum += (v = std::exp(v - top));
    for (double& v : m) v /= sum;
  }
  return m;
}

// True if the form reproduces the model's output on the probe rows.
Result<bool> Reproduces(const runtime::Model& model, const LinearForm& form) {
  const std::vector<float> rows = ProbeRows(form.num_features);
  const int64_t n = static_cast<int64_t>(rows.size()) / form.num_features;
  const int64_t shape[2] = {n, form.num_features};
  const TensorView input{DataType::kFp32, shape, rows.data(), rows.size() * sizeof(float), nullptr};
  runtime::OutputSelection wanted = runtime::OutputSelection::None(model.outputs().size());
  wanted.Select(form.output_index);
  std::vector<Tensor> outputs;
  FS_RETURN_IF_ERROR(model.Run(std::span<const TensorView>(&input, 1), wanted, &outputs));
  const Tensor& out = outputs.at(form.output_index);
  if (out.dtype() != DataType::kFp32 || out.num_elements() != n * form.num_outputs) return false;
  for (int64_t r = 0; r < n; ++r) {
    const std::vector<double> want = Apply(form, &rows[r * form.num_features]);
    for (int32_t j = 0; j < form.num_outputs; ++j) {
      const double got = out.data<float>()[r * form.num_outputs + j];
      if (!(std::fabs(got - want[j]) <= 1e-4 * (1 + std::fabs(want[j])))) return false;
    }
  }
  return true;
}

}  // namespace

std::string LinearForm::MarginSpace() const {
  switch (link) {
    case Link::kSigmoid: return "log_odds";
    case Link::kSoftmax: return "logit";
    case Link::kIdentity: return "margin";
  }
  return "margin";
}

Result<LinearForm> RecognizeOnnxLinear(const runtime::Model& model) {
  const auto* onnx = dynamic_cast<const runtime::onnx::OnnxModel*>(&model);
  if (onnx == nullptr) return Unimplemented("not an ONNX model ('" + std::string(model.platform()) + "')");
  const ExecutionPlan& plan = onnx->plan();
  if (plan.inputs.size() != 1) return Unimplemented("a linear model has one input; this graph has " + std::to_string(plan.inputs.size()));
  const auto& in = plan.values[plan.inputs[0]];
  if (in.dtype != DataType::kFp32 || in.dims.size() != 2 || in.dims[1] < 1 || in.dims[1] > kMaxFeatures) {
    return Unimplemented("a linear model's input is FP32 [N, F]");
  }
  const int64_t f = in.dims[1];
  Walk walk{plan, {Affine::Identity(f)}, std::nullopt};
  int last = -1;
  FS_RETURN_IF_ERROR(FollowChain(plan, plan.inputs[0], &walk, &last));
  const int out_index = plan.values[last].output_index;
  if (out_index < 0) return Unimplemented("the chain from the input does not end in a graph output");
  for (const Affine& m : walk.forms) {
    LinearForm form{static_cast<int32_t>(f), static_cast<int32_t>(m.rows), m.a, m.c,
                    walk.link.value_or(LinearForm::Link::kIdentity), static_cast<size_t>(out_index)};
    FS_ASSIGN_OR_RETURN(bool ok, Reproduces(model, form));
    if (ok) return form;
  }
  return Unimplemented("the graph's weights do not reproduce its outputs (a Gemm with alpha, beta or transA other "
                       "than the defaults, or a softmax over another axis?)");
}

}  // namespace finserve::explain
