// Pad: constant, reflect and edge modes; pads and the constant come from attributes before
// opset 11 and from inputs after. Negative pads crop. Each output element maps back to one input
// element (or to the constant) per dim, so every mode is the same loop with a different mapping.
#include <algorithm>
#include <cstdlib>

#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/pad.h"

namespace finserve::runtime::onnx {
namespace {

enum class PadMode { kConstant, kReflect, kEdge };

// The input index for output index `o` along a dim of size `n` with `before` padding, or -1 for
// "use the constant".
int64_t SourceIndex(PadMode mode, int64_t o, int64_t before, int64_t n) {
  int64_t i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode == PadMode::kConstant || n == 0) return -1;
  if (mode == PadMode::kEdge || n == 1) return std::clamp<int64_t>(i, 0, n - 1);
  const int64_t period = 2 * (n - 1);  // reflect without repeating the edge
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

class PadKernel final : public Kernel {
 public:
  PadKernel(PadMode mode, std::vector<int64_t> attr_pads, float attr_value, bool from_inputs)
      : mode_(mode), attr_pads_(std::move(attr_pads)), attr_value_(attr_value), from_inputs_(from_inputs) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    std::vector<int64_t> pads = attr_pads_;
    if (from_inputs_) {
      FS_ASSIGN_OR_RETURN(pads, ReadInts(ctx.Input(1)));
    }
    const size_t rank = x.rank();
    if (pads.size() != 2 * rank) {
      return InvalidArgument("Pad: pads must hold 2 * rank = " + std::to_string(2 * rank) + " values");
    }
    Dims shape(rank, 0);
    for (size_t d = 0; d < rank; ++d) {
      if (std::abs(pads[d]) > kMaxTensorElements || std::abs(pads[d + rank]) > kMaxTensorElements) {
        return InvalidArgument("Pad: pads too large");
      }
      shape[d] = x.shape[d] + pads[d] + pads[d + rank];
      if (shape[d] < 0) return InvalidArgument("Pad: pads crop more than dim " + std::to_string(d) + " holds");
      if (mode_ != PadMode::kConstant && x.shape[d] == 0 && shape[d] > 0) {
        return InvalidArgument("Pad: cannot reflect or extend an empty dim");
      }
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, shape));
    const size_t es = ElementSize(x.dtype);
    std::vector<char> constant(es, 0);
    FS_RETURN_IF_ERROR(FillConstant(ctx, x.dtype, constant.data()));
    const Dims in_strides = RowMajorStrides(x.shape);
    Dims index(rank, 0);
    const int64_t total = y->size();
    for (int64_t o = 0; o < total; ++o) {
      int64_t offset = 0;
      bool use_constant = false;
      for (size_t d = 0; d < rank && !use_constant; ++d) {
        const int64_t i = SourceIndex(mode_, index[d], pads[d], x.shape[d]);
        use_constant = i < 0;
        offset += i * in_strides[d];
      }
      CopyElements(x.dtype, use_constant ? constant.data() : static_cast<const char*>(x.data) + offset * es,
                   static_cast<char*>(y->data) + o * es, 1);
      for (size_t d = rank; d-- > 0;) {
        if (++index[d] < shape[d]) break;
        index[d] = 0;
      }
    }
    return Status::Ok();
  }

 private:
  Status FillConstant(const KernelContext& ctx, DataType dtype, char* out) const {
    const TensorData* value = from_inputs_ ? ctx.input(2) : nullptr;
    if (value != nullptr && value->size() > 0) {
      if (value->dtype != dtype) return InvalidArgument("Pad: constant_value must have the input's type");
      CopyElements(dtype, value->data, out, 1);
      return Status::Ok();
    }
    if (from_inputs_) return Status::Ok();  // default 0
    return DispatchNumeric<bool>(dtype, [&](auto tag) {
             using T = typename decltype(tag)::type;
             *reinterpret_cast<T*>(out) = static_cast<T>(attr_value_);
             return true;
           }).status();
  }

  PadMode mode_;
  std::vector<int64_t> attr_pads_;
  float attr_value_;
  bool from_inputs_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreatePad(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::string mode_name, info.attrs().GetString("mode", "constant"));
  PadMode mode;
  if (mode_name == "constant") {
    mode = PadMode::kConstant;
  } else if (mode_name == "reflect") {
    mode = PadMode::kReflect;
  } else if (mode_name == "edge") {
    mode = PadMode::kEdge;
  } else {
    return info.Unsupported("Pad mode '" + mode_name + "'");
  }
  const bool from_inputs = info.opset() >= 11;
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> pads, info.attrs().GetInts("pads"));
  FS_ASSIGN_OR_RETURN(float value, info.attrs().GetFloat("value", 0.0f));
  if (!from_inputs && pads.empty()) return info.Error("Pad needs the 'pads' attribute before opset 11");
  return std::unique_ptr<Kernel>(new PadKernel(mode, std::move(pads), value, from_inputs));
}

}  // namespace finserve::runtime::onnx
