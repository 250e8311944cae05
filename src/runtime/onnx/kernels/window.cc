#include "runtime/onnx/kernels/window.h"

#include <string>

#include "core/shape.h"

namespace finserve::runtime::onnx {
namespace {

std::string Join(std::span<const int64_t> v) { return DimsToString(v); }

Status CheckAll(const std::vector<int64_t>& values, const char* name, int64_t min) {
  for (int64_t v : values) {
    if (v < min) {
      return InvalidArgument(std::string("attribute '") + name + "' = " + Join(values) + ": every value must be >= " +
                             std::to_string(min));
    }
  }
  return Status::Ok();
}

// The attribute lengths must agree with the number of spatial axes.
Status CheckLengths(const WindowAttrs& a, size_t rank) {
  auto check = [rank](const std::vector<int64_t>& v, size_t per_axis, const char* name) -> Status {
    if (v.empty() || v.size() == rank * per_axis) return Status::Ok();
    return InvalidArgument(std::string("attribute '") + name + "' has " + std::to_string(v.size()) + " values, expected " +
                           std::to_string(rank * per_axis) + " for " + std::to_string(rank) + " spatial axes");
  };
  FS_RETURN_IF_ERROR(check(a.kernel_shape, 1, "kernel_shape"));
  FS_RETURN_IF_ERROR(check(a.strides, 1, "strides"));
  FS_RETURN_IF_ERROR(check(a.dilations, 1, "dilations"));
  return check(a.pads, 2, "pads");
}

int64_t CeilDiv(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Output size and padding of one axis; the caller has filled in/kernel/stride/dilation.
Status PlanAxis(const WindowAttrs& a, int axis, int spatial_axes, Window* w) {
  const int d = kMaxWindowRank - spatial_axes + axis;
  const int64_t in = w->in[d], s = w->stride[d];
  const int64_t extent = (w->kernel[d] - 1) * w->dilation[d] + 1;
  int64_t& pb = w->pad_begin[d];
  int64_t& pe = w->pad_end[d];
  int64_t& out = w->out[d];
  switch (a.auto_pad) {
    case AutoPad::kSameUpper:
    case AutoPad::kSameLower: {
      out = CeilDiv(in, s);
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + extent - in);
      const int64_t small = total / 2;
      pb = a.auto_pad == AutoPad::kSameUpper ? small : total - small;
      pe = total - pb;
      return Status::Ok();
    }
    case AutoPad::kValid: pb = pe = 0; break;
    case AutoPad::kNotSet:
      pb = a.pads.empty() ? 0 : a.pads[axis];
      pe = a.pads.empty() ? 0 : a.pads[axis + spatial_axes];
      break;
  }
  const int64_t span = in + pb + pe - extent;
  if (span < 0) {
    return InvalidArgument("spatial axis " + std::to_string(axis) + ": input size " + std::to_string(in) +
                           " plus padding " + std::to_string(pb + pe) + " is smaller than the window extent " +
                           std::to_string(extent));
  }
  out = (a.ceil_mode && a.auto_pad == AutoPad::kNotSet ? CeilDiv(span, s) : span / s) + 1;
  if (a.ceil_mode && out > 1 && (out - 1) * s >= in + pb) --out;
  if (a.pads_below_kernel && (pb >= extent || pe >= extent)) {
    return InvalidArgument("spatial axis " + std::to_string(axis) + ": padding " + std::to_string(std::max(pb, pe)) +
                           " must be smaller than the window extent " + std::to_string(extent));
  }
  return Status::Ok();
}

}  // namespace

Result<WindowAttrs> ReadWindowAttrs(const KernelInfo& info, bool pooling) {
  const NodeAttributes& attrs = info.attrs();
  WindowAttrs a;
  a.pads_below_kernel = pooling;
  FS_ASSIGN_OR_RETURN(a.kernel_shape, attrs.GetInts("kernel_shape"));
  FS_ASSIGN_OR_RETURN(a.strides, attrs.GetInts("strides"));
  FS_ASSIGN_OR_RETURN(a.dilations, attrs.GetInts("dilations"));
  FS_ASSIGN_OR_RETURN(a.pads, attrs.GetInts("pads"));
  FS_ASSIGN_OR_RETURN(std::string auto_pad, attrs.GetString("auto_pad", "NOTSET"));
  FS_ASSIGN_OR_RETURN(int64_t ceil_mode, attrs.GetInt("ceil_mode", 0));
  a.ceil_mode = ceil_mode != 0;
  if (auto_pad == "SAME_UPPER") {
    a.auto_pad = AutoPad::kSameUpper;
  } else if (auto_pad == "SAME_LOWER") {
    a.auto_pad = AutoPad::kSameLower;
  } else if (auto_pad == "VALID") {
    a.auto_pad = AutoPad::kValid;
  } else if (auto_pad != "NOTSET" && !auto_pad.empty()) {
    return info.Error("attribute 'auto_pad' = '" + auto_pad + "': expected NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }
  if (pooling && a.kernel_shape.empty()) return info.Error("required attribute 'kernel_shape' is missing");
  Status s = CheckAll(a.kernel_shape, "kernel_shape", 1);
  if (s.ok()) s = CheckAll(a.strides, "strides", 1);
  if (s.ok()) s = CheckAll(a.dilations, "dilations", 1);
  if (s.ok()) s = CheckAll(a.pads, "pads", 0);
  if (s.ok() && !a.kernel_shape.empty()) s = CheckLengths(a, a.kernel_shape.size());
  if (s.ok() && !a.kernel_shape.empty() && a.kernel_shape.size() > static_cast<size_t>(kMaxWindowRank)) {
    return info.Unsupported(std::to_string(a.kernel_shape.size()) + "-D windows are not supported (1-D, 2-D and 3-D are)");
  }
  if (!s.ok()) return info.Error(s.message());
  return a;
}

std::vector<int64_t> Window::OutDims() const {
  return std::vector<int64_t>(out.begin() + (kMaxWindowRank - rank), out.end());
}

Result<Window> PlanWindow(const WindowAttrs& attrs, std::span<const int64_t> in_spatial,
                          std::span<const int64_t> kernel) {
  const size_t rank = in_spatial.size();
  if (rank < 1 || rank > static_cast<size_t>(kMaxWindowRank)) {
    return InvalidArgument("expected 1 to 3 spatial axes, got " + std::to_string(rank));
  }
  if (kernel.size() != rank) {
    return InvalidArgument("the kernel has " + std::to_string(kernel.size()) + " spatial axes, the input " +
                           std::to_string(rank));
  }
  FS_RETURN_IF_ERROR(CheckLengths(attrs, rank));
  if (!attrs.kernel_shape.empty() && !std::equal(kernel.begin(), kernel.end(), attrs.kernel_shape.begin())) {
    return InvalidArgument("attribute 'kernel_shape' " + Join(attrs.kernel_shape) + " disagrees with the weights' " +
                           Join(kernel));
  }
  Window w;
  w.rank = static_cast<int>(rank);
  const int lead = kMaxWindowRank - w.rank;
  for (int i = 0; i < w.rank; ++i) {
    w.in[lead + i] = in_spatial[i];
    w.kernel[lead + i] = kernel[i];
    if (kernel[i] < 1) return InvalidArgument("kernel dims must be >= 1, got " + Join(kernel));
    w.stride[lead + i] = attrs.strides.empty() ? 1 : attrs.strides[i];
    w.dilation[lead + i] = attrs.dilations.empty() ? 1 : attrs.dilations[i];
  }
  for (int i = 0; i < w.rank; ++i) FS_RETURN_IF_ERROR(PlanAxis(attrs, i, w.rank, &w));
  return w;
}

}  // namespace finserve::runtime::onnx
