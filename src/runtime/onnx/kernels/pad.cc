// Pad: constant, reflect and edge modes; pads and the constant come from attributes before
// opset 11 and from inputs after. Negative pads crop. PadFast: see pad.h.
#include <algorithm>
#include <cstdlib>

#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/pad.h"

namespace finserve::runtime::onnx {
namespace {

// One output row along the innermost dim, taken from `src` (the matching input row): the valid
// middle [lo, hi) is one copy, the edges are the constant or mapped element by element.
void PadRow(const PadArgs& a, const char* src, char* dst, int64_t lo, int64_t hi) {
  const TensorData& x = *a.x;
  const auto es = static_cast<int64_t>(ElementSize(x.dtype));
  const int64_t n = x.shape.back(), before = a.pads[x.rank() - 1], out = a.y->shape.back();
  auto edge = [&](int64_t from, int64_t to) {
    if (a.mode == PadMode::kConstant) {
      FillElements(x.dtype, a.constant, dst + from * es, to - from);
      return;
    }
    for (int64_t o = from; o < to; ++o) {
      CopyElements(x.dtype, src + PadSourceIndex(a.mode, o, before, n) * es, dst + o * es, 1);
    }
  };
  edge(0, lo);
  if (hi > lo) CopyElements(x.dtype, src + (lo - before) * es, dst + lo * es, hi - lo);
  edge(hi, out);
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
    // Aligned like any element (a BYTES constant is a std::string constructed in place).
    FS_ASSIGN_OR_RETURN(OwnedTensor constant, OwnedTensor::Allocate(x.dtype, Dims{}));
    FS_RETURN_IF_ERROR(FillConstant(ctx, x.dtype, static_cast<char*>(constant.data().data)));
    PadFast({mode_, &x, std::move(pads), constant.data().data, y});
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

void PadFast(const PadArgs& a) {
  const TensorData& x = *a.x;
  const size_t rank = x.rank(), es = ElementSize(x.dtype);
  if (rank == 0) {
    CopyElements(x.dtype, x.data, a.y->data, 1);
    return;
  }
  if (std::all_of(a.pads.begin(), a.pads.end(), [](int64_t p) { return p == 0; })) {
    CopyElements(x.dtype, x.data, a.y->data, x.size());  // PyTorch's Pad before AveragePool
    return;
  }
  const int64_t out_row = a.y->shape.back();
  if (out_row == 0 || a.y->size() == 0) return;
  const int64_t before = a.pads[rank - 1], n = x.shape.back();
  const int64_t lo = std::clamp<int64_t>(before, 0, out_row);
  const int64_t hi = std::clamp<int64_t>(before + n, lo, out_row);
  const Dims in_strides = RowMajorStrides(x.shape);
  Dims index(rank - 1, 0);  // the outer index of the current output row
  const int64_t rows = a.y->size() / out_row;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t offset = 0;
    bool use_constant = false;
    for (size_t d = 0; d + 1 < rank && !use_constant; ++d) {
      const int64_t i = PadSourceIndex(a.mode, index[d], a.pads[d], x.shape[d]);
      use_constant = i < 0;
      offset += i * in_strides[d];
    }
    char* dst = static_cast<char*>(a.y->data) + r * out_row * static_cast<int64_t>(es);
    if (use_constant) {
      FillElements(x.dtype, a.constant, dst, out_row);
    } else {
      PadRow(a, static_cast<const char*>(x.data) + offset * static_cast<int64_t>(es), dst, lo, hi);
    }
    for (size_t d = rank - 1; d-- > 0;) {
      if (++index[d] < a.y->shape[d]) break;
      index[d] = 0;
    }
  }
}

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
