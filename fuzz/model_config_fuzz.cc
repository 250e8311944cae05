// Any bytes as a model config.yaml: a Status, never a crash or an unbounded expansion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "repository/model_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = finserve::repository::YamlToJson(text, "config.yaml");
  if (doc.ok()) (void)finserve::repository::ParseModelConfig(*doc, "config.yaml");
  return 0;
}
