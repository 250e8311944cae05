#include "runtime/tree/tree_model.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "core/shape.h"
#include "runtime/tree/post_transform.h"

namespace finserve::runtime::tree {
namespace {

// Below this many rows a batch stays on the calling thread: handing work over costs more.
constexpr int64_t kMinRowsPerThread = 64;
constexpr int64_t kRowBlock = 16;  // the fast kernels' batch width: keep thread chunks aligned

}  // namespace

Result<std::unique_ptr<TreeModel>> TreeModel::Create(XgboostModel model, const Options& options) {
  if (model.objective == nullptr) return InvalidArgument("tree model without an objective");
  std::unique_ptr<TreeModel> m(new TreeModel());
  m->ensemble_ = std::make_unique<TreeEnsemble>(std::move(model.ensemble));
  m->objective_ = model.objective;
  m->feature_names_ = std::move(model.feature_names);
  m->base_score_ = model.base_score;
  m->reference_ = std::make_unique<ReferenceEvaluator>(*m->ensemble_);
  auto fast = FastTreeEvaluator::Create(*m->ensemble_, options.kernel);
  if (fast.ok()) {
    m->fast_ = std::move(fast).value();
  } else if (fast.status().code() != StatusCode::kUnimplemented) {
    return fast.status();
  }
  if (options.intra_op_threads > 1) {
    m->pool_ = std::make_unique<ThreadPool>(options.intra_op_threads - 1, "tree-intra-op");
  }
  m->BuildSignature();
  return m;
}

TreeModel::~TreeModel() = default;

void TreeModel::BuildSignature() {
  const int64_t nf = num_features();
  inputs_ = {TensorSpec{std::string(kInputName), DataType::kFp32, {-1, nf}}};
  const bool per_class = objective_->answer == AnswerKind::kClassProbabilities;
  const std::vector<int64_t> shape = per_class ? std::vector<int64_t>{-1, num_outputs()} : std::vector<int64_t>{-1};
  const bool regression = objective_->answer == AnswerKind::kRegression;
  outputs_.push_back({regression ? "prediction" : "probability", DataType::kFp32, shape});
  roles_.push_back(regression ? Role::kPrediction : Role::kProbability);
  if (objective_->emits_label) {
    outputs_.push_back({"label", DataType::kInt64, {-1}});
    roles_.push_back(Role::kLabel);
  }
  outputs_.push_back({"margin", DataType::kFp32, shape});
  roles_.push_back(Role::kMargin);
}

std::string_view TreeModel::evaluator_name() const {
  return fast_ != nullptr ? TreeKernelName(fast_->kernel()) : "reference";
}

Status TreeModel::CheckInput(std::span<const TensorView> inputs) const {
  if (inputs.size() != 1) {
    return InvalidArgument(fmt::format("expected 1 input ('{}'), got {}", kInputName, inputs.size()));
  }
  const TensorView& x = inputs[0];
  if (x.dtype != DataType::kFp32) {
    return InvalidArgument(fmt::format("input '{}': expected FP32, got {}", kInputName, DataTypeName(x.dtype)));
  }
  const int64_t nf = num_features();
  if (x.shape.size() != 2 || x.shape[0] < 0 || x.shape[1] != nf) {
    return InvalidArgument(
        fmt::format("input '{}': expected shape [-1,{}], got {}", kInputName, nf, DimsToString(x.shape)));
  }
  const auto row_bytes = static_cast<size_t>(nf) * sizeof(float);
  if (static_cast<uint64_t>(x.shape[0]) > std::numeric_limits<size_t>::max() / row_bytes) {
    return InvalidArgument(fmt::format("input '{}': {} rows is too many", kInputName, x.shape[0]));
  }
  const size_t want_bytes = static_cast<size_t>(x.shape[0]) * row_bytes;
  if (x.byte_size != want_bytes || (want_bytes > 0 && x.data == nullptr)) {
    return InvalidArgument(fmt::format("input '{}': {} bytes of data for shape {}, expected {}", kInputName,
                                       x.byte_size, DimsToString(x.shape), want_bytes));
  }
  return Status::Ok();
}

void TreeModel::PredictMargins(const float* rows, int64_t num_rows, float* margins) const {
  if (fast_ != nullptr) {
    fast_->PredictMargins(rows, num_rows, margins);
  } else {
    reference_->PredictMargins(rows, num_rows, margins);
  }
}

void TreeModel::PredictMarginsParallel(const float* rows, int64_t num_rows, float* margins) const {
  if (pool_ == nullptr || num_rows < 2 * kMinRowsPerThread) {
    PredictMargins(rows, num_rows, margins);
    return;
  }
  const int64_t nf = num_features();
  const int64_t no = num_outputs();
  const int64_t blocks = (num_rows + kRowBlock - 1) / kRowBlock;
  pool_->ParallelFor(blocks, kMinRowsPerThread / kRowBlock, [&](int64_t first, int64_t last) {
    const int64_t begin = first * kRowBlock;
    const int64_t end = std::min(num_rows, last * kRowBlock);
    PredictMargins(rows + begin * nf, end - begin, margins + begin * no);
  });
}

Tensor TreeModel::MakeOutput(Role role, const Tensor& margins, int64_t num_rows) const {
  const int32_t no = num_outputs();
  const std::span<const float> in(margins.data<float>(), static_cast<size_t>(margins.num_elements()));
  switch (role) {
    case Role::kMargin:
      return margins;  // shares storage; neither is written again
    case Role::kProbability:
    case Role::kPrediction: {
      Tensor out = Tensor::Uninitialized(DataType::kFp32, margins.shape());
      ApplyPostTransform(ensemble_->post_transform(), no, in, std::span<float>(out.data<float>(), in.size()));
      return out;
    }
    case Role::kLabel: {
      Tensor out = Tensor::Uninitialized(DataType::kInt64, Shape{num_rows});
      for (int64_t r = 0; r < num_rows; ++r) out.data<int64_t>()[r] = ArgMax(in.subspan(r * no, no));
      return out;
    }
  }
  return Tensor();
}

Status TreeModel::Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
                      std::vector<Tensor>* outputs) const {
  FS_RETURN_IF_ERROR(CheckInput(inputs));
  const int64_t n = inputs[0].shape[0];
  const bool per_class = objective_->answer == AnswerKind::kClassProbabilities;
  Tensor margins = Tensor::Uninitialized(DataType::kFp32, per_class ? Shape{n, num_outputs()} : Shape{n});
  PredictMarginsParallel(inputs[0].data_as<float>(), n, margins.data<float>());
  outputs->assign(outputs_.size(), Tensor());
  for (size_t i = 0; i < outputs_.size(); ++i) {
    if (wanted.wants(i)) (*outputs)[i] = MakeOutput(roles_[i], margins, n);
  }
  return Status::Ok();
}

}  // namespace finserve::runtime::tree
