// KernelRegistry: which kernel runs a node, keyed by (op, domain, opset range, element types).
//
// THE table of CPU kernels is KernelRegistry::Cpu() in cpu_kernels.cc: one KernelDef row per
// (op, opset range) with the element types it accepts for the inputs/outputs it constrains and
// the factory that builds the kernel. Lookup happens at load; a node no row accepts is refused
// with a message naming the node, op, domain, opset and the offending element type.
// Immutable after construction; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/kernel.h"
#include "runtime/onnx/onnx_types.h"

namespace finserve::runtime::onnx {

using KernelFactory = Result<std::unique_ptr<Kernel>> (*)(const KernelInfo& info);

// Element types allowed for one input (index >= 0) or output (Out(i) == -1 - i).
struct TypeRule {
  int index = 0;
  DataTypeSet allowed;
};
constexpr TypeRule In(int i, DataTypeSet allowed) { return {i, allowed}; }
constexpr TypeRule Out(int i, DataTypeSet allowed) { return {-1 - i, allowed}; }

struct KernelDef {
  std::string_view op_type;
  std::string_view domain;  // "" for ai.onnx, "ai.onnx.ml"
  int since_version = 1;    // inclusive range of the model's opset import for `domain`
  int until_version = 1;
  std::vector<TypeRule> types;
  KernelFactory create = nullptr;
  // Output 0 may share input 0's storage (Reshape & co): the planner extends the buffer's life.
  bool alias_output0 = false;
  // Results depend on no state: a node whose inputs are all constants is computed once at load.
  bool foldable = true;
};

class KernelRegistry {
 public:
  explicit KernelRegistry(std::vector<KernelDef> defs);

  // THE CPU table (cpu_kernels.cc).
  static const KernelRegistry& Cpu();

  // The row for a node with its opset and types; errors explain why none fits.
  Result<const KernelDef*> Find(const GraphNode& node, int node_index, std::span<const DataType> input_types,
                                std::span<const DataType> output_types) const;
  // Whether any row serves (op, domain, opset), ignoring types (the early, pre-checker check).
  Status CheckOp(const GraphNode& node, int node_index) const;

  const std::vector<KernelDef>& defs() const { return defs_; }

 private:
  std::vector<KernelDef> defs_;
};

}  // namespace finserve::runtime::onnx
