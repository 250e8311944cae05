// Kernel: the compute of one node, created once at load and shared by every Run.
//
//   Create  a factory (one per table row in cpu_kernels.cc) reads the node's attributes, checks
//           what it can (types, attribute values, constant inputs) and returns the kernel or an
//           error naming the problem; KernelInfo::Error() adds the node, op, domain and opset.
//   Compute reads inputs from a KernelContext and asks it for outputs by shape; the context
//           decides where outputs live (planned arena slot, pooled buffer, the caller's output
//           tensor). Request-dependent problems (a shape that does not broadcast, an index out
//           of range) are returned as InvalidArgument; the executor adds the node context.
//
// Kernels are immutable after creation and Compute is const: it must be safe to call from many
// threads at once (caches, if any, must be internally synchronised).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/attributes.h"
#include "runtime/onnx/graph.h"
#include "runtime/onnx/tensor_data.h"

namespace finserve::runtime::onnx {

// What a factory sees of its node at load.
struct KernelInfo {
  const GraphNode* node = nullptr;
  std::string description;  // DescribeNode(...)
  const NodeAttributes* attributes = nullptr;
  std::vector<DataType> input_types;   // kInvalid for an omitted optional input
  std::vector<DataType> output_types;  // kInvalid for an omitted optional output
  std::vector<const GraphValue*> input_values;  // declared/inferred info; nullptr when omitted
  std::vector<const TensorData*> constant_inputs;  // non-null when the input is known at load
  int intra_op_threads = 1;

  int opset() const { return node->opset; }
  const NodeAttributes& attrs() const { return *attributes; }
  size_t num_inputs() const { return input_types.size(); }
  size_t num_outputs() const { return output_types.size(); }
  bool has_input(size_t i) const { return i < input_types.size() && input_types[i] != DataType::kInvalid; }
  bool has_output(size_t i) const { return i < output_types.size() && output_types[i] != DataType::kInvalid; }
  DataType input_type(size_t i) const { return has_input(i) ? input_types[i] : DataType::kInvalid; }
  DataType output_type(size_t i) const { return has_output(i) ? output_types[i] : DataType::kInvalid; }
  // Unimplemented/InvalidArgument with this node's description in front.
  Status Error(std::string_view message) const;
  Status Unsupported(std::string_view message) const;
};

// Where a kernel's outputs go; implemented by the executor's frame and the load-time folder.
class OutputAllocator {
 public:
  virtual ~OutputAllocator() = default;
  // Storage for output `index` of the running node with the given shape (dtype is the node's
  // declared output type). Numeric contents are uninitialised; strings are empty.
  virtual Result<TensorData*> Allocate(int index, Dims shape) = 0;
  // Output `index` shares input `input_index`'s storage with a new shape of equal size. Only
  // kernels whose table row says so (KernelDef::alias_output0) may call this.
  virtual Status Alias(int index, int input_index, Dims shape) = 0;
  // False for an omitted optional output, which a kernel must not write.
  virtual bool HasOutput(int index) const = 0;
};

class KernelContext {
 public:
  KernelContext(std::span<const TensorData* const> inputs, OutputAllocator* allocator, int intra_op_threads)
      : inputs_(inputs), allocator_(allocator), intra_op_threads_(intra_op_threads) {}

  size_t num_inputs() const { return inputs_.size(); }
  // nullptr for an omitted optional input (or past the end).
  const TensorData* input(size_t i) const { return i < inputs_.size() ? inputs_[i] : nullptr; }
  // A required input (the graph builder has checked presence against the schema).
  const TensorData& Input(size_t i) const { return *inputs_[i]; }

  Result<TensorData*> Output(int index, Dims shape) { return allocator_->Allocate(index, std::move(shape)); }
  Status AliasInput(int output_index, int input_index, Dims shape) {
    return allocator_->Alias(output_index, input_index, std::move(shape));
  }
  bool has_output(int index) const { return allocator_->HasOutput(index); }
  int intra_op_threads() const { return intra_op_threads_; }

 private:
  std::span<const TensorData* const> inputs_;
  OutputAllocator* allocator_;
  int intra_op_threads_;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Compute(KernelContext& ctx) const = 0;
  // Which implementation ran, where results may differ in the last bits ("onednn", "eigen").
  virtual std::string_view path() const { return "exact"; }
};

}  // namespace finserve::runtime::onnx
