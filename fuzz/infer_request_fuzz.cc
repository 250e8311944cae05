// Any bytes as an OIP v2 inference request body: a Status, never a crash; a decoded request
// re-encodes its tensors without reading out of bounds.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/json_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  finserve::http::DecodeLimits limits;
  limits.max_elements_per_tensor = 1 << 16;
  finserve::serving::InferRequest request;
  if (!finserve::http::DecodeInferRequest(body, limits, &request).ok()) return 0;
  finserve::JsonWriter writer;
  for (const auto& input : request.inputs) finserve::http::EncodeTensorData(input.tensor.view(), &writer);
  return 0;
}
