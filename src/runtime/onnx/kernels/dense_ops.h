// Factories of MatMul (numpy matmul: 1-D promotion, broadcast batch dims) and Gemm (transA/B,
// alpha, beta, C broadcast to [M,N]); both run on Gemm() from kernels/gemm.h.
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreateMatMul(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateGemm(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
