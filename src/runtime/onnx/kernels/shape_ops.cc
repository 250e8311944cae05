// Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout (aliasing), Shape and Size.
#include <algorithm>
#include <limits>
#include <set>

#include "core/shape.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/shape_ops.h"

namespace finserve::runtime::onnx {
namespace {

// Computes the output shape from the input shape; aliases the input.
class ReshapeLikeKernel : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(Dims shape, OutputShape(ctx, x));
    FS_ASSIGN_OR_RETURN(int64_t n, Shape::CheckedElementCount(shape, kMaxTensorElements));
    if (n != x.size()) {
      return InvalidArgument("cannot reshape " + DimsToString(x.shape) + " (" + std::to_string(x.size()) +
                             " elements) to " + DimsToString(shape));
    }
    return ctx.AliasInput(0, 0, std::move(shape));
  }

 protected:
  virtual Result<Dims> OutputShape(const KernelContext& ctx, const TensorData& x) const = 0;
};

class ReshapeKernel final : public ReshapeLikeKernel {
 public:
  explicit ReshapeKernel(bool allow_zero) : allow_zero_(allow_zero) {}

 protected:
  Result<Dims> OutputShape(const KernelContext& ctx, const TensorData& x) const override {
    FS_ASSIGN_OR_RETURN(Dims shape, ReadInts(ctx.Input(1)));
    int infer = -1;
    int64_t known = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      if (shape[i] == 0 && !allow_zero_) {
        if (i >= x.shape.size()) return InvalidArgument("Reshape: 0 at position " + std::to_string(i) + " has no input dim to copy");
        shape[i] = x.shape[i];
      }
      if (shape[i] == -1) {
        if (infer >= 0) return InvalidArgument("Reshape: more than one -1 in " + DimsToString(shape));
        infer = static_cast<int>(i);
        continue;
      }
      if (shape[i] < 0) return InvalidArgument("Reshape: invalid dim in " + DimsToString(shape));
      if (shape[i] != 0 && known > kMaxTensorElements / shape[i]) {
        return InvalidArgument("Reshape: target " + DimsToString(shape) + " is too large");
      }
      known *= shape[i];
    }
    if (infer >= 0) {
      if (known == 0 || x.size() % known != 0) {
        return InvalidArgument("cannot reshape " + DimsToString(x.shape) + " to " + DimsToString(shape));
      }
      shape[infer] = x.size() / known;
    }
    return shape;
  }

 private:
  bool allow_zero_;
};

class FlattenKernel final : public ReshapeLikeKernel {
 public:
  explicit FlattenKernel(int64_t axis) : axis_(axis) {}

 protected:
  Result<Dims> OutputShape(const KernelContext&, const TensorData& x) const override {
    const auto rank = static_cast<int64_t>(x.rank());
    if (axis_ < -rank || axis_ > rank) return InvalidArgument("Flatten axis out of range for rank " + std::to_string(rank));
    const size_t a = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
    return Dims{Product(x.shape, 0, a), Product(x.shape, a, x.rank())};
  }

 private:
  int64_t axis_;
};

// Squeeze and Unsqueeze: axes from an attribute (older opsets) or input 1.
class SqueezeKernel final : public ReshapeLikeKernel {
 public:
  SqueezeKernel(bool unsqueeze, std::vector<int64_t> attr_axes, bool axes_from_input)
      : unsqueeze_(unsqueeze), attr_axes_(std::move(attr_axes)), axes_from_input_(axes_from_input) {}

 protected:
  Result<Dims> OutputShape(const KernelContext& ctx, const TensorData& x) const override {
    std::vector<int64_t> axes = attr_axes_;
    if (axes_from_input_ && ctx.input(1) != nullptr) {
      FS_ASSIGN_OR_RETURN(axes, ReadInts(*ctx.input(1)));
    }
    return unsqueeze_ ? Unsqueeze(x.shape, axes) : Squeeze(x.shape, axes);
  }

 private:
  static Result<Dims> Squeeze(const Dims& in, const std::vector<int64_t>& axes) {
    std::set<int> drop;
    for (int64_t a : axes) {
      FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(a, in.size()));
      if (in[axis] != 1) return InvalidArgument("Squeeze: dim " + std::to_string(axis) + " of " + DimsToString(in) + " is not 1");
      drop.insert(axis);
    }
    Dims out;
    for (size_t i = 0; i < in.size(); ++i) {
      const bool squeeze = axes.empty() ? in[i] == 1 : drop.count(static_cast<int>(i)) > 0;
      if (!squeeze) out.push_back(in[i]);
    }
    return out;
  }
  static Result<Dims> Unsqueeze(const Dims& in, const std::vector<int64_t>& axes) {
    const size_t rank = in.size() + axes.size();
    std::vector<bool> inserted(rank, false);
    for (int64_t a : axes) {
      FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(a, rank));
      if (inserted[axis]) return InvalidArgument("Unsqueeze: axis " + std::to_string(a) + " is repeated");
      inserted[axis] = true;
    }
    Dims out;
    size_t next = 0;
    for (size_t i = 0; i < rank; ++i) out.push_back(inserted[i] ? 1 : in[next++]);
    return out;
  }
  bool unsqueeze_;
  std::vector<int64_t> attr_axes_;
  bool axes_from_input_;
};

// Identity, and Dropout at inference: output 0 is input 0; the optional mask is all true.
class PassThroughKernel final : public Kernel {
 public:
  explicit PassThroughKernel(bool dropout) : dropout_(dropout) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    if (dropout_ && ctx.input(2) != nullptr && ctx.input(2)->size() > 0 && ctx.input(2)->data_as<bool>()[0]) {
      const double ratio = ctx.input(1) != nullptr && ctx.input(1)->size() > 0 ? ScalarAsDouble(*ctx.input(1)) : 0.5;
      if (ratio != 0.0) return InvalidArgument("Dropout with training_mode=true is not supported in inference");
    }
    FS_RETURN_IF_ERROR(ctx.AliasInput(0, 0, x.shape));
    if (dropout_ && ctx.has_output(1)) {
      FS_ASSIGN_OR_RETURN(TensorData * mask, ctx.Output(1, x.shape));
      const int64_t n = mask->size();
      if (mask->dtype == DataType::kBool) {
        std::fill_n(mask->mutable_data_as<bool>(), n, true);
      } else if (mask->dtype == DataType::kFp32) {
        std::fill_n(mask->mutable_data_as<float>(), n, 1.0f);
      } else if (mask->dtype == DataType::kFp64) {
        std::fill_n(mask->mutable_data_as<double>(), n, 1.0);
      } else {
        return Internal("Dropout mask of type " + std::string(DataTypeName(mask->dtype)));
      }
    }
    return Status::Ok();
  }

 private:
  bool dropout_;
};

class ShapeKernel final : public Kernel {
 public:
  ShapeKernel(bool size_only, int64_t start, int64_t end) : size_only_(size_only), start_(start), end_(end) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    if (size_only_) {
      FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {}));
      *y->mutable_data_as<int64_t>() = x.size();
      return Status::Ok();
    }
    const auto rank = static_cast<int64_t>(x.rank());
    auto clamp = [rank](int64_t v) { return std::clamp(v < 0 ? v + rank : v, int64_t{0}, rank); };
    const int64_t b = clamp(start_), e = std::max(b, clamp(end_));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {e - b}));
    std::copy(x.shape.begin() + b, x.shape.begin() + e, y->mutable_data_as<int64_t>());
    return Status::Ok();
  }

 private:
  bool size_only_;
  int64_t start_, end_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateReshape(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t allow_zero, info.attrs().GetInt("allowzero", 0));
  return std::unique_ptr<Kernel>(new ReshapeKernel(allow_zero != 0));
}

Result<std::unique_ptr<Kernel>> CreateFlatten(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", 1));
  return std::unique_ptr<Kernel>(new FlattenKernel(axis));
}

Result<std::unique_ptr<Kernel>> CreateSqueeze(const KernelInfo& info) {
  const bool from_input = info.opset() >= 13;
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, info.attrs().GetInts("axes"));
  return std::unique_ptr<Kernel>(new SqueezeKernel(false, std::move(axes), from_input));
}

Result<std::unique_ptr<Kernel>> CreateUnsqueeze(const KernelInfo& info) {
  const bool from_input = info.opset() >= 13;
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, info.attrs().GetInts("axes"));
  if (!from_input && axes.empty()) return info.Error("Unsqueeze needs the 'axes' attribute");
  return std::unique_ptr<Kernel>(new SqueezeKernel(true, std::move(axes), from_input));
}

Result<std::unique_ptr<Kernel>> CreateIdentity(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(new PassThroughKernel(false));
}

Result<std::unique_ptr<Kernel>> CreateDropout(const KernelInfo& info) {
  const TensorData* training = info.num_inputs() > 2 ? info.constant_inputs[2] : nullptr;
  const TensorData* ratio = info.num_inputs() > 1 ? info.constant_inputs[1] : nullptr;
  if (training != nullptr && training->size() > 0 && training->data_as<bool>()[0] &&
      (ratio == nullptr || ScalarAsDouble(*ratio) != 0.0)) {
    return info.Unsupported("training_mode=true is not supported: finserve runs inference only");
  }
  return std::unique_ptr<Kernel>(new PassThroughKernel(true));
}

Result<std::unique_ptr<Kernel>> CreateShape(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(int64_t start, info.attrs().GetInt("start", 0));
  FS_ASSIGN_OR_RETURN(int64_t end, info.attrs().GetInt("end", std::numeric_limits<int64_t>::max()));
  return std::unique_ptr<Kernel>(new ShapeKernel(false, start, end));
}

Result<std::unique_ptr<Kernel>> CreateSize(const KernelInfo& info) {
  return std::unique_ptr<Kernel>(new ShapeKernel(true, 0, 0));
}

}  // namespace finserve::runtime::onnx
