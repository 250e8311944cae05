#include "runtime/onnx/conv_chain_fusion.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/onednn_chain.h"

namespace finserve::runtime::onnx {
namespace {

// One original step inside a fused chain: its kernel (owned by the plan) and where its inputs
// after input 0 sit among the fused step's inputs (-1: omitted).
struct Part {
  const Kernel* kernel = nullptr;
  std::vector<int> extra_inputs;
  std::vector<bool> has_output;
  DataType out_type = DataType::kInvalid;
  std::string description;
};

// Outputs of one part run separately: intermediates are owned here, the last part's output is
// the fused step's output 0 (allocated by the outer context).
class PartAllocator final : public OutputAllocator {
 public:
  PartAllocator(const Part& part, KernelContext* outer, const TensorData* input, const OwnedTensor* owned_input)
      : part_(part), outer_(outer), input_(input), owned_input_(owned_input) {}

  Result<TensorData*> Allocate(int index, Dims shape) override {
    if (index != 0) return Internal(part_.description + ": fused chain steps have one output");
    if (outer_ != nullptr) return outer_->Output(0, std::move(shape));
    FS_ASSIGN_OR_RETURN(out_, OwnedTensor::Allocate(part_.out_type, std::move(shape)));
    return const_cast<TensorData*>(&out_.data());
  }
  Status Alias(int index, int input_index, Dims shape) override {
    if (index != 0 || input_index != 0) return Internal(part_.description + ": unexpected alias in a fused chain");
    if (outer_ == nullptr && owned_input_ != nullptr && owned_input_->valid()) {
      out_ = owned_input_->Reshaped(std::move(shape));
      return Status::Ok();
    }
    FS_ASSIGN_OR_RETURN(TensorData * y, Allocate(0, std::move(shape)));
    std::memcpy(y->data, input_->data, static_cast<size_t>(input_->size()) * ElementSize(input_->dtype));
    return Status::Ok();
  }
  bool HasOutput(int index) const override {
    return index >= 0 && static_cast<size_t>(index) < part_.has_output.size() && part_.has_output[index];
  }
  OwnedTensor& out() { return out_; }

 private:
  const Part& part_;
  KernelContext* outer_;
  const TensorData* input_;
  const OwnedTensor* owned_input_;
  OwnedTensor out_;
};

bool AllFinite(const float* p, int64_t n) {
  float acc = 0.0f;  // x * 0 is NaN exactly for NaN and +-Inf; one vectorisable pass
  for (int64_t i = 0; i < n; ++i) acc += p[i] * 0.0f;
  return acc == 0.0f;
}

class FusedConvChainKernel final : public Kernel {
 public:
  FusedConvChainKernel(std::vector<ChainStage> stages, std::vector<Part> parts)
      : chain_(std::move(stages)), parts_(std::move(parts)) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    if (x.dtype == DataType::kFp32 && x.rank() == 4 && AllFinite(x.data_as<float>(), x.size())) {
      if (std::shared_ptr<const OnednnChain::Prepared> p = chain_.Prepare(x.shape, ctx.intra_op_threads())) {
        const std::vector<int64_t>& shape = OnednnChain::OutputShape(*p);
        FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, Dims(shape.begin(), shape.end())));
        return chain_.Run(*p, x.data_as<float>(), y->mutable_data_as<float>(), ctx.intra_op_threads());
      }
    }
    return RunSeparately(ctx);
  }
  std::string_view path() const override { return "onednn-chain"; }

 private:
  // The original kernels one after the other: ONNX's semantics where oneDNN's differ.
  Status RunSeparately(KernelContext& ctx) const {
    const TensorData* cur = &ctx.Input(0);
    OwnedTensor owned;
    std::vector<const TensorData*> inputs;
    for (size_t i = 0; i < parts_.size(); ++i) {
      const Part& part = parts_[i];
      inputs.assign(1, cur);
      for (int e : part.extra_inputs) inputs.push_back(e >= 0 ? ctx.input(static_cast<size_t>(e)) : nullptr);
      const bool last = i + 1 == parts_.size();
      PartAllocator alloc(part, last ? &ctx : nullptr, cur, &owned);
      KernelContext sub(inputs, &alloc, ctx.intra_op_threads());
      Status s = part.kernel->Compute(sub);
      if (!s.ok()) return s.WithContext(part.description);
      if (!last) {
        owned = std::move(alloc.out());
        cur = &owned.data();
      }
    }
    return Status::Ok();
  }

  OnednnChain chain_;
  std::vector<Part> parts_;
};

// ---------------------------------------------------------------- finding chains

class ChainFinder {
 public:
  ChainFinder(const Graph& graph, const std::string& model_dir, const ExecutionPlan& plan)
      : graph_(graph), model_dir_(model_dir), plan_(plan), readers_(plan.values.size()),
        is_output_(plan.values.size(), false) {
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      for (int v : plan.steps[i].inputs) {
        if (v >= 0) readers_[v].push_back(static_cast<int>(i));
      }
    }
    for (int v : plan.outputs) is_output_[v] = true;
  }

  // The steps of the chain starting at step `first` (empty if none) and its oneDNN stages.
  std::vector<int> Find(int first, std::vector<ChainStage>* stages) const {
    std::vector<int> chain;
    stages->clear();
    ChainStage conv;
    if (!ConvStage(first, &conv)) return chain;
    stages->push_back(std::move(conv));
    chain.push_back(first);
    int cur = plan_.steps[first].outputs[0];
    while (true) {
      const int next = SoleReader(cur);
      if (next < 0) break;
      const std::string& op = Node(next).op_type;
      ChainStage stage;
      if (op == "Relu" && stages->back().kind == ChainStage::Kind::kConv && !stages->back().relu) {
        stages->back().relu = true;
      } else if (op == "Pad" && IsIdentityPad(next)) {
        // absorbed: the chain skips it, the separate path still runs it
      } else if ((op == "Conv" && ConvStage(next, &stage)) || PoolStage(next, &stage)) {
        stages->push_back(std::move(stage));
      } else {
        break;
      }
      chain.push_back(next);
      cur = plan_.steps[next].outputs[0];
    }
    if (chain.size() < 2) chain.clear();
    return chain;
  }

  const GraphNode& Node(int step) const { return graph_.nodes()[plan_.steps[step].node]; }

 private:
  // The step reading `value` as its input 0 and nothing else of the chain, when it is the
  // value's only reader and the value is not a graph output; -1 otherwise.
  int SoleReader(int value) const {
    if (value < 0 || is_output_[value] || readers_[value].size() != 1) return -1;
    const int step = readers_[value][0];
    const PlanStep& s = plan_.steps[step];
    if (s.inputs.empty() || s.inputs[0] != value || s.outputs.empty() || s.outputs[0] < 0) return -1;
    if (std::count(s.inputs.begin(), s.inputs.end(), value) != 1) return -1;
    for (size_t o = 1; o < s.outputs.size(); ++o) {
      if (s.outputs[o] >= 0) return -1;  // MaxPool's Indices
    }
    if (plan_.values[value].dtype != DataType::kFp32) return -1;
    return step;
  }

  const TensorData* Constant(int value) const {
    return value >= 0 && plan_.constants[value].valid() ? &plan_.constants[value].data() : nullptr;
  }

  bool ReadAttrs(int step, bool pooling, WindowAttrs* out) const {
    const GraphNode& node = Node(step);
    NodeAttributes attrs(*node.proto, model_dir_);
    KernelInfo info;
    info.node = &node;
    info.attributes = &attrs;
    info.description = plan_.steps[step].description;
    Result<WindowAttrs> a = ReadWindowAttrs(info, pooling);
    if (!a.ok()) return false;
    *out = std::move(*a);
    return true;
  }

  bool ConvStage(int step, ChainStage* stage) const {
    const PlanStep& s = plan_.steps[step];
    if (Node(step).op_type != "Conv" || s.inputs.size() < 2 || s.outputs.empty() || s.outputs[0] < 0) return false;
    if (s.inputs[0] < 0 || plan_.values[s.inputs[0]].dtype != DataType::kFp32) return false;
    const TensorData* w = Constant(s.inputs[1]);
    const TensorData* b = s.inputs.size() > 2 ? Constant(s.inputs[2]) : nullptr;
    if (w == nullptr || w->rank() != 4 || w->dtype != DataType::kFp32 || !AllFinite(w->data_as<float>(), w->size())) {
      return false;
    }
    if (s.inputs.size() > 2 && s.inputs[2] >= 0) {
      if (b == nullptr || b->dtype != DataType::kFp32 || !AllFinite(b->data_as<float>(), b->size())) return false;
    }
    stage->kind = ChainStage::Kind::kConv;
    if (!ReadAttrs(step, /*pooling=*/false, &stage->attrs)) return false;
    NodeAttributes attrs(*Node(step).proto, model_dir_);
    Result<int64_t> group = attrs.GetInt("group", 1);
    if (!group.ok() || *group < 1) return false;
    stage->group = *group;
    stage->w = w->data_as<float>();
    stage->w_shape.assign(w->shape.begin(), w->shape.end());
    stage->bias = b != nullptr ? b->data_as<float>() : nullptr;
    return true;
  }

  bool PoolStage(int step, ChainStage* stage) const {
    const std::string& op = Node(step).op_type;
    if (op == "GlobalAveragePool") {
      stage->kind = ChainStage::Kind::kGlobalAveragePool;
      return true;
    }
    if (op != "MaxPool" && op != "AveragePool") return false;
    stage->kind = op == "MaxPool" ? ChainStage::Kind::kMaxPool : ChainStage::Kind::kAveragePool;
    if (!ReadAttrs(step, /*pooling=*/true, &stage->attrs)) return false;
    if (op == "AveragePool") {
      if (!stage->attrs.dilations.empty()) return false;
      NodeAttributes attrs(*Node(step).proto, model_dir_);
      Result<int64_t> include = attrs.GetInt("count_include_pad", 0);
      if (!include.ok()) return false;
      stage->count_include_pad = *include != 0;
    }
    return true;
  }

  // Pad with every pad 0 (from the attribute before opset 11, a constant input after).
  bool IsIdentityPad(int step) const {
    const GraphNode& node = Node(step);
    std::vector<int64_t> pads;
    if (node.opset < 11) {
      NodeAttributes attrs(*node.proto, model_dir_);
      Result<std::vector<int64_t>> p = attrs.GetInts("pads");
      if (!p.ok()) return false;
      pads = std::move(*p);
    } else {
      const PlanStep& s = plan_.steps[step];
      const TensorData* t = s.inputs.size() > 1 ? Constant(s.inputs[1]) : nullptr;
      if (t == nullptr) return false;
      Result<std::vector<int64_t>> p = ReadInts(*t);
      if (!p.ok()) return false;
      pads = std::move(*p);
    }
    return pads.size() == 8 && std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; });
  }

  const Graph& graph_;
  const std::string& model_dir_;
  const ExecutionPlan& plan_;
  std::vector<std::vector<int>> readers_;
  std::vector<bool> is_output_;
};

// One step replacing `chain`: input 0 is the chain's input, then every other input of every
// chained step in order.
PlanStep MakeFusedStep(const ExecutionPlan& plan, const std::vector<int>& chain, std::vector<ChainStage> stages,
                       std::unique_ptr<Kernel>* kernel) {
  PlanStep fused;
  const PlanStep& first = plan.steps[chain.front()];
  fused.inputs.push_back(first.inputs[0]);
  std::vector<Part> parts;
  for (int index : chain) {
    const PlanStep& s = plan.steps[index];
    Part part;
    part.kernel = s.kernel;
    for (size_t i = 1; i < s.inputs.size(); ++i) {
      part.extra_inputs.push_back(s.inputs[i] >= 0 ? static_cast<int>(fused.inputs.size()) : -1);
      if (s.inputs[i] >= 0) fused.inputs.push_back(s.inputs[i]);
    }
    for (int v : s.outputs) part.has_output.push_back(v >= 0);
    part.out_type = plan.values[s.outputs[0]].dtype;
    part.description = s.description;
    parts.push_back(std::move(part));
  }
  const PlanStep& last = plan.steps[chain.back()];
  fused.outputs = last.outputs;
  fused.description = first.description + " fused with the " + std::to_string(chain.size() - 1) +
                      " steps after it up to " + last.description;
  *kernel = std::make_unique<FusedConvChainKernel>(std::move(stages), std::move(parts));
  fused.kernel = kernel->get();
  fused.node = first.node;
  return fused;
}

}  // namespace

Status FuseConvChains(const Graph& graph, const std::string& model_dir, ExecutionPlan* plan) {
  std::vector<std::vector<int>> chains;
  std::vector<std::vector<ChainStage>> stages;
  std::vector<bool> taken(plan->steps.size(), false);
  {
    ChainFinder finder(graph, model_dir, *plan);
    for (int i = 0; i < static_cast<int>(plan->steps.size()); ++i) {
      if (taken[i] || plan->steps[i].node < 0) continue;
      std::vector<ChainStage> st;
      std::vector<int> chain = finder.Find(i, &st);
      if (chain.empty()) continue;
      for (int s : chain) taken[s] = true;
      chains.push_back(std::move(chain));
      stages.push_back(std::move(st));
    }
  }
  if (chains.empty()) return Status::Ok();
  std::vector<PlanStep> steps;
  size_t next_chain = 0;
  for (int i = 0; i < static_cast<int>(plan->steps.size()); ++i) {
    if (!taken[i]) {
      steps.push_back(std::move(plan->steps[i]));
      continue;
    }
    if (next_chain < chains.size() && chains[next_chain].front() == i) {
      std::unique_ptr<Kernel> kernel;
      steps.push_back(MakeFusedStep(*plan, chains[next_chain], std::move(stages[next_chain]), &kernel));
      plan->kernels.push_back(std::move(kernel));
      ++next_chain;
    }
  }
  plan->steps = std::move(steps);
  return Status::Ok();
}

}  // namespace finserve::runtime::onnx
