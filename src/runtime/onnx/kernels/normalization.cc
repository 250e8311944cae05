// BatchNormalization (inference) and LayerNormalization: the fast loops and the kernels.
#include "runtime/onnx/kernels/normalization.h"

#include <Eigen/Core>
#include <cmath>
#include <string>
#include <vector>

#include "core/shape.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/nn_ops.h"

namespace finserve::runtime::onnx {
namespace {

// scale, B, mean, var of a BatchNormalization as doubles, [4][count].
Result<std::vector<double>> ReadBatchNormParams(std::span<const TensorData* const> params, int64_t count) {
  std::vector<double> out(static_cast<size_t>(4 * count));
  static constexpr const char* kNames[] = {"scale", "B", "mean", "var"};
  for (size_t p = 0; p < 4; ++p) {
    const TensorData& t = *params[p];
    if (t.size() != count) {
      return InvalidArgument(std::string("BatchNormalization: ") + kNames[p] + " " + DimsToString(t.shape) + " must hold " +
                             std::to_string(count) + " values (one per channel)");
    }
    for (int64_t i = 0; i < count; ++i) out[p * count + i] = ScalarAsDouble(t, i);
  }
  return out;
}

template <typename T>
class BatchNormKernel final : public Kernel {
 public:
  BatchNormKernel(double epsilon, bool spatial, std::vector<double> constant_params)
      : epsilon_(epsilon), spatial_(spatial), constant_params_(std::move(constant_params)) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    if (x.rank() < 2) return InvalidArgument("BatchNormalization: X must have rank >= 2 ([N, C, ...]), got " + DimsToString(x.shape));
    BatchNormArgs<T> a;
    a.batch = x.shape[0];
    a.channels = spatial_ ? x.shape[1] : Product(x.shape, 1, x.rank());
    a.plane = spatial_ ? Product(x.shape, 2, x.rank()) : 1;
    std::vector<double> read;  // when the parameters are not constants
    const double* params = constant_params_.data();
    if (static_cast<int64_t>(constant_params_.size()) != 4 * a.channels) {
      const TensorData* inputs[] = {&ctx.Input(1), &ctx.Input(2), &ctx.Input(3), &ctx.Input(4)};
      FS_ASSIGN_OR_RETURN(read, ReadBatchNormParams(inputs, a.channels));
      params = read.data();
    }
    a.scale = params, a.bias = a.scale + a.channels, a.mean = a.bias + a.channels, a.var = a.mean + a.channels;
    a.epsilon = epsilon_;
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    a.x = x.data_as<T>(), a.y = y->mutable_data_as<T>();
    BatchNormFast(a);
    return Status::Ok();
  }

 private:
  double epsilon_;
  bool spatial_;
  std::vector<double> constant_params_;  // empty unless all four are constants
};

// Training mode (batch statistics, running averages) is refused in each opset's own terms.
Status CheckInferenceMode(const KernelInfo& info) {
  const int opset = info.opset();
  if (opset <= 6) {
    FS_ASSIGN_OR_RETURN(int64_t is_test, info.attrs().GetInt("is_test", 0));
    if (is_test == 0) {
      return info.Unsupported("training mode (is_test=0) is not supported: finserve runs inference only; export with is_test=1");
    }
  }
  if (opset >= 14) {
    FS_ASSIGN_OR_RETURN(int64_t training, info.attrs().GetInt("training_mode", 0));
    if (training != 0) {
      return info.Unsupported("training_mode=1 is not supported: finserve runs inference only (export the model in eval mode)");
    }
  }
  for (size_t i = 1; i < info.num_outputs(); ++i) {
    if (info.has_output(i)) {
      return info.Unsupported("output " + std::to_string(i) +
                              " (running or saved mean/variance) exists only in training mode, which finserve does not run");
    }
  }
  return Status::Ok();
}

template <typename T>
class LayerNormKernel final : public Kernel {
 public:
  LayerNormKernel(int64_t axis, float epsilon) : axis_(axis), epsilon_(epsilon) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    const TensorData& scale = ctx.Input(1);
    const TensorData* bias = ctx.input(2);
    Result<int> axis = NormalizeAxis(axis_, x.rank());
    if (!axis.ok()) return axis.status().WithContext("LayerNormalization");
    LayerNormArgs<T> a;
    a.rows = Product(x.shape, 0, *axis), a.cols = Product(x.shape, *axis, x.rank());
    for (const TensorData* p : {&scale, bias}) {
      if (p != nullptr && p->size() != a.cols) {
        return InvalidArgument("LayerNormalization: " + std::string(p == &scale ? "Scale " : "B ") + DimsToString(p->shape) +
                               " must hold " + std::to_string(a.cols) + " values (the normalised dims of X " +
                               DimsToString(x.shape) + " from axis " + std::to_string(*axis) + ")");
      }
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    Dims stats_shape = x.shape;
    for (size_t d = static_cast<size_t>(*axis); d < stats_shape.size(); ++d) stats_shape[d] = 1;
    if (ctx.has_output(1)) {
      FS_ASSIGN_OR_RETURN(TensorData * mean, ctx.Output(1, stats_shape));
      a.mean = mean->mutable_data_as<float>();
    }
    if (ctx.has_output(2)) {
      FS_ASSIGN_OR_RETURN(TensorData * inv_std, ctx.Output(2, stats_shape));
      a.inv_std = inv_std->mutable_data_as<float>();
    }
    a.x = x.data_as<T>(), a.scale = scale.data_as<T>(), a.bias = bias ? bias->data_as<T>() : nullptr;
    a.epsilon = epsilon_, a.y = y->mutable_data_as<T>();
    LayerNormFast(a);
    return Status::Ok();
  }

 private:
  int64_t axis_;
  float epsilon_;
};

}  // namespace

template <typename T>
void BatchNormFast(const BatchNormArgs<T>& a) {
  for (int64_t c = 0; c < a.channels; ++c) {
    const double mul = a.scale[c] / std::sqrt(a.var[c] + a.epsilon);
    const T m = static_cast<T>(mul), b = static_cast<T>(a.bias[c] - a.mean[c] * mul);
    for (int64_t n = 0; n < a.batch; ++n) {
      const int64_t at = (n * a.channels + c) * a.plane;
      const T* x = a.x + at;
      T* y = a.y + at;
      for (int64_t i = 0; i < a.plane; ++i) y[i] = x[i] * m + b;
    }
  }
}

template <typename T>
void LayerNormFast(const LayerNormArgs<T>& a) {
  using Array = Eigen::Array<T, Eigen::Dynamic, 1>;
  using ConstMap = Eigen::Map<const Array>;
  const ConstMap scale(a.scale, a.cols);
  for (int64_t r = 0; r < a.rows; ++r) {
    const ConstMap x(a.x + r * a.cols, a.cols);
    Eigen::Map<Array> y(a.y + r * a.cols, a.cols);
    const T mean = x.sum() / static_cast<T>(a.cols);
    const T var = (x - mean).square().sum() / static_cast<T>(a.cols);
    const T inv_std = T(1) / std::sqrt(var + static_cast<T>(a.epsilon));
    if (a.bias != nullptr) {
      y = (x - mean) * inv_std * scale + ConstMap(a.bias, a.cols);
    } else {
      y = (x - mean) * inv_std * scale;
    }
    if (a.mean != nullptr) a.mean[r] = static_cast<float>(mean);
    if (a.inv_std != nullptr) a.inv_std[r] = static_cast<float>(inv_std);
  }
}

template void BatchNormFast<float>(const BatchNormArgs<float>&);
template void BatchNormFast<double>(const BatchNormArgs<double>&);
template void LayerNormFast<float>(const LayerNormArgs<float>&);
template void LayerNormFast<double>(const LayerNormArgs<double>&);

Result<std::unique_ptr<Kernel>> CreateBatchNormalization(const KernelInfo& info) {
  FS_RETURN_IF_ERROR(CheckInferenceMode(info));
  for (size_t i = 1; i < 5; ++i) {
    const DataType t = info.input_type(i);
    if (t != DataType::kFp32 && t != DataType::kFp64) {
      return info.Unsupported("input " + std::to_string(i) + " has element type " + std::string(DataTypeName(t)) +
                              " (supported: FP32, FP64)");
    }
  }
  FS_ASSIGN_OR_RETURN(float epsilon, info.attrs().GetFloat("epsilon", 1e-5f));
  FS_ASSIGN_OR_RETURN(int64_t spatial, info.attrs().GetInt("spatial", 1));
  std::vector<double> params;
  const auto& c = info.constant_inputs;
  if (c.size() >= 5 && c[1] && c[2] && c[3] && c[4] && c[1]->rank() == 1 && spatial != 0) {
    const TensorData* inputs[] = {c[1], c[2], c[3], c[4]};
    Result<std::vector<double>> read = ReadBatchNormParams(inputs, c[1]->size());
    if (!read.ok()) return info.Error(read.status().message());
    params = std::move(read).value();
  }
  const double eps = static_cast<double>(epsilon);
  if (info.input_type(0) == DataType::kFp32) return std::unique_ptr<Kernel>(new BatchNormKernel<float>(eps, spatial != 0, std::move(params)));
  if (info.input_type(0) == DataType::kFp64) return std::unique_ptr<Kernel>(new BatchNormKernel<double>(eps, spatial != 0, std::move(params)));
  return info.Unsupported("BatchNormalization on " + std::string(DataTypeName(info.input_type(0))));
}

Result<std::unique_ptr<Kernel>> CreateLayerNormalization(const KernelInfo& info) {
  const DataType t = info.input_type(0);
  for (size_t i : {size_t{1}, size_t{2}}) {
    if (info.has_input(i) && info.input_type(i) != t) return info.Error("Scale and B must have X's element type");
  }
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", -1));
  FS_ASSIGN_OR_RETURN(float epsilon, info.attrs().GetFloat("epsilon", 1e-5f));
  FS_ASSIGN_OR_RETURN(int64_t stash_type, info.attrs().GetInt("stash_type", 1));
  if (stash_type != 1) {
    return info.Unsupported("stash_type " + std::to_string(stash_type) + " is not supported (1, FLOAT, is)");
  }
  if (t == DataType::kFp32) return std::unique_ptr<Kernel>(new LayerNormKernel<float>(axis, epsilon));
  if (t == DataType::kFp64) return std::unique_ptr<Kernel>(new LayerNormKernel<double>(axis, epsilon));
  return info.Unsupported("LayerNormalization on " + std::string(DataTypeName(t)));
}

}  // namespace finserve::runtime::onnx
