#include "runtime/onnx/tensor_data.h"

#include <algorithm>
#include <cstring>

#include "core/shape.h"
#include "core/tensor.h"

namespace finserve::runtime::onnx {

size_t ElementSize(DataType type) {
  if (type == DataType::kBytes) return sizeof(std::string);
  return DataTypeSize(type);
}

Result<OwnedTensor> OwnedTensor::Allocate(DataType dtype, Dims shape) {
  if (ElementSize(dtype) == 0) return InvalidArgument("cannot allocate a tensor of type INVALID");
  FS_ASSIGN_OR_RETURN(int64_t n, Shape::CheckedElementCount(shape, kMaxTensorElements));
  OwnedTensor t;
  t.view_.dtype = dtype;
  t.view_.shape = std::move(shape);
  if (dtype == DataType::kBytes) {
    std::shared_ptr<std::string[]> strings(new std::string[static_cast<size_t>(n)]);
    t.view_.data = strings.get();
    t.storage_ = std::move(strings);
  } else {
    const size_t bytes = static_cast<size_t>(n) * ElementSize(dtype);
    std::shared_ptr<std::byte> buffer = AllocateAligned(bytes);
    std::memset(buffer.get(), 0, bytes);
    t.view_.data = buffer.get();
    t.storage_ = std::move(buffer);
  }
  return t;
}

void CopyElements(DataType dtype, const void* src, void* dst, int64_t count) {
  if (count <= 0) return;
  if (dtype == DataType::kBytes) {
    const auto* s = static_cast<const std::string*>(src);
    auto* d = static_cast<std::string*>(dst);
    for (int64_t i = 0; i < count; ++i) d[i] = s[i];
    return;
  }
  std::memcpy(dst, src, static_cast<size_t>(count) * ElementSize(dtype));
}

void FillElements(DataType dtype, const void* value, void* dst, int64_t count) {
  if (count <= 0) return;
  if (dtype == DataType::kBytes) {
    const auto& v = *static_cast<const std::string*>(value);
    auto* d = static_cast<std::string*>(dst);
    for (int64_t i = 0; i < count; ++i) d[i] = v;
    return;
  }
  const size_t es = ElementSize(dtype), total = static_cast<size_t>(count) * es;
  auto* d = static_cast<char*>(dst);
  std::memcpy(d, value, es);
  for (size_t filled = es; filled < total; filled *= 2) std::memcpy(d + filled, d, std::min(filled, total - filled));
}

}  // namespace finserve::runtime::onnx
