// Factories of the index-driven kernels in index_ops.cc: CumSum, OneHot, Trilu, GatherElements,
// NonZero, EyeLike.
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreateCumSum(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateOneHot(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateTrilu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateGatherElements(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateNonZero(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateEyeLike(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
