// Factories of the generator kernels (Constant, ConstantOfShape, Range), Cast, the reductions
// (Reduce*, ArgMax/ArgMin), TopK and Softmax/LogSoftmax/Hardmax. One .cc per family.
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreateConstant(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateConstantOfShape(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateRange(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateCast(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateCastLike(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateReduce(const KernelInfo& info);  // by op_type
Result<std::unique_ptr<Kernel>> CreateArgMinMax(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateTopK(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateSoftmax(const KernelInfo& info);  // Softmax, LogSoftmax, Hardmax

}  // namespace finserve::runtime::onnx
