// Factories of the elementwise CPU kernels (unary math and activations, binary arithmetic with
// numpy broadcasting, comparisons, logic, variadic Min/Max/Sum/Mean, Where, Clip). Each picks its
// element loop from the node's op_type and types at load; see unary.cc, binary.cc, where_clip.cc.
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreateUnary(const KernelInfo& info);       // by op_type
Result<std::unique_ptr<Kernel>> CreateArithmetic(const KernelInfo& info);  // Add Sub Mul Div Mod
Result<std::unique_ptr<Kernel>> CreatePow(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreatePRelu(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateComparison(const KernelInfo& info);  // Equal Less Greater (OrEqual)
Result<std::unique_ptr<Kernel>> CreateLogical(const KernelInfo& info);     // And Or Xor
Result<std::unique_ptr<Kernel>> CreateVariadic(const KernelInfo& info);    // Min Max Sum Mean
Result<std::unique_ptr<Kernel>> CreateWhere(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateClip(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateIsNaN(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateIsInf(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
