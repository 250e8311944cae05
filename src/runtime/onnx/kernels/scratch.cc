#include "runtime/onnx/kernels/scratch.h"

#include <cstdlib>
#include <memory>
#include <new>

namespace finserve::runtime::onnx {
namespace {

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

struct Block {
  std::unique_ptr<void, FreeDeleter> memory;
  size_t bytes = 0;
};

}  // namespace

void* ThreadScratch(size_t bytes) {
  thread_local Block block;
  const bool fits = bytes <= block.bytes;
  const bool oversized = block.bytes > kMaxKeptScratchBytes && bytes < block.bytes / 2;
  if (fits && !oversized) return block.memory.get();
  block.memory.reset();
  block.bytes = 0;
  const size_t size = ScratchCarver::Round(bytes == 0 ? 1 : bytes);
  void* p = std::aligned_alloc(ScratchCarver::kAlign, size);
  if (p == nullptr) throw std::bad_alloc();
  block.memory.reset(p);
  block.bytes = size;
  return p;
}

}  // namespace finserve::runtime::onnx
