// Fuzzes the ONNX loader (parse, opset and kernel checks, ONNX checker, shape inference, graph
// build, kernel creation, constant folding, planning) and, for models that load, one Run on
// zero-filled inputs with every dynamic dim set to 1. Any outcome but a crash is fine: bad
// models must come back as a Status.
//
//   build/clang-check/fuzz/onnx_loader_fuzz fuzz/corpus/onnx_loader/
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/onnx/onnx_model.h"

namespace {

constexpr int64_t kMaxFuzzElements = 1 << 16;

void RunOnce(const finserve::runtime::onnx::OnnxModel& model) {
  std::vector<finserve::Tensor> inputs;
  for (const auto& spec : model.inputs()) {
    std::vector<int64_t> dims;
    int64_t n = 1;
    for (int64_t d : spec.shape) {
      dims.push_back(d < 0 ? 1 : d);
      n *= dims.back();
      if (n > kMaxFuzzElements) return;
    }
    if (spec.dtype == finserve::DataType::kBytes) {
      std::vector<std::string> values(static_cast<size_t>(n), "0");
      inputs.push_back(finserve::Tensor::FromStrings(finserve::Shape(dims), std::span<const std::string>(values)));
    } else {
      inputs.push_back(finserve::Tensor::Zeros(spec.dtype, finserve::Shape(dims)));
    }
  }
  std::vector<finserve::TensorView> views;
  for (const auto& t : inputs) views.push_back(t.view());
  std::vector<finserve::Tensor> outputs;
  (void)model.Run(views, finserve::runtime::OutputSelection::All(), &outputs);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto model = finserve::runtime::onnx::OnnxModel::Load(bytes, {});
  if (model.ok()) RunOnce(**model);
  return 0;
}
