#include "runtime/onnx/tensor_proto.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "onnx/onnx_pb.h"
#include "runtime/onnx/onnx_types.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;
namespace fs = std::filesystem;

template <typename Field, typename T>
Status CopyTyped(const Field& field, int64_t n, T* out, const char* field_name) {
  if (static_cast<int64_t>(field.size()) != n) {
    return InvalidArgument(std::string(field_name) + " holds " + std::to_string(field.size()) +
                           " values, the dims need " + std::to_string(n));
  }
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(field.Get(static_cast<int>(i)));
  return Status::Ok();
}

Status CopyInt32Field(const TensorProto& p, const TensorData& t, int64_t n) {
  switch (t.dtype) {
    case DataType::kInt32: return CopyTyped(p.int32_data(), n, t.mutable_data_as<int32_t>(), "int32_data");
    case DataType::kInt16: return CopyTyped(p.int32_data(), n, t.mutable_data_as<int16_t>(), "int32_data");
    case DataType::kInt8: return CopyTyped(p.int32_data(), n, t.mutable_data_as<int8_t>(), "int32_data");
    case DataType::kUint8: return CopyTyped(p.int32_data(), n, t.mutable_data_as<uint8_t>(), "int32_data");
    case DataType::kUint16:
    case DataType::kFp16:
    case DataType::kBf16: return CopyTyped(p.int32_data(), n, t.mutable_data_as<uint16_t>(), "int32_data");
    case DataType::kBool: {
      auto* out = t.mutable_data_as<bool>();
      if (p.int32_data_size() != n) return InvalidArgument("int32_data size does not match the dims");
      for (int64_t i = 0; i < n; ++i) out[i] = p.int32_data(static_cast<int>(i)) != 0;
      return Status::Ok();
    }
    default: return Internal("int32_data for an unexpected type");
  }
}

Status CopyTypedFields(const TensorProto& p, const TensorData& t, int64_t n) {
  switch (t.dtype) {
    case DataType::kFp32: return CopyTyped(p.float_data(), n, t.mutable_data_as<float>(), "float_data");
    case DataType::kFp64: return CopyTyped(p.double_data(), n, t.mutable_data_as<double>(), "double_data");
    case DataType::kInt64: return CopyTyped(p.int64_data(), n, t.mutable_data_as<int64_t>(), "int64_data");
    case DataType::kUint32: return CopyTyped(p.uint64_data(), n, t.mutable_data_as<uint32_t>(), "uint64_data");
    case DataType::kUint64: return CopyTyped(p.uint64_data(), n, t.mutable_data_as<uint64_t>(), "uint64_data");
    case DataType::kBytes: {
      if (p.string_data_size() != n) return InvalidArgument("string_data size does not match the dims");
      auto* out = t.mutable_data_as<std::string>();
      for (int64_t i = 0; i < n; ++i) out[i] = p.string_data(static_cast<int>(i));
      return Status::Ok();
    }
    default: return CopyInt32Field(p, t, n);
  }
}

Status CopyRaw(std::string_view raw, const TensorData& t, int64_t n) {
  if (t.dtype == DataType::kBytes) return InvalidArgument("STRING tensors cannot use raw_data");
  const size_t want = static_cast<size_t>(n) * ElementSize(t.dtype);
  if (raw.size() != want) {
    return InvalidArgument("raw data holds " + std::to_string(raw.size()) + " bytes, the dims need " +
                           std::to_string(want));
  }
  if (want > 0) std::memcpy(t.data, raw.data(), want);
  if (t.dtype == DataType::kBool) {
    for (size_t i = 0; i < want; ++i) {
      auto* b = static_cast<uint8_t*>(t.data) + i;
      *b = *b != 0;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> ReadExternalData(const TensorProto& p, const std::string& model_dir) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& kv : p.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      if (kv.key() == "offset") offset = std::stoll(kv.value());
      if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      return InvalidArgument("external data '" + kv.key() + "' is not a number: '" + kv.value() + "'");
    }
  }
  if (offset < 0 || length < -1) return InvalidArgument("external data offset/length is negative");
  FS_ASSIGN_OR_RETURN(std::string path, ResolveExternalPath(model_dir, location));
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("external data file '" + location + "' cannot be opened");
  in.seekg(0, std::ios::end);
  const int64_t file_size = static_cast<int64_t>(in.tellg());
  if (offset > file_size) return InvalidArgument("external data offset is past the end of '" + location + "'");
  if (length < 0) length = file_size - offset;
  if (offset + length > file_size) return InvalidArgument("external data runs past the end of '" + location + "'");
  std::string bytes(static_cast<size_t>(length), '\0');
  in.seekg(offset);
  in.read(bytes.data(), length);
  if (!in) return DataLoss("reading external data file '" + location + "' failed");
  return bytes;
}

Status InlineExternalData(TensorProto* p, const std::string& model_dir) {
  if (p->data_location() != TensorProto::EXTERNAL) return Status::Ok();
  Result<std::string> bytes = ReadExternalData(*p, model_dir);
  if (!bytes.ok()) return bytes.status().WithContext("tensor '" + p->name() + "'");
  p->set_raw_data(std::move(bytes).value());
  p->clear_external_data();
  p->set_data_location(TensorProto::DEFAULT);
  return Status::Ok();
}

Result<std::string> ResolveExternalPath(const std::string& model_dir, const std::string& location) {
  if (model_dir.empty()) return InvalidArgument("external data is not allowed for a model loaded without a directory");
  if (location.empty()) return InvalidArgument("external data has no 'location'");
  const fs::path rel(location);
  if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
    return InvalidArgument("external data location '" + location + "' must be relative to the model directory");
  }
  for (const auto& part : rel) {
    if (part == "..") return InvalidArgument("external data location '" + location + "' leaves the model directory");
  }
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::path(model_dir), ec);
  if (ec) return NotFound("model directory '" + model_dir + "' cannot be resolved");
  const fs::path full = fs::weakly_canonical(base / rel, ec);
  if (ec) return NotFound("external data location '" + location + "' cannot be resolved");
  const auto mismatch = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
  if (mismatch.first != base.end()) {
    return InvalidArgument("external data location '" + location + "' resolves outside the model directory");
  }
  return full.string();
}

Result<OwnedTensor> TensorFromProto(const TensorProto& p, const std::string& model_dir) {
  const DataType dtype = DataTypeFromOnnx(p.data_type());
  if (dtype == DataType::kInvalid) {
    return Unimplemented("tensor '" + p.name() + "': element type " + OnnxTypeName(p.data_type()) +
                         " is not supported");
  }
  if (p.has_segment()) return Unimplemented("tensor '" + p.name() + "': segmented tensors are not supported");
  Dims dims(p.dims().begin(), p.dims().end());
  Result<OwnedTensor> allocated = OwnedTensor::Allocate(dtype, std::move(dims));
  if (!allocated.ok()) return allocated.status().WithContext("tensor '" + p.name() + "'");
  OwnedTensor t = std::move(allocated).value();
  const int64_t n = t.data().size();
  Status s;
  if (p.data_location() == TensorProto::EXTERNAL) {
    Result<std::string> bytes = ReadExternalData(p, model_dir);
    s = bytes.ok() ? CopyRaw(*bytes, t.data(), n) : bytes.status();
  } else if (p.has_raw_data()) {
    s = CopyRaw(p.raw_data(), t.data(), n);
  } else {
    s = CopyTypedFields(p, t.data(), n);
  }
  if (!s.ok()) return s.WithContext("tensor '" + p.name() + "'");
  return t;
}

}  // namespace finserve::runtime::onnx
