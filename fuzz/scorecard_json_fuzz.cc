// Any bytes as model.scorecard.json or model.linear.json: a Status, never a crash; a model that
// loads must run on a row with a missing value and out-of-range codes.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "runtime/linear/linear_backend.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto scorecard = finserve::runtime::linear::NewScorecardBackend();
  static const auto linear = finserve::runtime::linear::NewLinearBackend();
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const auto* backend : {scorecard.get(), linear.get()}) {
    auto model = backend->Load({"/nonexistent", std::string(backend->file_name()), bytes}, {});
    if (!model.ok()) continue;
    const int64_t columns = (*model)->inputs().at(0).shape.back();
    if (columns <= 0 || columns > 4096) continue;
    std::vector<float> row(static_cast<size_t>(columns), 3.0f);
    row[0] = __builtin_nanf("");
    const finserve::Tensor tensor = finserve::Tensor::FromVector<float>(finserve::Shape{1, columns}, row);
    std::vector<finserve::Tensor> outputs;
    const finserve::TensorView view = tensor.view();
    (void)(*model)->Run({&view, 1}, finserve::runtime::OutputSelection::All(), &outputs);
  }
  return 0;
}
