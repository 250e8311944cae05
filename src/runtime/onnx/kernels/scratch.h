// Per-thread scratch memory for a kernel's temporaries (im2col columns, RNN gate buffers).
//
// ThreadScratch(bytes) returns a 64-byte aligned buffer of at least `bytes` bytes owned by the
// calling thread and valid until that thread's next call: a kernel asks once per Compute for
// everything it needs and carves it up (ScratchCarver). Steady-state requests therefore do not
// allocate. A thread keeps at most kMaxKeptScratchBytes between calls: a larger request gets a
// buffer of its size that the next, smaller request releases. Contents are uninitialised.
#pragma once

#include <cstddef>
#include <cstdint>

namespace finserve::runtime::onnx {

inline constexpr size_t kMaxKeptScratchBytes = size_t{64} << 20;

void* ThreadScratch(size_t bytes);

// Hands out consecutive 64-byte aligned pieces of one scratch block.
class ScratchCarver {
 public:
  static constexpr size_t kAlign = 64;
  static size_t Round(size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }
  template <typename T>
  static size_t Bytes(int64_t count) {
    return Round(static_cast<size_t>(count) * sizeof(T));
  }

  explicit ScratchCarver(void* block) : next_(static_cast<std::byte*>(block)) {}
  template <typename T>
  T* Take(int64_t count) {
    T* p = reinterpret_cast<T*>(next_);
    next_ += Bytes<T>(count);
    return p;
  }

 private:
  std::byte* next_;
};

}  // namespace finserve::runtime::onnx
