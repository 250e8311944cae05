#include "runtime/onnx/onnx_types.h"

#include <array>

#include "onnx/onnx_pb.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;

struct TypePair {
  int32_t onnx;
  DataType ours;
  std::string_view onnx_name;
};

constexpr std::array<TypePair, 14> kPairs = {{
    {TensorProto::FLOAT, DataType::kFp32, "FLOAT"},
    {TensorProto::UINT8, DataType::kUint8, "UINT8"},
    {TensorProto::INT8, DataType::kInt8, "INT8"},
    {TensorProto::UINT16, DataType::kUint16, "UINT16"},
    {TensorProto::INT16, DataType::kInt16, "INT16"},
    {TensorProto::INT32, DataType::kInt32, "INT32"},
    {TensorProto::INT64, DataType::kInt64, "INT64"},
    {TensorProto::STRING, DataType::kBytes, "STRING"},
    {TensorProto::BOOL, DataType::kBool, "BOOL"},
    {TensorProto::FLOAT16, DataType::kFp16, "FLOAT16"},
    {TensorProto::DOUBLE, DataType::kFp64, "DOUBLE"},
    {TensorProto::UINT32, DataType::kUint32, "UINT32"},
    {TensorProto::UINT64, DataType::kUint64, "UINT64"},
    {TensorProto::BFLOAT16, DataType::kBf16, "BFLOAT16"},
}};

}  // namespace

DataType DataTypeFromOnnx(int32_t onnx_elem_type) {
  for (const auto& p : kPairs) {
    if (p.onnx == onnx_elem_type) return p.ours;
  }
  return DataType::kInvalid;
}

int32_t OnnxFromDataType(DataType type) {
  for (const auto& p : kPairs) {
    if (p.ours == type) return p.onnx;
  }
  return TensorProto::UNDEFINED;
}

std::string OnnxTypeName(int32_t onnx_elem_type) {
  for (const auto& p : kPairs) {
    if (p.onnx == onnx_elem_type) return std::string(p.onnx_name);
  }
  if (onnx_elem_type == TensorProto::COMPLEX64) return "COMPLEX64";
  if (onnx_elem_type == TensorProto::COMPLEX128) return "COMPLEX128";
  return "UNKNOWN(" + std::to_string(onnx_elem_type) + ")";
}

std::string DataTypeSet::ToString() const {
  std::string out;
  for (int i = 1; i <= static_cast<int>(DataType::kBytes); ++i) {
    const auto t = static_cast<DataType>(i);
    if (!contains(t)) continue;
    if (!out.empty()) out += ", ";
    out += DataTypeName(t);
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace finserve::runtime::onnx
