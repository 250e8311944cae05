// Helpers shared by the CPU kernels: axis normalisation, reading small integer tensors
// (axes, shapes, k), element-type dispatch, and row-major strides. Header-only; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/tensor_data.h"

namespace finserve::runtime::onnx {

// axis in [-rank, rank) -> [0, rank); InvalidArgument otherwise.
inline Result<int> NormalizeAxis(int64_t axis, size_t rank) {
  const auto r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    return InvalidArgument("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  }
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

// The values of an INT32/INT64 tensor as int64 (axes, shapes, starts, k, ...).
inline Result<std::vector<int64_t>> ReadInts(const TensorData& t) {
  const int64_t n = t.size();
  std::vector<int64_t> out(static_cast<size_t>(n));
  if (t.dtype == DataType::kInt64) {
    for (int64_t i = 0; i < n; ++i) out[i] = t.data_as<int64_t>()[i];
  } else if (t.dtype == DataType::kInt32) {
    for (int64_t i = 0; i < n; ++i) out[i] = t.data_as<int32_t>()[i];
  } else {
    return InvalidArgument("expected an INT32 or INT64 tensor, got " + std::string(DataTypeName(t.dtype)));
  }
  return out;
}

// One scalar of any numeric type as double (for Clip bounds, Range, ConstantOfShape...).
inline double ScalarAsDouble(const TensorData& t, int64_t i = 0) {
  switch (t.dtype) {
    case DataType::kFp32: return t.data_as<float>()[i];
    case DataType::kFp64: return t.data_as<double>()[i];
    case DataType::kInt8: return t.data_as<int8_t>()[i];
    case DataType::kInt16: return t.data_as<int16_t>()[i];
    case DataType::kInt32: return t.data_as<int32_t>()[i];
    case DataType::kInt64: return static_cast<double>(t.data_as<int64_t>()[i]);
    case DataType::kUint8: return t.data_as<uint8_t>()[i];
    case DataType::kUint16: return t.data_as<uint16_t>()[i];
    case DataType::kUint32: return t.data_as<uint32_t>()[i];
    case DataType::kUint64: return static_cast<double>(t.data_as<uint64_t>()[i]);
    case DataType::kBool: return t.data_as<bool>()[i] ? 1.0 : 0.0;
    default: return 0.0;
  }
}

inline Dims RowMajorStrides(const Dims& shape) {
  Dims strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

inline int64_t Product(const Dims& shape, size_t begin, size_t end) {
  int64_t n = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) n *= shape[i];
  return n;
}

template <typename T>
struct TypeTag {
  using type = T;
};

// Calls fn(TypeTag<T>{}) for the C++ type of a numeric (or BOOL) DataType; returns
// Unimplemented for others. fn returns a value of type R.
template <typename R, typename Fn>
Result<R> DispatchNumeric(DataType t, Fn&& fn) {
  switch (t) {
    case DataType::kFp32: return fn(TypeTag<float>{});
    case DataType::kFp64: return fn(TypeTag<double>{});
    case DataType::kInt8: return fn(TypeTag<int8_t>{});
    case DataType::kInt16: return fn(TypeTag<int16_t>{});
    case DataType::kInt32: return fn(TypeTag<int32_t>{});
    case DataType::kInt64: return fn(TypeTag<int64_t>{});
    case DataType::kUint8: return fn(TypeTag<uint8_t>{});
    case DataType::kUint16: return fn(TypeTag<uint16_t>{});
    case DataType::kUint32: return fn(TypeTag<uint32_t>{});
    case DataType::kUint64: return fn(TypeTag<uint64_t>{});
    case DataType::kBool: return fn(TypeTag<bool>{});
    default: return Unimplemented("element type " + std::string(DataTypeName(t)) + " is not supported here");
  }
}

// Same for element sizes, for kernels that only move elements: 1/2/4/8-byte integers or std::string.
template <typename R, typename Fn>
Result<R> DispatchByElementSize(DataType t, Fn&& fn) {
  if (t == DataType::kBytes) return fn(TypeTag<std::string>{});
  switch (ElementSize(t)) {
    case 1: return fn(TypeTag<uint8_t>{});
    case 2: return fn(TypeTag<uint16_t>{});
    case 4: return fn(TypeTag<uint32_t>{});
    case 8: return fn(TypeTag<uint64_t>{});
    default: return Unimplemented("element type " + std::string(DataTypeName(t)) + " is not supported here");
  }
}

}  // namespace finserve::runtime::onnx
