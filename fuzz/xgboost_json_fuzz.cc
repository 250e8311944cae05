// Any bytes as an XGBoost JSON model file: a Status, never a crash; a model that loads must run.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/tree/xgboost_backend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto backend = finserve::runtime::tree::NewXgboostJsonBackend();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto model = backend->Load({"/nonexistent", "model.json", bytes}, {});
  if (!model.ok()) return 0;
  const auto& input = (*model)->inputs().at(0);
  const int64_t columns = input.shape.back();
  if (columns <= 0 || columns > 4096) return 0;
  std::vector<float> row(static_cast<size_t>(columns), 0.5f);
  row[0] = __builtin_nanf("");
  const finserve::Tensor tensor = finserve::Tensor::FromVector<float>(finserve::Shape{1, columns}, row);
  std::vector<finserve::Tensor> outputs;
  const finserve::TensorView view = tensor.view();
  (void)(*model)->Run({&view, 1}, finserve::runtime::OutputSelection::All(), &outputs);
  return 0;
}
