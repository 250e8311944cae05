// JSON <-> the serving types for the Open Inference Protocol v2 REST API.
//
// Decoding uses simdjson (DOM, one parser per thread, reused) and writes tensor elements straight
// into their final buffer; it checks the document against the protocol and the limits and says
// exactly what is wrong and where ("inputs[0] 'features': element 3 is a string, expected a number
// (FP32)"). `null` is a missing value for floating types (NaN); NaN/Infinity literals are not JSON
// and are refused. Encoding writes the answer once with JsonWriter. Thread-safe (thread-local state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"
#include "core/status.h"
#include "serving/request.h"

namespace finserve::http {

struct DecodeLimits {
  size_t max_depth = 64;                    // JSON nesting depth
  int64_t max_elements_per_tensor = 1 << 24;
  size_t max_inputs = 64;
};

Status DecodeInferRequest(std::string_view body, const DecodeLimits& limits, serving::InferRequest* request);
// Binary tensor extension: `json` is the header (Inference-Header-Content-Length bytes), `binary`
// the rest of the body; inputs without `data` take parameters.binary_data_size bytes of it, in
// order, and every byte must be claimed (binary_tensors.h).
Status DecodeInferRequest(std::string_view json, std::string_view binary, const DecodeLimits& limits,
                          serving::InferRequest* request);
// Parses an optional JSON object body such as {"ready": true}; "" is an empty object.
Status DecodeRepositoryIndexRequest(std::string_view body, bool* ready_only);

// Load/unload bodies are optional ({"parameters": {...}}); Triton's "config" override is refused
// as Unimplemented, other parameters (e.g. "unload_dependents") are accepted and have no effect.
Status DecodeRepositoryControlRequest(std::string_view body);

void EncodeInferResponse(const serving::InferResponse& response, JsonWriter* w);
// Outputs flagged in `binary_outputs` (by index) go to `blobs` as raw bytes, described by
// parameters.binary_data_size instead of `data`.
void EncodeInferResponse(const serving::InferResponse& response, const std::vector<bool>* binary_outputs,
                         JsonWriter* w, std::string* blobs);
void EncodeModelMetadata(const serving::ModelMetadata& metadata, JsonWriter* w);
void EncodeServerMetadata(const serving::ServerMetadata& metadata, JsonWriter* w);
void EncodeRepositoryIndex(const std::vector<serving::RepositoryEntry>& entries, JsonWriter* w);
void EncodeParameters(const serving::Parameters& parameters, JsonWriter* w);
// Tensor elements as a flat JSON array (BYTES as strings, BOOL as true/false, FP16 widened).
void EncodeTensorData(const TensorView& tensor, JsonWriter* w);

}  // namespace finserve::http
