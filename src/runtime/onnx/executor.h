// Executor: runs an ExecutionPlan on requests.
//
// Each call works in a frame: the request's tensors are read in place (no copy, except BYTES,
// which become std::string arrays), intermediates live in one arena laid out by the planner or,
// for shapes known only now, in pooled buffers reused as values die at their planned step. Graph
// outputs are written straight into the caller's Tensors. Frames are recycled between calls (a
// small free list under a mutex), so a steady stream of requests allocates little beyond its
// output tensors; a frame whose pooled buffers grew past kMaxIdleFrameBytes is dropped instead.
//
// Input dtypes and shapes are checked against the declared ones (including symbolic dims that
// must agree across inputs) before any kernel runs: a mismatch is InvalidArgument naming the
// input. Kernel errors come back with the node's description in front.
// Thread-safe: Run may be called concurrently; each call has its own frame. The plan must
// outlive the Executor.
#pragma once

#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "runtime/model.h"
#include "runtime/onnx/execution_plan.h"

namespace finserve::runtime::onnx {

class Frame;

inline constexpr size_t kMaxIdleFrames = 16;
inline constexpr size_t kMaxIdleFrameBytes = size_t{64} << 20;

class Executor {
 public:
  explicit Executor(const ExecutionPlan* plan);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  Status Run(std::span<const TensorView> inputs, const OutputSelection& wanted, std::vector<Tensor>* outputs) const;

 private:
  std::unique_ptr<Frame> Acquire() const;
  void Recycle(std::unique_ptr<Frame> frame) const;

  const ExecutionPlan* plan_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Frame>> idle_;
};

}  // namespace finserve::runtime::onnx
