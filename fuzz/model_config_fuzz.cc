// Any bytes as a model config.yaml: a Status, never a crash or an unbounded expansion. A config
// that parses also has its validation rules parsed against the inputs it declares.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "repository/model_config.h"
#include "serving/feature_rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = finserve::repository::YamlToJson(text, "config.yaml");
  if (!doc.ok()) return 0;
  auto config = finserve::repository::ParseModelConfig(*doc, "config.yaml");
  if (!config.ok()) return 0;
  std::vector<finserve::repository::TensorBinding> inputs;
  for (const auto& input : config->inputs) {
    finserve::repository::TensorBinding b;
    b.spec.name = input.name;
    b.spec.dtype = input.dtype == finserve::DataType::kInvalid ? finserve::DataType::kFp32 : input.dtype;
    b.spec.shape = input.shape.value_or(std::vector<int64_t>{-1, static_cast<int64_t>(input.features.size())});
    b.features = input.features;
    inputs.push_back(std::move(b));
  }
  (void)finserve::serving::FeatureRules::FromConfig(config->document, inputs, "config.yaml");
  return 0;
}
