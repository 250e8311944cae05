// Sliding-window geometry shared by Conv and the pooling ops (MaxPool, AveragePool).
//
// WindowAttrs holds the attributes as read at load (kernel_shape, strides, dilations, pads,
// auto_pad, ceil_mode); PlanWindow() turns them and one request's spatial input dims into a
// Window: per spatial axis the input size, kernel extent, stride, dilation, begin/end padding
// and output size, following the ONNX formulas:
//
//   NOTSET      out = floor((in + pad_begin + pad_end - ((k - 1) * d + 1)) / s) + 1
//               (ceil instead of floor with ceil_mode; a last window that would start inside
//               the end padding is dropped, as PyTorch and ONNX Runtime do)
//   SAME_UPPER  out = ceil(in / s), total padding (out - 1) * s + (k - 1) * d + 1 - in split
//   SAME_LOWER  evenly, the odd one at the end (UPPER) or at the beginning (LOWER)
//   VALID       no padding, out = floor((in - ((k - 1) * d + 1)) / s) + 1
//
// Windows are normalised to three spatial axes: a 1-D or 2-D problem gets leading axes of size 1
// (kernel 1, stride 1, no padding), so one loop nest serves 1-D, 2-D and 3-D. Pure functions;
// thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

enum class AutoPad { kNotSet, kSameUpper, kSameLower, kValid };

inline constexpr int kMaxWindowRank = 3;

struct WindowAttrs {
  std::vector<int64_t> kernel_shape;  // empty: taken from W (Conv)
  std::vector<int64_t> strides, dilations, pads;  // empty: 1s, 1s, 0s
  AutoPad auto_pad = AutoPad::kNotSet;
  bool ceil_mode = false;
  // Pooling requires every pad to be smaller than the kernel extent (a window made only of
  // padding has no value); Conv does not.
  bool pads_below_kernel = false;
};

// Reads the attributes a node of this op may carry; the errors name the attribute.
Result<WindowAttrs> ReadWindowAttrs(const KernelInfo& info, bool pooling);

using Axes3 = std::array<int64_t, kMaxWindowRank>;

struct Window {
  int rank = 0;  // spatial axes of the request (1-3); the arrays below hold 3, leading ones padded
  Axes3 in{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1};
  Axes3 pad_begin{0, 0, 0}, pad_end{0, 0, 0}, out{1, 1, 1};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  // The output's spatial dims in the request's rank.
  std::vector<int64_t> OutDims() const;
};

// `in_spatial` are the request's spatial dims, `kernel` the kernel's (from W for Conv, else from
// kernel_shape). InvalidArgument when the rank is outside 1-3, the attribute lengths disagree
// with it, or the input is too small for one window.
Result<Window> PlanWindow(const WindowAttrs& attrs, std::span<const int64_t> in_spatial,
                          std::span<const int64_t> kernel);

}  // namespace finserve::runtime::onnx
