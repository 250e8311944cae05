#include "explain/sampling_shapley.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace finserve::explain {
namespace {

// SplitMix64: a tiny generator whose output is fixed by its definition, not by a library.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (Lemire's multiply-shift; the tiny bias is irrelevant for n <= 2^20).
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>((static_cast<unsigned __int128>(Next()) * n) >> 64); }

 private:
  uint64_t state_;
};

std::vector<std::vector<int32_t>> MakeOrders(int32_t num_features, int64_t permutations, uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<std::vector<int32_t>> orders;
  for (int64_t p = 0; p < (permutations + 1) / 2; ++p) {
    std::vector<int32_t> order(num_features);
    std::iota(order.begin(), order.end(), 0);
    for (int32_t i = num_features - 1; i > 0; --i) std::swap(order[i], order[rng.Below(static_cast<uint32_t>(i + 1))]);
    orders.push_back(order);
    std::reverse(order.begin(), order.end());
    orders.push_back(std::move(order));
  }
  return orders;
}

Status CheckSignature(const runtime::Model& model, size_t output_index, int32_t* num_features, int32_t* num_outputs) {
  const auto& inputs = model.inputs();
  if (inputs.size() != 1 || inputs[0].dtype != DataType::kFp32 || inputs[0].shape.size() != 2 || inputs[0].shape[1] < 1) {
    return InvalidArgument("sampling Shapley values need a model with one FP32 input of shape [-1, num_features]");
  }
  *num_features = static_cast<int32_t>(inputs[0].shape[1]);
  if (output_index >= model.outputs().size()) return InvalidArgument("explained output index is out of range");
  const auto& out = model.outputs()[output_index];
  if (out.dtype != DataType::kFp32 || out.shape.empty() || out.shape.size() > 2 ||
      (out.shape.size() == 2 && out.shape[1] < 1)) {
    return InvalidArgument("output '" + out.name + "' cannot be explained: it must be FP32 of shape [-1] or [-1, K]");
  }
  *num_outputs = out.shape.size() == 2 ? static_cast<int32_t>(out.shape[1]) : 1;
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<SamplingShapleyExplainer>> SamplingShapleyExplainer::Create(const runtime::Model& model,
                                                                                   size_t output_index,
                                                                                   std::vector<float> background,
                                                                                   const SamplingOptions& options,
                                                                                   std::string space) {
  std::unique_ptr<SamplingShapleyExplainer> e(new SamplingShapleyExplainer());
  FS_RETURN_IF_ERROR(CheckSignature(model, output_index, &e->num_features_, &e->num_outputs_));
  if (background.empty() || background.size() % static_cast<size_t>(e->num_features_) != 0) {
    return InvalidArgument("the background set must hold whole rows of " + std::to_string(e->num_features_) +
                           " features (got " + std::to_string(background.size()) + " values)");
  }
  if (options.permutations < 2) return InvalidArgument("sampling needs at least 2 permutations");
  e->model_ = &model;
  e->output_index_ = output_index;
  e->num_background_ = static_cast<int64_t>(background.size()) / e->num_features_;
  e->background_ = std::move(background);
  e->orders_ = MakeOrders(e->num_features_, options.permutations, options.seed);
  e->space_ = std::move(space);
  std::vector<double> values;
  FS_RETURN_IF_ERROR(e->Evaluate(e->background_, e->num_background_, &values));
  e->bias_.assign(e->num_outputs_, 0.0);
  for (int64_t b = 0; b < e->num_background_; ++b) {
    for (int32_t k = 0; k < e->num_outputs_; ++k) e->bias_[k] += values[b * e->num_outputs_ + k] / e->num_background_;
  }
  return e;
}

Status SamplingShapleyExplainer::Evaluate(const std::vector<float>& rows, int64_t n, std::vector<double>* values) const {
  const int64_t shape[2] = {n, num_features_};
  const TensorView input{DataType::kFp32, shape, rows.data(), static_cast<size_t>(n) * num_features_ * sizeof(float),
                         nullptr};
  runtime::OutputSelection wanted = runtime::OutputSelection::None(model_->outputs().size());
  wanted.Select(output_index_);
  std::vector<Tensor> outputs;
  FS_RETURN_IF_ERROR(model_->Run(std::span<const TensorView>(&input, 1), wanted, &outputs));
  const Tensor& out = outputs.at(output_index_);
  if (!out.valid() || out.dtype() != DataType::kFp32 || out.num_elements() != n * num_outputs_) {
    return Internal("the model did not return the explained output for " + std::to_string(n) + " rows");
  }
  values->assign(out.data<float>(), out.data<float>() + n * num_outputs_);
  return Status::Ok();
}

Status SamplingShapleyExplainer::ExplainRow(const float* x, float* out, float* standard_error) const {
  const int32_t nf = num_features_;
  const int32_t no = num_outputs_;
  const int64_t nb = num_background_;
  std::vector<double> credit(orders_.size() * static_cast<size_t>(nf) * no, 0.0);  // [order][feature][output]
  std::vector<float> batch(static_cast<size_t>(nf) * nb * nf);
  std::vector<double> values;
  for (size_t p = 0; p < orders_.size(); ++p) {
    // Step j: the first j + 1 features of the order come from x, the others from the background.
    std::vector<float> hybrid = background_;
    for (int32_t j = 0; j < nf; ++j) {
      const int32_t feature = orders_[p][j];
      for (int64_t b = 0; b < nb; ++b) hybrid[b * nf + feature] = x[feature];
      std::copy(hybrid.begin(), hybrid.end(), batch.begin() + static_cast<size_t>(j) * nb * nf);
    }
    FS_RETURN_IF_ERROR(Evaluate(batch, static_cast<int64_t>(nf) * nb, &values));
    std::vector<double> previous = bias_;
    for (int32_t j = 0; j < nf; ++j) {
      for (int32_t k = 0; k < no; ++k) {
        double mean = 0;
        for (int64_t b = 0; b < nb; ++b) mean += values[(j * nb + b) * no + k];
        mean /= static_cast<double>(nb);
        credit[(p * nf + orders_[p][j]) * no + k] = mean - previous[k];
        previous[k] = mean;
      }
    }
  }
  const double pairs = static_cast<double>(orders_.size() / 2);
  for (int32_t k = 0; k < no; ++k) {
    float* phi = out + static_cast<size_t>(k) * (nf + 1);
    float* se = standard_error != nullptr ? standard_error + static_cast<size_t>(k) * (nf + 1) : nullptr;
    for (int32_t i = 0; i < nf; ++i) {
      double sum = 0, sum_sq = 0;
      for (size_t p = 0; p < orders_.size(); p += 2) {
        const double pair = 0.5 * (credit[(p * nf + i) * no + k] + credit[((p + 1) * nf + i) * no + k]);
        sum += pair, sum_sq += pair * pair;
      }
      const double mean = sum / pairs;
      phi[i] = static_cast<float>(mean);
      if (se != nullptr) {
        const double variance = pairs > 1 ? std::max(0.0, (sum_sq - pairs * mean * mean) / (pairs - 1)) : 0.0;
        se[i] = static_cast<float>(std::sqrt(variance / pairs));
      }
    }
    phi[nf] = static_cast<float>(bias_[k]);
    if (se != nullptr) se[nf] = 0.0f;
  }
  return Status::Ok();
}

Status SamplingShapleyExplainer::ExplainWithError(const float* rows, int64_t num_rows, float* out,
                                                  float* standard_error) const {
  const size_t per_row = static_cast<size_t>(num_outputs_) * (num_features_ + 1);
  for (int64_t r = 0; r < num_rows; ++r) {
    FS_RETURN_IF_ERROR(ExplainRow(rows + r * num_features_, out + r * per_row,
                                  standard_error != nullptr ? standard_error + r * per_row : nullptr));
  }
  return Status::Ok();
}

Status SamplingShapleyExplainer::Explain(const float* rows, int64_t num_rows, float* out) const {
  return ExplainWithError(rows, num_rows, out, nullptr);
}

size_t SamplingShapleyExplainer::memory_bytes() const {
  size_t bytes = sizeof(*this) + background_.capacity() * sizeof(float) + bias_.capacity() * sizeof(double);
  for (const auto& o : orders_) bytes += o.capacity() * sizeof(int32_t);
  return bytes;
}

}  // namespace finserve::explain
