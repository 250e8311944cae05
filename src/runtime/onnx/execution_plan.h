// ExecutionPlan: everything Run needs, fixed at load: values with their declared types and
// shapes, the steps (one kernel per remaining node, in topological order), the constants
// (initializers and folded nodes), and the memory plan (alias groups, which values die after
// which step, static arena offsets).
//
// Built once by BuildPlan() (plan_builder.h) and then only read: shared by concurrent Run calls.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/onnx/kernel.h"
#include "runtime/onnx/tensor_data.h"

namespace finserve::runtime::onnx {

enum class ValueKind : uint8_t { kIntermediate, kGraphInput, kConstant, kUnused };

struct PlanValue {
  std::string name;
  DataType dtype = DataType::kInvalid;
  bool has_shape = false;
  Dims dims;                            // -1 where unknown or symbolic
  std::vector<std::string> dim_params;  // symbolic names, "" where none
  ValueKind kind = ValueKind::kIntermediate;
  int output_index = -1;  // position in the graph outputs, -1 if not a graph output
  // Memory plan (planner.h).
  int alias_root = -1;        // the value whose storage this one shares (itself if none)
  int64_t static_bytes = -1;  // bytes reserved in the arena, -1 when not statically planned
  int64_t arena_offset = -1;
};

struct PlanStep {
  const Kernel* kernel = nullptr;
  std::vector<int> inputs;   // value ids, -1 for omitted
  std::vector<int> outputs;  // value ids, -1 for omitted
  std::vector<int> release;  // alias roots whose storage is free after this step
  bool alias_output0 = false;
  std::string description;   // DescribeNode(...), for errors
  int node = -1;             // index of the graph node it runs (the first one, when fused)
};

struct ExecutionPlan {
  std::vector<PlanValue> values;
  std::vector<PlanStep> steps;
  std::vector<std::unique_ptr<Kernel>> kernels;  // owned; steps point into these
  std::vector<OwnedTensor> constants;            // by value id; invalid where not a constant
  std::vector<int> inputs;                       // graph inputs, in declaration order
  std::vector<int> outputs;                      // graph outputs, in declaration order
  int64_t arena_bytes = 0;
  int intra_op_threads = 1;
};

}  // namespace finserve::runtime::onnx
