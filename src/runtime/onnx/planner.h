// Memory planner: given the steps of an ExecutionPlan, decides at load where every
// intermediate value lives and when its storage is free.
//
//   alias groups  a step whose kernel may alias (Reshape, Squeeze, Identity, ...) puts its
//                 output 0 in its input 0's group; a group's storage lives until its last use
//   lifetimes     each group dies after the last step that reads or writes any member; groups
//                 that feed a graph output, graph inputs and constants are never released
//   arena         groups whose size is known at load (static shape, numeric type) get offsets in
//                 one per-call arena by greedy best-fit over (lifetime x bytes): two groups share
//                 bytes only if their lifetimes do not overlap. The rest (dynamic shapes) are
//                 pooled per call by the executor, still released at the planned step.
// Pure function of the plan; not thread-safe (load time only).
#pragma once

#include "runtime/onnx/execution_plan.h"

namespace finserve::runtime::onnx {

inline constexpr int64_t kArenaAlignment = 64;

void PlanMemory(ExecutionPlan* plan);

}  // namespace finserve::runtime::onnx
