// The Conv kernel: attribute and shape checks here, arithmetic in Conv() (kernels/conv.h).
#include <string>

#include "core/shape.h"
#include "runtime/onnx/kernels/conv.h"
#include "runtime/onnx/kernels/nn_ops.h"

namespace finserve::runtime::onnx {
namespace {

// Shapes of one request: X [N, C, in...], W [M, C/group, kernel...], B [M].
Status CheckShapes(const TensorData& x, const TensorData& w, const TensorData* b, int64_t group) {
  if (x.rank() < 3 || x.rank() > 2 + static_cast<size_t>(kMaxWindowRank)) {
    return InvalidArgument("Conv: X must have rank 3 to 5 ([N, C, spatial...]), got " + DimsToString(x.shape));
  }
  if (w.rank() != x.rank()) {
    return InvalidArgument("Conv: W " + DimsToString(w.shape) + " must have the rank of X " + DimsToString(x.shape));
  }
  if (w.shape[1] * group != x.shape[1]) {
    return InvalidArgument("Conv: X has " + std::to_string(x.shape[1]) + " channels, W " + DimsToString(w.shape) +
                           " with group " + std::to_string(group) + " expects " + std::to_string(w.shape[1] * group));
  }
  if (w.shape[0] % group != 0) {
    return InvalidArgument("Conv: W's " + std::to_string(w.shape[0]) + " output channels do not divide into " +
                           std::to_string(group) + " groups");
  }
  if (b != nullptr && (b->rank() != 1 || b->shape[0] != w.shape[0])) {
    return InvalidArgument("Conv: B " + DimsToString(b->shape) + " must be a vector of " + std::to_string(w.shape[0]) +
                           " biases (one per output channel)");
  }
  return Status::Ok();
}

template <typename T>
class ConvKernel final : public Kernel {
 public:
  ConvKernel(WindowAttrs attrs, int64_t group, bool constant_weights)
      : attrs_(std::move(attrs)), group_(group) {
    if constexpr (std::is_same_v<T, float>) onednn_ = std::make_unique<OnednnConv>(constant_weights);
  }

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    const TensorData& w = ctx.Input(1);
    const TensorData* b = ctx.input(2);
    FS_RETURN_IF_ERROR(CheckShapes(x, w, b, group_));
    const std::span<const int64_t> xs = x.shape, ws = w.shape;
    Result<Window> window = PlanWindow(attrs_, xs.subspan(2), ws.subspan(2));
    if (!window.ok()) return window.status().WithContext("Conv");
    ConvArgs<T> a;
    a.window = *window;
    a.batch = x.shape[0], a.in_channels = x.shape[1], a.out_channels = w.shape[0], a.group = group_;
    Dims out{a.batch, a.out_channels};
    for (int64_t d : a.window.OutDims()) out.push_back(d);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, out));
    a.x = x.data_as<T>(), a.w = w.data_as<T>(), a.bias = b != nullptr ? b->data_as<T>() : nullptr;
    a.y = y->mutable_data_as<T>();
    return Conv(a, onednn_.get(), ctx.intra_op_threads());
  }
  std::string_view path() const override { return onednn_ ? "im2col/onednn" : "im2col"; }

 private:
  WindowAttrs attrs_;
  int64_t group_;
  std::unique_ptr<OnednnConv> onednn_;
};

// Refuses at load what the shapes declared in the graph already rule out.
Status CheckDeclaredRank(const KernelInfo& info) {
  for (size_t i = 0; i < 2; ++i) {
    const GraphValue* v = info.input_values[i];
    if (v == nullptr || !v->has_shape) continue;
    const size_t rank = v->dims.size();
    if (rank > 2 + static_cast<size_t>(kMaxWindowRank)) {
      return info.Unsupported(std::to_string(rank - 2) + "-D convolution is not supported (1-D, 2-D and 3-D are)");
    }
    if (rank < 3) return info.Error(std::string(i == 0 ? "X" : "W") + " must have rank 3 to 5, it is declared with rank " + std::to_string(rank));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateConv(const KernelInfo& info) {
  const DataType t = info.input_type(0);
  for (size_t i : {size_t{1}, size_t{2}}) {
    if (info.has_input(i) && info.input_type(i) != t) {
      return info.Error("W and B must have X's element type " + std::string(DataTypeName(t)));
    }
  }
  FS_RETURN_IF_ERROR(CheckDeclaredRank(info));
  FS_ASSIGN_OR_RETURN(WindowAttrs attrs, ReadWindowAttrs(info, /*pooling=*/false));
  FS_ASSIGN_OR_RETURN(int64_t group, info.attrs().GetInt("group", 1));
  if (group < 1) return info.Error("attribute 'group' must be >= 1, got " + std::to_string(group));
  const bool constant_weights = info.constant_inputs.size() > 1 && info.constant_inputs[1] != nullptr;
  if (t == DataType::kFp32) return std::unique_ptr<Kernel>(new ConvKernel<float>(std::move(attrs), group, constant_weights));
  if (t == DataType::kFp64) return std::unique_ptr<Kernel>(new ConvKernel<double>(std::move(attrs), group, constant_weights));
  return info.Unsupported("Conv on " + std::string(DataTypeName(t)));
}

}  // namespace finserve::runtime::onnx
