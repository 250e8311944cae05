// Builders for gRPC integration tests: the bundled example request as a ModelInferRequest (typed
// fp32_contents or raw_input_contents), and the floats of an answer's outputs in either form.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "grpc_service.pb.h"

namespace finserve::testing {

// The bundled example (examples/requests/credit_gbdt_infer.json) as gRPC: model credit_gbdt, its
// id and its one FP32 input (null -> NaN), in fp32_contents or in raw_input_contents.
inference::ModelInferRequest TypedExampleRequest();
inference::ModelInferRequest RawExampleRequest();

// Floats of output `index` of `response`, from raw_output_contents or from fp32_contents.
std::vector<float> OutputFloats(const inference::ModelInferResponse& response, int index);

// The HTTP answer's output `name` as floats (JSON numbers narrowed to FP32, as the server computed them).
std::vector<float> HttpOutputFloats(const nlohmann::json& answer, const std::string& name);

}  // namespace finserve::testing
