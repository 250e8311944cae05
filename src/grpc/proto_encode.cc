// serving types -> protobuf messages (see proto_codec.h for the rules).
#include <cstring>
#include <string>

#include "grpc/proto_codec.h"

namespace finserve::grpc {
namespace {

using inference::InferParameter;
using inference::InferTensorContents;
using ParameterMap = google::protobuf::Map<std::string, InferParameter>;

void EncodeParameter(const serving::ParameterValue& value, InferParameter* out) {
  std::visit(
      [out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) out->set_bool_param(v);
        else if constexpr (std::is_same_v<T, int64_t>) out->set_int64_param(v);
        else if constexpr (std::is_same_v<T, double>) out->set_double_param(v);
        else out->set_string_param(v);
      },
      value);
}

void EncodeParameters(const serving::Parameters& parameters, ParameterMap* out) {
  for (const auto& [name, value] : parameters.items()) EncodeParameter(value, &(*out)[name]);
}

template <typename Src, typename Field>
void AppendAll(const TensorView& t, Field* field) {
  const Src* values = t.data_as<Src>();
  const int64_t n = t.num_elements();
  field->Reserve(static_cast<int>(n));
  for (int64_t i = 0; i < n; ++i) field->Add(values[i]);
}

// FP16 and BF16 have no typed field: callers send those answers raw.
void EncodeTyped(const TensorView& t, InferTensorContents* c) {
  switch (t.dtype) {
    case DataType::kBool: {
      const uint8_t* values = t.data_as<uint8_t>();
      for (int64_t i = 0; i < t.num_elements(); ++i) c->add_bool_contents(values[i] != 0);
      break;
    }
    case DataType::kInt8: AppendAll<int8_t>(t, c->mutable_int_contents()); break;
    case DataType::kInt16: AppendAll<int16_t>(t, c->mutable_int_contents()); break;
    case DataType::kInt32: AppendAll<int32_t>(t, c->mutable_int_contents()); break;
    case DataType::kInt64: AppendAll<int64_t>(t, c->mutable_int64_contents()); break;
    case DataType::kUint8: AppendAll<uint8_t>(t, c->mutable_uint_contents()); break;
    case DataType::kUint16: AppendAll<uint16_t>(t, c->mutable_uint_contents()); break;
    case DataType::kUint32: AppendAll<uint32_t>(t, c->mutable_uint_contents()); break;
    case DataType::kUint64: AppendAll<uint64_t>(t, c->mutable_uint64_contents()); break;
    case DataType::kFp32: AppendAll<float>(t, c->mutable_fp32_contents()); break;
    case DataType::kFp64: AppendAll<double>(t, c->mutable_fp64_contents()); break;
    case DataType::kBytes:
      for (int64_t i = 0; i < t.num_elements(); ++i) c->add_bytes_contents(std::string(t.string_at(i)));
      break;
    default: break;
  }
}

void EncodeRaw(const TensorView& t, std::string* out) {
  if (t.dtype != DataType::kBytes) {
    out->assign(static_cast<const char*>(t.data), t.byte_size);
    return;
  }
  const int64_t n = t.num_elements();
  out->reserve(t.byte_size + 4 * static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const std::string_view s = t.string_at(i);
    const auto length = static_cast<uint32_t>(s.size());
    const char prefix[4] = {static_cast<char>(length), static_cast<char>(length >> 8), static_cast<char>(length >> 16),
                            static_cast<char>(length >> 24)};
    out->append(prefix, 4);
    out->append(s);
  }
}

bool HasTypedField(DataType dtype) { return dtype != DataType::kFp16 && dtype != DataType::kBf16; }

void EncodeTensorMetadata(const serving::TensorMetadata& t, inference::ModelMetadataResponse::TensorMetadata* out) {
  out->set_name(t.name);
  out->set_datatype(std::string(DataTypeName(t.dtype)));
  for (int64_t d : t.shape) out->add_shape(d);
}

}  // namespace

void EncodeInferResponse(const serving::InferResponse& response, bool raw, inference::ModelInferResponse* message) {
  message->set_model_name(response.model_name);
  message->set_model_version(std::to_string(response.model_version));
  message->set_id(response.id);
  auto* parameters = message->mutable_parameters();
  (*parameters)["model_sha256"].set_string_param(response.model_sha256);
  (*parameters)["config_sha256"].set_string_param(response.config_sha256);
  EncodeParameters(response.parameters, parameters);
  for (const auto& out : response.outputs) raw = raw || !HasTypedField(out.tensor.dtype());
  for (const auto& out : response.outputs) {
    const TensorView view = out.tensor.view();
    auto* tensor = message->add_outputs();
    tensor->set_name(out.name);
    tensor->set_datatype(std::string(DataTypeName(view.dtype)));
    for (int64_t d : view.shape) tensor->add_shape(d);
    if (raw) EncodeRaw(view, message->add_raw_output_contents());
    else EncodeTyped(view, tensor->mutable_contents());
  }
}

void EncodeModelMetadata(const serving::ModelMetadata& metadata, inference::ModelMetadataResponse* message) {
  message->set_name(metadata.name);
  for (const auto& v : metadata.versions) message->add_versions(v);
  message->set_platform(metadata.platform);
  for (const auto& t : metadata.inputs) EncodeTensorMetadata(t, message->add_inputs());
  for (const auto& t : metadata.outputs) EncodeTensorMetadata(t, message->add_outputs());
}

void EncodeServerMetadata(const serving::ServerMetadata& metadata, inference::ServerMetadataResponse* message) {
  message->set_name(metadata.name);
  message->set_version(metadata.version);
  for (const auto& e : metadata.extensions) message->add_extensions(e);
}

}  // namespace finserve::grpc
