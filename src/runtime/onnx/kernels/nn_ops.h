// Factories of the neural-network kernels: Conv (conv.cc), the pooling ops (pool.cc),
// BatchNormalization and LayerNormalization (normalization.cc), LSTM (lstm.cc) and GRU (gru.cc).
#pragma once

#include <memory>

#include "core/status.h"
#include "runtime/onnx/kernel.h"

namespace finserve::runtime::onnx {

Result<std::unique_ptr<Kernel>> CreateConv(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateMaxPool(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateAveragePool(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateGlobalPool(const KernelInfo& info);  // GlobalAveragePool, GlobalMaxPool
Result<std::unique_ptr<Kernel>> CreateBatchNormalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateLayerNormalization(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateLstm(const KernelInfo& info);
Result<std::unique_ptr<Kernel>> CreateGru(const KernelInfo& info);

}  // namespace finserve::runtime::onnx
