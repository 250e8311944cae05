// ONNX element types <-> finserve DataType, and DataTypeSet (a small bitset used by the kernel
// table to state which element types a kernel accepts).
//
// Every ONNX tensor element type that has an Open Inference Protocol equivalent maps to one
// DataType; STRING maps to BYTES. COMPLEX64/128 and the 8-bit float types have none and are
// refused at load. Pure functions and value types; thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/data_type.h"
#include "core/status.h"

namespace finserve::runtime::onnx {

// ONNX TensorProto.DataType -> DataType; kInvalid when there is no OIP equivalent.
DataType DataTypeFromOnnx(int32_t onnx_elem_type);
// The inverse; 0 (UNDEFINED) for kInvalid.
int32_t OnnxFromDataType(DataType type);
// "FLOAT", "INT64", ... as ONNX spells them ("UNKNOWN(n)" otherwise).
std::string OnnxTypeName(int32_t onnx_elem_type);

class DataTypeSet {
 public:
  constexpr DataTypeSet() = default;
  constexpr DataTypeSet(std::initializer_list<DataType> types) {
    for (DataType t : types) bits_ |= Bit(t);
  }
  constexpr bool contains(DataType t) const { return (bits_ & Bit(t)) != 0; }
  constexpr DataTypeSet operator|(DataTypeSet other) const { return FromBits(bits_ | other.bits_); }
  constexpr bool empty() const { return bits_ == 0; }
  // "FP32, FP64"
  std::string ToString() const;

 private:
  static constexpr uint32_t Bit(DataType t) { return 1u << static_cast<uint32_t>(t); }
  static constexpr DataTypeSet FromBits(uint32_t bits) {
    DataTypeSet s;
    s.bits_ = bits;
    return s;
  }
  uint32_t bits_ = 0;
};

// The sets the kernel table uses.
inline constexpr DataTypeSet kFloatTypes = {DataType::kFp32, DataType::kFp64};
inline constexpr DataTypeSet kSignedIntTypes = {DataType::kInt8, DataType::kInt16, DataType::kInt32,
                                                DataType::kInt64};
inline constexpr DataTypeSet kUnsignedIntTypes = {DataType::kUint8, DataType::kUint16, DataType::kUint32,
                                                  DataType::kUint64};
inline constexpr DataTypeSet kIntTypes = kSignedIntTypes | kUnsignedIntTypes;
inline constexpr DataTypeSet kNumericTypes = kFloatTypes | kIntTypes;
inline constexpr DataTypeSet kSignedNumericTypes = kFloatTypes | kSignedIntTypes;
inline constexpr DataTypeSet kBoolType = {DataType::kBool};
inline constexpr DataTypeSet kIndexTypes = {DataType::kInt32, DataType::kInt64};
inline constexpr DataTypeSet kHalfTypes = {DataType::kFp16, DataType::kBf16};
// Every type a data-movement kernel (Reshape, Gather, Concat, ...) can carry.
inline constexpr DataTypeSet kAllTypes = kNumericTypes | kBoolType | kHalfTypes | DataTypeSet{DataType::kBytes};

}  // namespace finserve::runtime::onnx
