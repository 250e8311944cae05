// Factory of the Pad kernel (pad.cc): constant / reflect / edge, attributes before opset 11,
// inputs from 11 on. Kept apart for the convolution and pooling kernels that will pad too.
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreatePad(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
