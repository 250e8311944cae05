// LinearClassifier and LinearRegressor (ai.onnx.ml 1): scores = X * coefficients^T + intercepts,
// computed in float with the dense product of kernels/gemm.h (ONNX Runtime casts every input type
// to float too), then post_transform across each row.
//   LinearClassifier: E coefficient rows. E == number of labels: the label is the first largest
//     raw score. E == 1 with two labels (one margin s): the scores are [-s, s] before the transform
//     and the label is labels[1] when the second transformed score is larger, as ONNX's reference
//     implementation defines it (ONNX Runtime agrees on labels and on multi-row scores).
//   LinearRegressor: T = `targets` outputs; the transform applies to every row, also for T = 1
//     (ONNX Runtime applies only PROBIT when T = 1; see docs/onnx-support.md).
#include <algorithm>

#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/ml_common.h"
#include "runtime/onnx/kernels/ml_ops.h"

namespace finserve::runtime::onnx {
namespace {

using tree::OnnxMlTransform;

// The affine map shared by both ops.
struct Affine {
  std::vector<float> weights;     // outputs x features, row-major
  std::vector<float> intercepts;  // outputs values (zeros when the model gives none)
  int64_t outputs = 0;
  int64_t features = 0;

  // y: rows x outputs.
  Status Apply(const TensorData& x, const MlRows& rows, int threads, float* y) const {
    if (rows.features != features) {
      return InvalidArgument("X has " + std::to_string(rows.features) + " features but the coefficients are for " +
                             std::to_string(features));
    }
    std::vector<float> converted;
    const float* in = x.data_as<float>();
    if (x.dtype != DataType::kFp32) {
      converted.resize(static_cast<size_t>(x.size()));
      ConvertNumeric(x, converted.data());
      in = converted.data();
    }
    for (int64_t r = 0; r < rows.rows; ++r) std::copy(intercepts.begin(), intercepts.end(), y + r * outputs);
    if (rows.rows == 0) return Status::Ok();
    GemmArgs<float> g;
    g.trans_b = true;
    g.m = rows.rows, g.n = outputs, g.k = features;
    g.a = in, g.lda = features;
    g.b = weights.data(), g.ldb = features;
    g.beta = 1.0f;
    g.c = y, g.ldc = outputs;
    return Gemm(g, threads);
  }
};

// Coefficients [E * F] with E from the intercepts or F from the declared input.
Result<Affine> ReadAffine(const KernelInfo& info, int64_t outputs_hint) {
  Affine a;
  FS_ASSIGN_OR_RETURN(a.weights, info.attrs().GetFloats("coefficients"));
  FS_ASSIGN_OR_RETURN(a.intercepts, info.attrs().GetFloats("intercepts"));
  if (a.weights.empty()) return info.Error("attribute 'coefficients' is missing or empty");
  const auto n = static_cast<int64_t>(a.weights.size());
  const int64_t declared = DeclaredFeatures(info);
  if (outputs_hint > 0) {
    a.outputs = outputs_hint;
  } else if (!a.intercepts.empty()) {
    a.outputs = static_cast<int64_t>(a.intercepts.size());
  } else if (declared > 0 && n % declared == 0) {
    a.outputs = n / declared;
  } else {
    return info.Error("cannot tell the number of outputs: give 'intercepts' or declare the feature count of X");
  }
  if (n % a.outputs != 0) {
    return info.Error(std::to_string(n) + " coefficients do not split into " + std::to_string(a.outputs) + " rows");
  }
  a.features = n / a.outputs;
  if (declared > 0 && declared != a.features) {
    return info.Error("X declares " + std::to_string(declared) + " features but the coefficients have " +
                      std::to_string(a.features) + " per output");
  }
  if (a.intercepts.empty()) a.intercepts.assign(static_cast<size_t>(a.outputs), 0.0f);
  if (static_cast<int64_t>(a.intercepts.size()) != a.outputs) {
    return info.Error("'intercepts' has " + std::to_string(a.intercepts.size()) + " values for " +
                      std::to_string(a.outputs) + " outputs");
  }
  return a;
}

class LinearRegressorKernel final : public Kernel {
 public:
  LinearRegressorKernel(Affine affine, OnnxMlTransform transform) : affine_(std::move(affine)), transform_(transform) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(MlRows rows, ReadMlRows(x));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {rows.rows, affine_.outputs}));
    float* out = y->mutable_data_as<float>();
    FS_RETURN_IF_ERROR(affine_.Apply(x, rows, ctx.intra_op_threads(), out));
    tree::ApplyOnnxMlTransform(transform_, affine_.outputs,
                               std::span<float>(out, static_cast<size_t>(rows.rows * affine_.outputs)));
    return Status::Ok();
  }
  std::string_view path() const override { return "eigen/onednn"; }

 private:
  Affine affine_;
  OnnxMlTransform transform_;
};

class LinearClassifierKernel final : public Kernel {
 public:
  LinearClassifierKernel(Affine affine, ClassLabels labels, OnnxMlTransform transform)
      : affine_(std::move(affine)), labels_(std::move(labels)), transform_(transform) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(MlRows rows, ReadMlRows(x));
    const bool binary = affine_.outputs == 1;
    const auto c = static_cast<int64_t>(labels_.size());
    FS_ASSIGN_OR_RETURN(TensorData * z, ctx.Output(1, {rows.rows, c}));
    float* scores = z->mutable_data_as<float>();
    std::vector<float> margins;
    float* raw = scores;
    if (binary) {
      margins.resize(static_cast<size_t>(rows.rows));
      raw = margins.data();
    }
    FS_RETURN_IF_ERROR(affine_.Apply(x, rows, ctx.intra_op_threads(), raw));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {rows.rows}));
    for (int64_t r = 0; r < rows.rows; ++r) {
      float* s = scores + r * c;
      size_t label = 0;
      if (binary) {
        s[0] = -raw[r];
        s[1] = raw[r];
        tree::ApplyOnnxMlTransform(transform_, 2, std::span<float>(s, 2));
        label = s[1] > s[0] ? 1 : 0;
      } else {
        label = static_cast<size_t>(std::max_element(s, s + c) - s);
        tree::ApplyOnnxMlTransform(transform_, c, std::span<float>(s, static_cast<size_t>(c)));
      }
      labels_.Write(y, r, label);
    }
    return Status::Ok();
  }
  std::string_view path() const override { return "eigen/onednn"; }

 private:
  Affine affine_;
  ClassLabels labels_;
  OnnxMlTransform transform_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateLinearRegressor(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t targets, info.attrs().GetInt("targets", 1));
  if (targets < 1 || targets > (int64_t{1} << 16)) {
    return info.Error("'targets' must be in [1, 65536], got " + std::to_string(targets));
  }
  FS_ASSIGN_OR_RETURN(Affine affine, ReadAffine(info, targets));
  FS_ASSIGN_OR_RETURN(OnnxMlTransform transform, ReadPostTransform(info));
  return std::unique_ptr<Kernel>(new LinearRegressorKernel(std::move(affine), transform));
}

Result<std::unique_ptr<Kernel>> CreateLinearClassifier(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(ClassLabels labels, ReadClassLabels(info, "classlabels_ints", "classlabels_strings"));
  FS_ASSIGN_OR_RETURN(Affine affine, ReadAffine(info, 0));
  FS_ASSIGN_OR_RETURN(OnnxMlTransform transform, ReadPostTransform(info));
  const auto e = static_cast<size_t>(affine.outputs);
  if (!(e == labels.size() || (e == 1 && labels.size() == 2)) || labels.size() < 2) {
    return info.Error(std::to_string(e) + " coefficient rows for " + std::to_string(labels.size()) +
                      " class labels: give one row per class (or one row for two classes)");
  }
  return std::unique_ptr<Kernel>(new LinearClassifierKernel(std::move(affine), std::move(labels), transform));
}

}  // namespace finserve::runtime::onnx
