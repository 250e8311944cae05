// The binary tensor extension of the OIP REST API (Triton's binary_tensor_data): a request or
// answer body is a JSON header of Inference-Header-Content-Length bytes followed by raw tensor
// bytes (little-endian, row-major; BOOL one byte 0/1; BYTES elements each a 4-byte little-endian
// length then the bytes), in the order of the tensors in the JSON. Inputs carry
// parameters.binary_data_size instead of `data`; outputs are sent binary when the request sets
// `binary_data_output: true` or the output's own `binary_data: true` (which wins). Stateless.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "http/http_message.h"
#include "serving/request.h"

namespace finserve::http {

inline constexpr std::string_view kInferenceHeaderLength = "inference-header-content-length";

// Splits a request body by its Inference-Header-Content-Length header (absent: all JSON).
Status SplitInferBody(const HttpRequest& request, std::string_view* json, std::string_view* binary);

// A tensor of `dtype` and `dims` (`count` elements) from its binary form; InvalidArgument when
// the byte count does not match the shape.
Result<Tensor> TensorFromBinary(DataType dtype, const Shape& dims, int64_t count,
                                std::string_view bytes);
void AppendTensorBytes(const TensorView& tensor, std::string* out);

// Which outputs a request wants binary (read before the request is handed to the service).
class BinaryOutputChoice {
 public:
  explicit BinaryOutputChoice(const serving::InferRequest& request);
  bool any() const { return all_ || !named_.empty(); }
  // One flag per response output.
  std::vector<bool> For(const serving::InferResponse& response) const;

 private:
  bool all_ = false;
  std::vector<std::pair<std::string, bool>> named_;
};

}  // namespace finserve::http
