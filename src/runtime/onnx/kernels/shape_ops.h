// Factories of the kernels that change only shapes or pass data through (Reshape, Flatten,
// Squeeze, Unsqueeze, Identity, Dropout in inference mode: they alias their input, see
// KernelDef::alias_output0), those that report shapes (Shape, Size), and the data-movement
// kernels (Transpose, Concat, Split, Slice, Gather, Expand, Tile) in copy_ops.cc.
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreateReshape(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateFlatten(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateSqueeze(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateUnsqueeze(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateIdentity(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateDropout(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateShape(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateSize(const KernelInfo& info);

Result<std::unique_ptr<Kernel>> CreateTranspose(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateConcat(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateSplit(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateSlice(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateGather(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateExpand(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateTile(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
