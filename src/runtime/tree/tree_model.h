// TreeModel: a loaded XGBoost tree model as a runtime::Model (platform "xgboost_json").
//
// Signature (without a config.yaml mapping names): one input `features`, FP32 [-1, num_features],
// NaN = missing. Outputs, by objective:
//   binary:logistic, binary:logitraw   probability FP32 [-1] (sigmoid of the margin), margin FP32 [-1]
//   reg:*, count:poisson               prediction FP32 [-1] (the objective's transform), margin FP32 [-1]
//   multi:softprob                     probability FP32 [-1, K] (softmax), margin FP32 [-1, K]
//   multi:softmax                      probability, label INT64 [-1] (argmax of the margins), margin
// Rows are independent, so any batching gives the same bits per row. Run() uses the fast
// evaluator (or the reference one for ensembles it cannot compile) and, with intra_op_threads > 1,
// splits large batches across an owned thread pool.
// Immutable after Create; Run() and every accessor are thread-safe. The explain layer reads
// ensemble(), objective() and feature_names(), which live as long as the model.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/thread_pool.h"
#include "runtime/model.h"
#include "runtime/tree/tree_eval_fast.h"
#include "runtime/tree/tree_eval_reference.h"
#include "runtime/tree/xgboost_json_import.h"

namespace finserve::runtime::tree {

class TreeModel final : public runtime::Model {
 public:
  static constexpr std::string_view kInputName = "features";

  struct Options {
    int intra_op_threads = 1;
    TreeKernel kernel = TreeKernel::kAuto;
  };

  static Result<std::unique_ptr<TreeModel>> Create(XgboostModel model, const Options& options);
  ~TreeModel() override;

  std::string_view platform() const override { return "xgboost_json"; }
  const std::vector<TensorSpec>& inputs() const override { return inputs_; }
  const std::vector<TensorSpec>& outputs() const override { return outputs_; }
  Status Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
             std::vector<Tensor>* outputs) const override;

  const TreeEnsemble& ensemble() const { return *ensemble_; }
  const ObjectiveInfo& objective() const { return *objective_; }
  int32_t num_features() const { return ensemble_->num_features(); }
  int32_t num_outputs() const { return ensemble_->num_outputs(); }
  // Empty if the file has no feature names.
  const std::vector<std::string>& feature_names() const { return feature_names_; }
  float base_score() const { return base_score_; }
  // "avx512", "scalar" or "reference": which evaluator Run() uses (all give the same bits).
  std::string_view evaluator_name() const;

  // rows x num_features -> rows x num_outputs margins (log-odds for the logistic objectives),
  // on the calling thread.
  void PredictMargins(const float* rows, int64_t num_rows, float* margins) const;

 private:
  enum class Role : uint8_t { kProbability, kPrediction, kLabel, kMargin };

  TreeModel() = default;
  void BuildSignature();
  Status CheckInput(std::span<const TensorView> inputs) const;
  void PredictMarginsParallel(const float* rows, int64_t num_rows, float* margins) const;
  Tensor MakeOutput(Role role, const Tensor& margins, int64_t num_rows) const;

  std::unique_ptr<TreeEnsemble> ensemble_;  // stable address for the reference evaluator
  const ObjectiveInfo* objective_ = nullptr;
  std::vector<std::string> feature_names_;
  float base_score_ = 0.5f;
  std::unique_ptr<FastTreeEvaluator> fast_;           // null: fall back to reference_
  std::unique_ptr<ReferenceEvaluator> reference_;
  std::unique_ptr<ThreadPool> pool_;                  // null when single-threaded
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
  std::vector<Role> roles_;  // parallel to outputs_
};

}  // namespace finserve::runtime::tree
