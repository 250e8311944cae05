// TensorData: the executor's view of one tensor (dtype, concrete shape, pointer), and
// OwnedTensor: a TensorData together with the storage it points into.
//
// Numeric elements are stored densely, row-major, 64-byte aligned; BOOL as one byte 0/1 read
// through `bool`; FP16/BF16 as uint16_t bit patterns. BYTES (ONNX STRING) tensors are arrays of
// std::string, so data-movement kernels handle them like any other element type.
// A TensorData never owns memory: whoever created it (an OwnedTensor, the executor's per-call
// frame, a request view) keeps it alive. OwnedTensor shares its storage on copy (like
// core::Tensor) and is immutable once published (constants are read by concurrent Run calls).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/data_type.h"
#include "core/status.h"
#include "runtime/onnx/dims.h"

namespace finserve::runtime::onnx {

struct TensorData {
  DataType dtype = DataType::kInvalid;
  Dims shape;
  void* data = nullptr;

  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
  size_t rank() const { return shape.size(); }
  template <typename T>
  const T* data_as() const {
    return static_cast<const T*>(data);
  }
  template <typename T>
  T* mutable_data_as() const {
    return static_cast<T*>(data);
  }
};

// Bytes per element as stored here: sizeof(std::string) for BYTES, 0 for kInvalid.
size_t ElementSize(DataType type);

// Upper bound on the elements of any one tensor (1 GiB of float), checked whenever a shape comes
// from model data or a request, so that neither can ask for absurd allocations.
#ifdef FINSERVE_FUZZ_LIMITS
// Fuzz builds: small enough that no single input spends libFuzzer's per-input time budget on one
// huge (but legal) tensor, e.g. a Pad with pads of millions in reflect mode.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 20;
#else
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 28;
#endif
// Constant folding at load produces at most this many elements per output; a node that would
// make more stays a run-time step (folding must not turn a small file into a huge model).
inline constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

class OwnedTensor {
 public:
  OwnedTensor() = default;
  // Zero-filled numeric storage, or empty strings for BYTES. The element count is checked
  // against kMaxTensorElements.
  static Result<OwnedTensor> Allocate(DataType dtype, Dims shape);

  const TensorData& data() const { return view_; }
  // Shares the storage under a new shape of the same element count.
  OwnedTensor Reshaped(Dims shape) const {
    OwnedTensor t = *this;
    t.view_.shape = std::move(shape);
    return t;
  }
  // Wraps `view` and keeps `storage` (which must own view.data) alive with it.
  static OwnedTensor Wrap(TensorData view, std::shared_ptr<void> storage) {
    OwnedTensor t;
    t.view_ = std::move(view);
    t.storage_ = std::move(storage);
    return t;
  }
  bool valid() const { return view_.dtype != DataType::kInvalid; }

 private:
  TensorData view_;
  std::shared_ptr<void> storage_;
};

// Copies `count` elements of `dtype` (strings are assigned; everything else memcpy'd).
void CopyElements(DataType dtype, const void* src, void* dst, int64_t count);
// Writes `count` copies of the one element at `value` (doubling memcpy for numbers).
void FillElements(DataType dtype, const void* value, void* dst, int64_t count);

}  // namespace finserve::runtime::onnx
