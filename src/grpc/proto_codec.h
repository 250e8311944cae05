// Protobuf messages of inference.GRPCInferenceService <-> the serving types, the gRPC twin of
// http/json_codec.h. Decoding checks a ModelInferRequest against the protocol and the limits and
// says exactly what is wrong and where, in the same words as the JSON route ("input 'features':
// shape [2,25] holds 50 elements but fp32_contents has 49"). Tensor data comes either from the
// typed `contents` of each input or from `raw_input_contents` (one entry per input, in order),
// never both; it is copied once, into the tensor's own aligned buffer. NaN in a floating input is
// a missing value (as `null` in JSON); infinities are refused, as JSON cannot carry them either.
//
// Encoding answers in the form the request used: raw_output_contents when the request sent raw
// inputs (or when an output is FP16/BF16, which has no typed field), typed contents otherwise.
// Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "grpc_service.pb.h"
#include "serving/request.h"

namespace finserve::grpc {

struct DecodeLimits {
  int64_t max_elements_per_tensor = 1 << 24;
  size_t max_inputs = 64;
};

// Fills `request` (model, version, id, parameters, inputs, outputs); the principal is the caller's.
Status DecodeInferRequest(const inference::ModelInferRequest& message, const DecodeLimits& limits,
                          serving::InferRequest* request);

// True if the answer to `message` should use raw_output_contents (see above).
bool WantsRawOutputs(const inference::ModelInferRequest& message);

void EncodeInferResponse(const serving::InferResponse& response, bool raw, inference::ModelInferResponse* message);
void EncodeModelMetadata(const serving::ModelMetadata& metadata, inference::ModelMetadataResponse* message);
void EncodeServerMetadata(const serving::ServerMetadata& metadata, inference::ServerMetadataResponse* message);

}  // namespace finserve::grpc
