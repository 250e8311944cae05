// OnednnChain: a chain of fp32 2-D convolutions and poolings run back to back in oneDNN, the
// intermediate tensors kept in the blocked channel layout (nChw8c/nChw16c) oneDNN's kernels
// prefer. The chain's input is reordered into that layout once and only its (pooled, small)
// output is reordered back to plain NCHW, instead of a reorder in and out of every convolution
// and a full memory pass per ReLU and pooling as separate plan steps do.
//
// Stages, in order:
//   kConv               Y = Conv(X, W, B) (W, B constant), optionally followed by ReLU as a
//                       oneDNN post-op (the fused Relu node)
//   kMaxPool            MaxPool without the Indices output
//   kAveragePool        AveragePool (count_include_pad as oneDNN's include/exclude padding)
//   kGlobalAveragePool  GlobalAveragePool
// Same contract as the separate kernels for finite data (results differ in the last bits:
// float accumulation, oneDNN's summation order). What oneDNN cannot express exactly is refused
// by Prepare() (nullptr): another rank than 4, a ceil_mode window charged for padding past the
// declared pads, a shape the windows do not fit. Non-finite inputs are the caller's business
// (FusedConvChainKernel runs the separate kernels then, so NaN/Inf follow ONNX's semantics).
//
// Prepare() caches oneDNN primitives, reorders and the constant weights (reordered once into
// the primitive's layout) per input shape, up to kMaxEntries; Run() needs one scratch block.
// Thread-safe: the cache is locked, entries are immutable, execution uses the thread's stream.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/kernels/window.h"

namespace finserve::runtime::onnx {

struct ChainStage {
  enum class Kind { kConv, kMaxPool, kAveragePool, kGlobalAveragePool };
  Kind kind = Kind::kConv;
  WindowAttrs attrs;                 // kConv, kMaxPool, kAveragePool
  int64_t group = 1;                 // kConv
  bool relu = false;                 // kConv: ReLU post-op
  bool count_include_pad = false;    // kAveragePool
  const float* w = nullptr;          // kConv: [M, C/group, kH, kW], owned by the plan (constant)
  std::vector<int64_t> w_shape;      // kConv
  const float* bias = nullptr;       // kConv: [M] or nullptr, owned by the plan (constant)
};

class OnednnChain {
 public:
  struct Prepared;  // one input shape's primitives (opaque)

  explicit OnednnChain(std::vector<ChainStage> stages);
  ~OnednnChain();

  // nullptr when this input shape is not expressible in oneDNN exactly (see above) or oneDNN
  // refuses it; the caller then runs the separate kernels, which also report shape errors.
  // oneDNN fixes a primitive's thread count when it is created: `threads` must be the count
  // Run() gets.
  std::shared_ptr<const Prepared> Prepare(std::span<const int64_t> x_shape, int threads) const;
  static const std::vector<int64_t>& OutputShape(const Prepared& prepared);
  // x: [N, C, H, W] plain; y: OutputShape() plain.
  Status Run(const Prepared& prepared, const float* x, float* y, int threads) const;

 private:
  std::shared_ptr<Prepared> Build(std::span<const int64_t> x_shape) const;

  std::vector<ChainStage> stages_;
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, std::shared_ptr<const Prepared>> cache_;
};

}  // namespace finserve::runtime::onnx
