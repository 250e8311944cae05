// Any bytes as the body of a gRPC ModelInferRequest: protobuf's own parser, then our decoder's
// checks (shapes, datatypes, contents vs raw_input_contents, limits): a Status, never a crash. A
// request that decodes is answered with its own inputs as outputs, in the form it asked for, so
// the encoder reads every decoded tensor.
#include <cstddef>
#include <cstdint>
#include <string>

#include "grpc/proto_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  inference::ModelInferRequest message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return 0;
  finserve::grpc::DecodeLimits limits;
  limits.max_elements_per_tensor = 1 << 16;
  finserve::serving::InferRequest request;
  if (!finserve::grpc::DecodeInferRequest(message, limits, &request).ok()) return 0;
  finserve::serving::InferResponse echo;
  echo.model_name = request.model_name;
  echo.id = request.id;
  for (auto& input : request.inputs) echo.outputs.push_back({input.name, std::move(input.tensor)});
  inference::ModelInferResponse answer;
  finserve::grpc::EncodeInferResponse(echo, finserve::grpc::WantsRawOutputs(message), &answer);
  std::string bytes;
  answer.SerializeToString(&bytes);
  return 0;
}
