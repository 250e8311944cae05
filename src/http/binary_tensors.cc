#include "http/binary_tensors.h"

#include <charconv>
#include <cstring>

namespace finserve::http {
namespace {

bool BoolParam(const serving::Parameters& p, std::string_view key, bool* value) {
  const serving::ParameterValue* v = p.Find(key);
  if (v == nullptr || !std::holds_alternative<bool>(*v)) return false;
  *value = std::get<bool>(*v);
  return true;
}

Result<Tensor> BytesFromBinary(const Shape& dims, int64_t count, std::string_view bytes) {
  std::vector<std::string_view> values;
  values.reserve(static_cast<size_t>(count));
  while (!bytes.empty()) {
    if (bytes.size() < 4) return InvalidArgument("BYTES element " + std::to_string(values.size()) + " lacks its 4-byte length");
    uint32_t n = 0;
    std::memcpy(&n, bytes.data(), 4);
    bytes.remove_prefix(4);
    if (n > bytes.size()) {
      return InvalidArgument("BYTES element " + std::to_string(values.size()) + " claims " + std::to_string(n) +
                             " bytes; only " + std::to_string(bytes.size()) + " remain");
    }
    values.push_back(bytes.substr(0, n));
    bytes.remove_prefix(n);
    if (static_cast<int64_t>(values.size()) > count) break;
  }
  if (static_cast<int64_t>(values.size()) != count) {
    return InvalidArgument("binary data holds " + std::to_string(values.size()) + " BYTES elements; the shape holds " +
                           std::to_string(count));
  }
  return Tensor::FromStrings(dims, std::span<const std::string_view>(values));
}

}  // namespace

Status SplitInferBody(const HttpRequest& request, std::string_view* json, std::string_view* binary) {
  const std::string_view header = request.Header(kInferenceHeaderLength);
  *json = request.body;
  *binary = std::string_view();
  if (header.empty()) return Status::Ok();
  uint64_t length = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), length);
  if (ec != std::errc() || end != header.data() + header.size()) {
    return InvalidArgument("Inference-Header-Content-Length must be a byte count, got '" + std::string(header.substr(0, 40)) + "'");
  }
  if (length == 0) {
    return Unimplemented("raw binary requests (Inference-Header-Content-Length: 0) are not supported; send a JSON "
                         "header describing the inputs");
  }
  if (length > request.body.size()) {
    return InvalidArgument("Inference-Header-Content-Length " + std::to_string(length) + " exceeds the body of " +
                           std::to_string(request.body.size()) + " bytes");
  }
  *json = json->substr(0, length);
  *binary = std::string_view(request.body).substr(length);
  return Status::Ok();
}

Result<Tensor> TensorFromBinary(DataType dtype, const Shape& dims, int64_t count,
                                std::string_view bytes) {
  if (dtype == DataType::kBytes) return BytesFromBinary(dims, count, bytes);
  const size_t expected = static_cast<size_t>(count) * DataTypeSize(dtype);
  if (bytes.size() != expected) {
    return InvalidArgument("binary_data_size is " + std::to_string(bytes.size()) + " bytes; shape " +
                           dims.ToString() + " of " + std::string(DataTypeName(dtype)) + " needs " +
                           std::to_string(expected));
  }
  Tensor t = Tensor::Uninitialized(dtype, dims);
  if (expected > 0) std::memcpy(t.raw_data(), bytes.data(), expected);
  if (dtype == DataType::kBool) {
    for (size_t i = 0; i < expected; ++i) {
      if (t.data<uint8_t>()[i] > 1) return InvalidArgument("BOOL element " + std::to_string(i) + " is neither 0 nor 1");
    }
  }
  return t;
}

void AppendTensorBytes(const TensorView& t, std::string* out) {
  if (t.dtype != DataType::kBytes) {
    out->append(static_cast<const char*>(t.data), t.byte_size);
    return;
  }
  for (int64_t i = 0; i < t.num_elements(); ++i) {
    const std::string_view s = t.string_at(i);
    const uint32_t n = static_cast<uint32_t>(s.size());
    out->append(reinterpret_cast<const char*>(&n), 4);
    out->append(s);
  }
}

BinaryOutputChoice::BinaryOutputChoice(const serving::InferRequest& request) {
  BoolParam(request.parameters, "binary_data_output", &all_);
  for (const auto& out : request.outputs) {
    bool binary = false;
    if (BoolParam(out.parameters, "binary_data", &binary)) named_.emplace_back(out.name, binary);
  }
}

std::vector<bool> BinaryOutputChoice::For(const serving::InferResponse& response) const {
  std::vector<bool> flags(response.outputs.size(), all_);
  for (size_t i = 0; i < response.outputs.size(); ++i) {
    for (const auto& [name, binary] : named_) {
      if (name == response.outputs[i].name) flags[i] = binary;
    }
  }
  return flags;
}

}  // namespace finserve::http
