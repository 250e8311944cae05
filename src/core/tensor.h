// Tensor: a typed, shaped, contiguous, row-major buffer; TensorView: a non-owning view of one.
//
// Ownership: a Tensor owns its storage through a shared buffer; copying a Tensor shares the
// storage (cheap, used to hand results around), Clone() deep-copies. Writers must own the only
// copy (e.g. a freshly allocated output). Numeric storage is 64-byte aligned for SIMD kernels.
// BYTES tensors keep all element payloads back to back in one buffer plus num_elements+1 offsets.
// A TensorView borrows the data and the dims of whoever owns them; it must not outlive them.
// Thread-safety: const methods may be called concurrently; mutation needs exclusive access.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/data_type.h"
#include "core/shape.h"

namespace finserve {

struct TensorView {
  DataType dtype = DataType::kInvalid;
  std::span<const int64_t> shape;
  const void* data = nullptr;
  size_t byte_size = 0;
  const uint64_t* byte_offsets = nullptr;  // BYTES only: num_elements + 1 offsets into data

  int64_t num_elements() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  template <typename T>
  const T* data_as() const {
    return static_cast<const T*>(data);
  }
  std::string_view string_at(int64_t i) const {
    const char* base = static_cast<const char*>(data);
    return {base + byte_offsets[i], static_cast<size_t>(byte_offsets[i + 1] - byte_offsets[i])};
  }
};

class Tensor {
 public:
  Tensor() = default;

  // Numeric tensor with zero-filled storage. `dtype` must not be BYTES or kInvalid.
  static Tensor Zeros(DataType dtype, Shape shape);
  // Numeric tensor with uninitialised storage (for outputs that are fully written).
  static Tensor Uninitialized(DataType dtype, Shape shape);
  // BYTES tensor holding copies of `values` (one per element, row-major).
  static Tensor FromStrings(Shape shape, std::span<const std::string> values);
  static Tensor FromStrings(Shape shape, std::span<const std::string_view> values);
  // Numeric tensor holding a copy of `values`.
  template <typename T>
  static Tensor FromVector(Shape shape, std::span<const T> values) {
    Tensor t = Uninitialized(DataTypeOf<T>(), std::move(shape));
    std::copy(values.begin(), values.end(), t.data<T>());
    return t;
  }
  template <typename T>
  static Tensor FromVector(Shape shape, const std::vector<T>& values) {
    return FromVector<T>(std::move(shape), std::span<const T>(values));
  }
  // Deep copy of any view.
  static Tensor CopyOf(const TensorView& view);

  bool valid() const { return dtype_ != DataType::kInvalid; }
  DataType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t num_elements() const { return shape_.num_elements(); }
  size_t byte_size() const { return byte_size_; }

  void* raw_data() { return buffer_.get(); }
  const void* raw_data() const { return buffer_.get(); }
  template <typename T>
  T* data() {
    return reinterpret_cast<T*>(buffer_.get());
  }
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(buffer_.get());
  }

  std::string_view string_at(int64_t i) const { return view().string_at(i); }

  TensorView view() const;
  Tensor Clone() const;
  // Same storage, new shape with the same element count (checked by the caller).
  Tensor Reshaped(Shape shape) const;

 private:
  DataType dtype_ = DataType::kInvalid;
  Shape shape_;
  size_t byte_size_ = 0;
  std::shared_ptr<std::byte> buffer_;
  std::shared_ptr<const std::vector<uint64_t>> byte_offsets_;  // BYTES only
};

// Allocates `bytes` (rounded up to 64) with 64-byte alignment.
std::shared_ptr<std::byte> AllocateAligned(size_t bytes);

}  // namespace finserve
