#include "runtime/onnx/planner.h"

#include <algorithm>

namespace finserve::runtime::onnx {
namespace {

struct Interval {
  int begin = 0, end = 0;  // steps, inclusive
  int64_t bytes = 0;
  int64_t offset = -1;
  int value = -1;
};

bool Overlaps(const Interval& a, const Interval& b) { return a.begin <= b.end && b.begin <= a.end; }

int64_t StaticBytes(const PlanValue& v) {
  if (v.dtype == DataType::kBytes || !v.has_shape) return -1;
  int64_t n = 1;
  for (int64_t d : v.dims) {
    if (d < 0) return -1;
    if (d != 0 && n > kMaxTensorElements / d) return -1;
    n *= d;
  }
  const int64_t bytes = n * static_cast<int64_t>(ElementSize(v.dtype));
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

// Offsets by greedy best fit, biggest first; returns the arena size.
int64_t AssignOffsets(std::vector<Interval>* intervals) {
  std::sort(intervals->begin(), intervals->end(),
            [](const Interval& a, const Interval& b) { return a.bytes != b.bytes ? a.bytes > b.bytes : a.value < b.value; });
  int64_t total = 0;
  std::vector<const Interval*> placed;
  for (Interval& iv : *intervals) {
    std::vector<const Interval*> live;
    for (const Interval* p : placed) {
      if (Overlaps(*p, iv)) live.push_back(p);
    }
    std::sort(live.begin(), live.end(), [](const Interval* a, const Interval* b) { return a->offset < b->offset; });
    int64_t best = -1, best_gap = -1, cursor = 0;
    for (const Interval* p : live) {
      const int64_t gap = p->offset - cursor;
      if (gap >= iv.bytes && (best_gap < 0 || gap < best_gap)) {
        best = cursor;
        best_gap = gap;
      }
      cursor = std::max(cursor, p->offset + p->bytes);
    }
    iv.offset = best >= 0 ? best : cursor;
    total = std::max(total, iv.offset + iv.bytes);
    placed.push_back(&iv);
  }
  return total;
}

}  // namespace

void PlanMemory(ExecutionPlan* plan) {
  auto& values = plan->values;
  auto& steps = plan->steps;
  const int num_steps = static_cast<int>(steps.size());
  for (size_t v = 0; v < values.size(); ++v) values[v].alias_root = static_cast<int>(v);
  for (const PlanStep& s : steps) {
    if (s.alias_output0 && !s.outputs.empty() && s.outputs[0] >= 0 && !s.inputs.empty() && s.inputs[0] >= 0) {
      values[s.outputs[0]].alias_root = values[s.inputs[0]].alias_root;
    }
  }
  std::vector<int> first(values.size(), num_steps), last(values.size(), -1);
  std::vector<bool> pinned(values.size(), false);
  for (int i = 0; i < num_steps; ++i) {
    for (const auto* ids : {&steps[i].inputs, &steps[i].outputs}) {
      for (int v : *ids) {
        if (v < 0) continue;
        const int r = values[v].alias_root;
        first[r] = std::min(first[r], i);
        last[r] = std::max(last[r], i);
      }
    }
  }
  for (size_t v = 0; v < values.size(); ++v) {
    const int r = values[v].alias_root;
    if (values[v].output_index >= 0 || values[r].kind != ValueKind::kIntermediate) pinned[r] = true;
  }
  std::vector<Interval> intervals;
  for (size_t r = 0; r < values.size(); ++r) {
    PlanValue& v = values[r];
    v.static_bytes = -1;
    v.arena_offset = -1;
    if (v.alias_root != static_cast<int>(r) || v.kind != ValueKind::kIntermediate || last[r] < 0) continue;
    if (!pinned[r]) steps[last[r]].release.push_back(static_cast<int>(r));
    // A graph output's own storage is the caller's output tensor, not the arena.
    if (v.output_index >= 0) continue;
    const int64_t bytes = StaticBytes(v);
    if (bytes <= 0) continue;
    intervals.push_back({first[r], pinned[r] ? num_steps : last[r], bytes, -1, static_cast<int>(r)});
  }
  plan->arena_bytes = AssignOffsets(&intervals);
  for (const Interval& iv : intervals) {
    values[iv.value].static_bytes = iv.bytes;
    values[iv.value].arena_offset = iv.offset;
  }
}

}  // namespace finserve::runtime::onnx
