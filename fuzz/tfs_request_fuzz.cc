// Any bytes as a TF Serving request body (predict, classify, regress) for a model with a numeric
// and a BYTES input, and as an OIP binary-tensor body (JSON header + raw bytes): a Status, never
// a crash; a decoded predict request is encoded back as an answer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/binary_tensors.h"
#include "http/tfs_json.h"

namespace {

finserve::serving::ModelMetadata Metadata() {
  finserve::serving::ModelMetadata md;
  md.name = "m";
  md.inputs = {{"x", finserve::DataType::kFp32, {-1, 3}, {}}, {"tag_bytes", finserve::DataType::kBytes, {-1}, {}}};
  md.raw_inputs = {{"age", finserve::DataType::kFp64, {-1}, {}}};
  return md;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace finserve;
  static const serving::ModelMetadata md = Metadata();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  http::DecodeLimits limits;
  limits.max_elements_per_tensor = 1 << 16;
  for (auto method : {http::TfsMethod::kPredict, http::TfsMethod::kClassify, http::TfsMethod::kRegress}) {
    serving::InferRequest request;
    http::TfsDecoded decoded;
    if (!http::DecodeTfsRequest(body, method, md, limits, &request, &decoded).ok()) continue;
    serving::InferResponse response;
    for (auto& input : request.inputs) response.outputs.push_back({input.name, input.tensor});
    JsonWriter w;
    (void)http::EncodeTfsResponse(response, method, decoded, &w);
  }
  // The first byte splits the rest into an OIP JSON header and its binary tensors.
  if (size > 1) {
    const size_t header = std::min<size_t>(data[0] * 4, size - 1);
    serving::InferRequest request;
    (void)http::DecodeInferRequest(body.substr(1, header), body.substr(1 + header), limits, &request);
  }
  return 0;
}
