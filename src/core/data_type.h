// DataType: the Open Inference Protocol tensor element types, with names as on the wire
// ("FP32", "INT64", "BYTES", ...) and element sizes. FP16 and BF16 are storage-only types.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace finserve {

enum class DataType : uint8_t {
  kInvalid = 0,
  kBool,
  kUint8,
  kUint16,
  kUint32,
  kUint64,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kFp16,
  kBf16,
  kFp32,
  kFp64,
  kBytes,
};

// "FP32" etc.; "INVALID" for kInvalid.
std::string_view DataTypeName(DataType type);
// kInvalid if `name` is not an OIP datatype name (names are case-sensitive, as in the protocol).
DataType DataTypeFromName(std::string_view name);
// Bytes per element; 0 for BYTES (variable length) and kInvalid.
size_t DataTypeSize(DataType type);

inline bool IsFloating(DataType t) {
  return t == DataType::kFp16 || t == DataType::kBf16 || t == DataType::kFp32 || t == DataType::kFp64;
}
inline bool IsInteger(DataType t) { return t >= DataType::kUint8 && t <= DataType::kInt64; }
inline bool IsSignedInteger(DataType t) { return t >= DataType::kInt8 && t <= DataType::kInt64; }

// The C++ type stored for a DataType (for templates); BOOL is stored as one byte 0/1.
template <typename T>
constexpr DataType DataTypeOf();
template <> constexpr DataType DataTypeOf<bool>() { return DataType::kBool; }
template <> constexpr DataType DataTypeOf<uint8_t>() { return DataType::kUint8; }
template <> constexpr DataType DataTypeOf<uint16_t>() { return DataType::kUint16; }
template <> constexpr DataType DataTypeOf<uint32_t>() { return DataType::kUint32; }
template <> constexpr DataType DataTypeOf<uint64_t>() { return DataType::kUint64; }
template <> constexpr DataType DataTypeOf<int8_t>() { return DataType::kInt8; }
template <> constexpr DataType DataTypeOf<int16_t>() { return DataType::kInt16; }
template <> constexpr DataType DataTypeOf<int32_t>() { return DataType::kInt32; }
template <> constexpr DataType DataTypeOf<int64_t>() { return DataType::kInt64; }
template <> constexpr DataType DataTypeOf<float>() { return DataType::kFp32; }
template <> constexpr DataType DataTypeOf<double>() { return DataType::kFp64; }

}  // namespace finserve
