// SamplingShapleyExplainer: model-agnostic Shapley values for any runtime::Model by permutation
// sampling with antithetic pairs (each sampled order of the features is also used reversed),
// against a background set.
//
// The game: v(S) = mean over background rows b of f(x_S, b_rest), f = the explained output (one
// value per output k). For each order pi the features are switched from the background to the
// row one by one, and each feature is credited with the change of v it causes. Along one order
// these credits telescope to v(all) - v(empty) = f(x) - mean_b f(b), so contributions + bias
// (= mean_b f(b)) equal f(x) exactly (up to float rounding of the output), whatever the sample.
// Each value is the mean of `permutations` credits (M/2 antithetic pair means, independent), so
// its standard error is sd(pair means) / sqrt(M/2), reported by ExplainWithError; for an output
// bounded in an interval of width R (a probability: R = 1) each pair mean lies in [-R, R] and
// Hoeffding gives |phi_i - exact| <= 2R * sqrt(ln(2/delta) / M) with probability 1 - delta, where
// "exact" is the Shapley value of the game on this background set.
// Cost per explained row: M x num_features x background rows model evaluations, batched in one
// Run() per order. Deterministic: the orders come from `seed` alone (SplitMix64, our own shuffle),
// the same for every row, so the same seed gives the same bits on any platform and batch.
//
// The model must have one FP32 input [-1, num_features]; the explained output FP32 [-1] or
// [-1, K]. The explainer keeps a reference to the model: the owner (the loaded version) must
// outlive it. Immutable; thread-safe (Model::Run is).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "explain/explainer.h"
#include "runtime/model.h"

namespace finserve::explain {

struct SamplingOptions {
  int64_t permutations = 64;  // rounded up to even (antithetic pairs)
  uint64_t seed = 0;
};

class SamplingShapleyExplainer final : public Explainer {
 public:
  // `background`: num_background x num_features rows (NaN = missing).
  static Result<std::unique_ptr<SamplingShapleyExplainer>> Create(const runtime::Model& model, size_t output_index,
                                                                  std::vector<float> background,
                                                                  const SamplingOptions& options, std::string space);

  std::string_view method() const override { return "sampling_shapley"; }
  std::string_view space() const override { return space_; }
  int32_t num_features() const override { return num_features_; }
  int32_t num_outputs() const override { return num_outputs_; }
  Status Explain(const float* rows, int64_t num_rows, float* out) const override;
  size_t memory_bytes() const override;

  // As Explain, plus each value's standard error (same layout; 0 for the bias).
  Status ExplainWithError(const float* rows, int64_t num_rows, float* out, float* standard_error) const;
  int64_t permutations() const { return static_cast<int64_t>(orders_.size()); }

 private:
  SamplingShapleyExplainer() = default;
  // f for `rows` (n x num_features) into `values` (n x num_outputs).
  Status Evaluate(const std::vector<float>& rows, int64_t n, std::vector<double>* values) const;
  Status ExplainRow(const float* x, float* out, float* standard_error) const;

  const runtime::Model* model_ = nullptr;
  size_t output_index_ = 0;
  int32_t num_features_ = 0;
  int32_t num_outputs_ = 1;
  int64_t num_background_ = 0;
  std::vector<float> background_;
  std::vector<double> bias_;                 // mean_b f(b), per output
  std::vector<std::vector<int32_t>> orders_;  // pairs: order 2i reversed is order 2i + 1
  std::string space_;
};

}  // namespace finserve::explain
