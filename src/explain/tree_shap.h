// TreeShap: exact path-dependent TreeSHAP for a tree ensemble, equal to XGBoost's pred_contribs
// (same bias term, last; one set per output), in microseconds per row.
//
// Create() precomputes, once per model, every leaf's path (features, zero fractions, the split
// decisions that make each feature "hot") in blocks of 16 leaves (tree_shap_layout.h). Explaining
// a row is then one pass over the forest's splits and one pass over the blocks, O(leaves x
// depth^2) with no recursion, no division and no allocation besides per-call scratch; the AVX-512
// kernel puts 16 leaves in the lanes. The bias of output k is base_margin[k] plus the expected
// value of every tree, summed in float in tree order as XGBoost does.
// kReference runs the recursive twin (tree_shap_reference.h) instead; ensembles with paths deeper
// than 64 splits always do. The fast kernels agree with it to float rounding (tests: 1e-5).
//
// Needs node covers (XGBoost's sum_hessian): Create refuses an ensemble with a reachable node
// whose cover is not positive. TreeShap owns its compiled copy (and, for the reference kernel, a
// copy of the ensemble): it does not need the ensemble afterwards. Explain() is const and
// thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "explain/explainer.h"
#include "runtime/tree/tree_ensemble.h"

namespace finserve::explain {

namespace internal {
struct ShapForest;
}

enum class ShapKernel : uint8_t {
  kAuto,       // the fastest this CPU runs
  kReference,  // the recursive algorithm, tree by tree
  kScalar,     // the block algorithm, portable
  kAvx512,     // FailedPrecondition at Create if the CPU lacks AVX-512 F/BW/DQ/VL
};
std::string_view ShapKernelName(ShapKernel kernel);

class TreeShap {
 public:
  static Result<std::unique_ptr<TreeShap>> Create(const runtime::tree::TreeEnsemble& ensemble,
                                                  ShapKernel kernel = ShapKernel::kAuto);
  ~TreeShap();
  TreeShap(const TreeShap&) = delete;
  TreeShap& operator=(const TreeShap&) = delete;

  int32_t num_features() const { return num_features_; }
  int32_t num_outputs() const { return num_outputs_; }
  ShapKernel kernel() const { return kernel_; }
  // Bytes of the precomputed paths (or of the ensemble copy for the reference kernel).
  size_t memory_bytes() const;

  // `rows`: num_rows x num_features, NaN = missing. `out`: num_rows x num_outputs x
  // (num_features + 1), bias last, in margin space.
  void Explain(const float* rows, int64_t num_rows, float* out) const;

 private:
  TreeShap() = default;
  struct Scratch;
  void ExplainRow(const float* row, Scratch* scratch, float* out) const;

  int32_t num_features_ = 0;
  int32_t num_outputs_ = 0;
  ShapKernel kernel_ = ShapKernel::kAuto;
  std::unique_ptr<internal::ShapForest> forest_;                 // fast kernels
  std::unique_ptr<runtime::tree::TreeEnsemble> ensemble_;        // reference kernel
};

// TreeShap as an Explainer; `space` names what the margins are ("log_odds" for logistic
// objectives, "margin" otherwise).
class TreeShapExplainer final : public Explainer {
 public:
  TreeShapExplainer(std::unique_ptr<TreeShap> shap, std::string space)
      : shap_(std::move(shap)), space_(std::move(space)) {}

  std::string_view method() const override { return "tree_shap"; }
  std::string_view space() const override { return space_; }
  int32_t num_features() const override { return shap_->num_features(); }
  int32_t num_outputs() const override { return shap_->num_outputs(); }
  Status Explain(const float* rows, int64_t num_rows, float* out) const override;
  size_t memory_bytes() const override { return shap_->memory_bytes(); }
  const TreeShap& shap() const { return *shap_; }

 private:
  std::unique_ptr<TreeShap> shap_;
  std::string space_;
};

}  // namespace finserve::explain
