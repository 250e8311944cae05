#include "explain/linear_shap.h"

#include <cmath>

namespace finserve::explain {

Result<std::unique_ptr<LinearShapExplainer>> LinearShapExplainer::Create(int32_t num_features,
                                                                         std::vector<double> weights,
                                                                         std::vector<double> intercepts,
                                                                         std::vector<double> means, std::string space) {
  const size_t k = intercepts.size();
  if (num_features < 1 || k < 1) return InvalidArgument("a linear model needs at least one feature and one output");
  if (weights.size() != k * static_cast<size_t>(num_features)) {
    return InvalidArgument("linear model: " + std::to_string(weights.size()) + " weights for " + std::to_string(k) +
                           " outputs x " + std::to_string(num_features) + " features");
  }
  if (means.size() != static_cast<size_t>(num_features)) {
    return InvalidArgument("linear SHAP: " + std::to_string(means.size()) + " background means for " +
                           std::to_string(num_features) + " features");
  }
  for (size_t i = 0; i < means.size(); ++i) {
    if (!std::isfinite(means[i])) return InvalidArgument("linear SHAP: background mean of feature " + std::to_string(i) + " is not finite");
  }
  std::unique_ptr<LinearShapExplainer> e(new LinearShapExplainer());
  e->num_features_ = num_features;
  e->weights_ = std::move(weights);
  e->intercepts_ = std::move(intercepts);
  e->means_ = std::move(means);
  e->space_ = std::move(space);
  for (size_t o = 0; o < k; ++o) {
    double bias = e->intercepts_[o];
    for (int32_t i = 0; i < num_features; ++i) bias += e->weights_[o * num_features + i] * e->means_[i];
    e->bias_.push_back(bias);
  }
  return e;
}

Status LinearShapExplainer::Explain(const float* rows, int64_t num_rows, float* out) const {
  const int32_t nf = num_features_;
  const size_t no = intercepts_.size();
  for (int64_t r = 0; r < num_rows; ++r) {
    const float* x = rows + r * nf;
    for (int32_t i = 0; i < nf; ++i) {
      if (std::isnan(x[i])) {
        return InvalidArgument("row " + std::to_string(r) + ", feature " + std::to_string(i) +
                               " is missing; a linear model has no missing-value path");
      }
    }
    for (size_t o = 0; o < no; ++o) {
      float* phi = out + (static_cast<size_t>(r) * no + o) * (nf + 1);
      for (int32_t i = 0; i < nf; ++i) {
        phi[i] = static_cast<float>(weights_[o * nf + i] * (static_cast<double>(x[i]) - means_[i]));
      }
      phi[nf] = static_cast<float>(bias_[o]);
    }
  }
  return Status::Ok();
}

size_t LinearShapExplainer::memory_bytes() const {
  return sizeof(*this) + (weights_.capacity() + intercepts_.capacity() + means_.capacity() + bias_.capacity()) * sizeof(double);
}

}  // namespace finserve::explain
