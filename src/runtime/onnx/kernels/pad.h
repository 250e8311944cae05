// Pad (pad.cc): constant / reflect / edge, attributes before opset 11, inputs from 11 on;
// negative pads crop.
//
// Every output element maps back to one input element (or to the constant) per dim:
// PadSourceIndex. PadFast walks the output row by row along the innermost dim: a row whose outer
// index falls in the padding is one fill, any other row is one copy of its valid middle plus its
// edges (so an all-zero Pad, as PyTorch exports before AveragePool, is one memcpy per row).
// PadReference (kernels/reference/pad_ref.h) maps each element on its own: the twin. Pure
// functions; thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/kernel.h"
#include "runtime/onnx/tensor_data.h"

namespace finserve::runtime::onnx {

enum class PadMode { kConstant, kReflect, kEdge };

// The input index for output index `o` along a dim of size `n` with `before` padding, or -1 for
// "use the constant".
inline int64_t PadSourceIndex(PadMode mode, int64_t o, int64_t before, int64_t n) {
  int64_t i = o - before;
  if (i >= 0 && i < n) return i;
  if (mode == PadMode::kConstant || n == 0) return -1;
  if (mode == PadMode::kEdge || n == 1) return std::clamp<int64_t>(i, 0, n - 1);
  const int64_t period = 2 * (n - 1);  // reflect without repeating the edge
  i %= period;
  if (i < 0) i += period;
  return i < n ? i : period - i;
}

struct PadArgs {
  PadMode mode = PadMode::kConstant;
  const TensorData* x = nullptr;
  std::vector<int64_t> pads;       // 2 * rank: all begins, then all ends
  const void* constant = nullptr;  // one element of x's type
  const TensorData* y = nullptr;   // allocated with x's shape + pads
};

void PadFast(const PadArgs& args);

Result<std::unique_ptr<Kernel>> CreatePad(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
