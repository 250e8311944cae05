#include "runtime/onnx/executor.h"

#include <new>

#include "core/shape.h"

namespace finserve::runtime::onnx {

// One Run's state; also the OutputAllocator of the step being run. Reused across calls: every
// vector keeps its capacity, so steady-state calls do not allocate for bookkeeping.
class Frame final : public OutputAllocator {
 public:
  // Constants never change and no step writes them: they are bound once, here.
  explicit Frame(const ExecutionPlan& plan)
      : plan_(plan), values_(plan.values.size()), pooled_(plan.values.size(), -1), strings_(plan.values.size()) {
    for (size_t v = 0; v < plan_.constants.size(); ++v) {
      if (plan_.constants[v].valid()) values_[v] = plan_.constants[v].data();
    }
  }

  Status Run(std::span<const TensorView> inputs, const OutputSelection& wanted, std::vector<Tensor>* outputs);
  // Frees per-call state; false if this frame holds too much memory to keep.
  bool Reset();

  Result<TensorData*> Allocate(int index, Dims shape) override;
  Status Alias(int index, int input_index, Dims shape) override;
  bool HasOutput(int index) const override {
    return index >= 0 && index < static_cast<int>(step_->outputs.size()) && step_->outputs[index] >= 0;
  }

 private:
  struct Symbol {
    const std::string* name;
    int64_t value;
    const std::string* owner;
  };
  struct Block {
    std::shared_ptr<std::byte> memory;
    size_t bytes = 0;
    bool free = true;
  };

  Status ValidateInputs(std::span<const TensorView> inputs);
  Status CheckInput(const PlanValue& v, const TensorView& view);
  void Bind(std::span<const TensorView> inputs);
  Status RunSteps();
  void CollectOutputs(const OutputSelection& wanted);
  void* TakePooled(int value, size_t bytes);
  void Release(int root);

  const ExecutionPlan& plan_;
  const PlanStep* step_ = nullptr;
  std::vector<TensorData> values_;
  std::vector<const TensorData*> step_inputs_;
  std::shared_ptr<std::byte> arena_;
  std::vector<Block> pool_;
  std::vector<int> pooled_;  // value -> pool_ index, -1
  std::vector<std::unique_ptr<std::string[]>> strings_;
  std::vector<Symbol> symbols_;
  std::vector<Tensor>* outputs_ = nullptr;
};

Status Frame::CheckInput(const PlanValue& v, const TensorView& view) {
  auto where = [&v] { return "input '" + v.name + "'"; };
  if (view.dtype != v.dtype) {
    return InvalidArgument(where() + ": expected datatype " + std::string(DataTypeName(v.dtype)) + ", got " +
                           std::string(DataTypeName(view.dtype)));
  }
  if (!Shape::Matches(v.dims, view.shape)) {
    return InvalidArgument(where() + ": expected shape " + DimsToString(v.dims) + ", got " + DimsToString(view.shape));
  }
  Result<int64_t> n = Shape::CheckedElementCount(view.shape, kMaxTensorElements);
  if (!n.ok()) return n.status().WithContext(where());
  for (size_t d = 0; d < v.dim_params.size(); ++d) {
    const std::string& sym = v.dim_params[d];
    if (sym.empty()) continue;
    const Symbol* seen = nullptr;
    for (const Symbol& s : symbols_) seen = *s.name == sym ? &s : seen;
    if (seen == nullptr) {
      symbols_.push_back({&sym, view.shape[d], &v.name});
    } else if (seen->value != view.shape[d]) {
      return InvalidArgument(where() + ": dimension " + std::to_string(d) + " ('" + sym + "') is " +
                             std::to_string(view.shape[d]) + " but input '" + *seen->owner + "' has " + sym + "=" +
                             std::to_string(seen->value));
    }
  }
  if (v.dtype == DataType::kBytes) {
    if (*n > 0 && view.byte_offsets == nullptr) return InvalidArgument(where() + ": BYTES tensor without offsets");
    return Status::Ok();
  }
  const size_t want = static_cast<size_t>(*n) * ElementSize(v.dtype);
  if (view.byte_size != want) {
    return InvalidArgument(where() + ": shape " + DimsToString(view.shape) + " needs " + std::to_string(want) +
                           " bytes, got " + std::to_string(view.byte_size));
  }
  if (want > 0 && view.data == nullptr) return InvalidArgument(where() + ": no data");
  if (v.dtype == DataType::kBool) {
    const auto* b = static_cast<const uint8_t*>(view.data);
    for (size_t i = 0; i < want; ++i) {
      if (b[i] > 1) return InvalidArgument(where() + ": BOOL element " + std::to_string(i) + " is neither 0 nor 1");
    }
  }
  return Status::Ok();
}

Status Frame::ValidateInputs(std::span<const TensorView> inputs) {
  if (inputs.size() != plan_.inputs.size()) {
    return InvalidArgument("expected " + std::to_string(plan_.inputs.size()) + " inputs, got " +
                           std::to_string(inputs.size()));
  }
  symbols_.clear();
  for (size_t i = 0; i < inputs.size(); ++i) FS_RETURN_IF_ERROR(CheckInput(plan_.values[plan_.inputs[i]], inputs[i]));
  return Status::Ok();
}

void Frame::Bind(std::span<const TensorView> inputs) {
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int id = plan_.inputs[i];
    TensorData& t = values_[id];
    t.dtype = inputs[i].dtype;
    t.shape.assign(inputs[i].shape.begin(), inputs[i].shape.end());
    if (t.dtype != DataType::kBytes) {
      t.data = const_cast<void*>(inputs[i].data);  // read-only by contract: kernels never write inputs
      continue;
    }
    const int64_t n = t.size();
    strings_[id] = std::make_unique<std::string[]>(static_cast<size_t>(n));
    for (int64_t e = 0; e < n; ++e) strings_[id][e] = std::string(inputs[i].string_at(e));
    t.data = strings_[id].get();
  }
  if (plan_.arena_bytes > 0 && !arena_) arena_ = AllocateAligned(static_cast<size_t>(plan_.arena_bytes));
}

void* Frame::TakePooled(int value, size_t bytes) {
  int best = -1;
  for (size_t b = 0; b < pool_.size(); ++b) {
    if (pool_[b].free && pool_[b].bytes >= bytes && (best < 0 || pool_[b].bytes < pool_[best].bytes)) {
      best = static_cast<int>(b);
    }
  }
  if (best < 0) {
    pool_.push_back({AllocateAligned(bytes), bytes, false});
    best = static_cast<int>(pool_.size()) - 1;
  }
  pool_[best].free = false;
  pooled_[value] = best;
  return pool_[best].memory.get();
}

Result<TensorData*> Frame::Allocate(int index, Dims shape) {
  const int id = index < static_cast<int>(step_->outputs.size()) ? step_->outputs[index] : -1;
  if (id < 0) return Internal("kernel wrote output " + std::to_string(index) + ", which the node omits");
  FS_ASSIGN_OR_RETURN(int64_t n, Shape::CheckedElementCount(shape, kMaxTensorElements));
  const PlanValue& pv = plan_.values[id];
  TensorData& t = values_[id];
  t.dtype = pv.dtype;
  t.shape = std::move(shape);
  if (pv.dtype == DataType::kBytes) {
    strings_[id] = std::make_unique<std::string[]>(static_cast<size_t>(n));
    t.data = strings_[id].get();
    return &t;
  }
  const size_t bytes = static_cast<size_t>(n) * ElementSize(pv.dtype);
  if (pv.output_index >= 0) {
    Tensor& out = (*outputs_)[pv.output_index];
    out = Tensor::Uninitialized(pv.dtype, Shape(t.shape));
    t.data = out.raw_data();
  } else if (pv.arena_offset >= 0 && static_cast<int64_t>(bytes) <= pv.static_bytes) {
    t.data = arena_.get() + pv.arena_offset;
  } else {
    t.data = TakePooled(id, bytes);
  }
  return &t;
}

Status Frame::Alias(int index, int input_index, Dims shape) {
  if (!step_->alias_output0 || index != 0 || input_index != 0) {
    return Internal("kernel aliased output " + std::to_string(index) + " to input " + std::to_string(input_index) +
                    " but its table row does not allow it");
  }
  const int out = step_->outputs[0];
  if (out < 0) return Status::Ok();
  const TensorData& in = values_[step_->inputs[0]];
  TensorData& t = values_[out];
  t.dtype = in.dtype;
  t.shape = std::move(shape);
  t.data = in.data;
  if (t.size() != in.size()) return Internal("alias changes the element count");
  return Status::Ok();
}

void Frame::Release(int root) {
  if (pooled_[root] >= 0) {
    pool_[pooled_[root]].free = true;
    pooled_[root] = -1;
  }
  strings_[root].reset();
}

Status Frame::RunSteps() {
  for (const PlanStep& step : plan_.steps) {
    step_ = &step;
    step_inputs_.clear();
    for (int v : step.inputs) step_inputs_.push_back(v >= 0 ? &values_[v] : nullptr);
    KernelContext ctx(step_inputs_, this, plan_.intra_op_threads);
    Status s = step.kernel->Compute(ctx);
    if (!s.ok()) return s.WithContext(step.description);
    for (int r : step.release) Release(r);
  }
  step_ = nullptr;
  return Status::Ok();
}

void Frame::CollectOutputs(const OutputSelection& wanted) {
  for (size_t i = 0; i < plan_.outputs.size(); ++i) {
    const int id = plan_.outputs[i];
    const PlanValue& pv = plan_.values[id];
    Tensor& out = (*outputs_)[i];
    const TensorData& t = values_[id];
    const bool in_place = pv.output_index == static_cast<int>(i) && pv.alias_root == id &&
                          pv.kind == ValueKind::kIntermediate && pv.dtype != DataType::kBytes;
    if (!wanted.wants(i)) {
      out = Tensor();
    } else if (in_place && out.valid()) {
      continue;
    } else if (t.dtype == DataType::kBytes) {
      const auto* s = t.data_as<std::string>();
      out = Tensor::FromStrings(Shape(t.shape), std::span<const std::string>(s, static_cast<size_t>(t.size())));
    } else {
      out = Tensor::Uninitialized(t.dtype, Shape(t.shape));
      CopyElements(t.dtype, t.data, out.raw_data(), t.size());
    }
  }
}

Status Frame::Run(std::span<const TensorView> inputs, const OutputSelection& wanted, std::vector<Tensor>* outputs) {
  FS_RETURN_IF_ERROR(ValidateInputs(inputs));
  outputs_ = outputs;
  outputs->assign(plan_.outputs.size(), Tensor());
  Bind(inputs);
  FS_RETURN_IF_ERROR(RunSteps());
  CollectOutputs(wanted);
  return Status::Ok();
}

bool Frame::Reset() {
  outputs_ = nullptr;
  step_ = nullptr;
  size_t pooled_bytes = 0;
  for (Block& b : pool_) {
    b.free = true;
    pooled_bytes += b.bytes;
  }
  std::fill(pooled_.begin(), pooled_.end(), -1);
  for (auto& s : strings_) s.reset();
  return pooled_bytes <= kMaxIdleFrameBytes;
}

Executor::Executor(const ExecutionPlan* plan) : plan_(plan) {}
Executor::~Executor() = default;

std::unique_ptr<Frame> Executor::Acquire() const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Frame> f = std::move(idle_.back());
      idle_.pop_back();
      return f;
    }
  }
  return std::make_unique<Frame>(*plan_);
}

void Executor::Recycle(std::unique_ptr<Frame> frame) const {
  if (!frame->Reset()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.size() < kMaxIdleFrames) idle_.push_back(std::move(frame));
}

Status Executor::Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
                     std::vector<Tensor>* outputs) const {
  std::unique_ptr<Frame> frame = Acquire();
  Status s;
  try {
    s = frame->Run(inputs, wanted, outputs);
  } catch (const std::bad_alloc&) {
    // A request whose shapes need more memory than the process can get: refuse it, keep serving.
    outputs->clear();
    s = ResourceExhausted("out of memory while running the model");
  }
  Recycle(std::move(frame));
  return s;
}

}  // namespace finserve::runtime::onnx
