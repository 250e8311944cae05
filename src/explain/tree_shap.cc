#include "explain/tree_shap.h"

#include <algorithm>
#include <vector>

#include "explain/tree_shap_kernels.h"
#include "explain/tree_shap_layout.h"
#include "explain/tree_shap_reference.h"

namespace finserve::explain {
namespace {

Result<ShapKernel> ResolveKernel(ShapKernel requested) {
  const bool avx512 = internal::CpuHasAvx512ForShap();
  switch (requested) {
    case ShapKernel::kAuto: return avx512 ? ShapKernel::kAvx512 : ShapKernel::kScalar;
    case ShapKernel::kReference:
    case ShapKernel::kScalar: return requested;
    case ShapKernel::kAvx512:
      if (!avx512) return FailedPrecondition("the avx512 TreeSHAP kernel needs AVX-512 F/BW/DQ/VL, which this CPU lacks");
      return requested;
  }
  return InvalidArgument("unknown TreeSHAP kernel");
}

}  // namespace

std::string_view ShapKernelName(ShapKernel kernel) {
  switch (kernel) {
    case ShapKernel::kAuto: return "auto";
    case ShapKernel::kReference: return "reference";
    case ShapKernel::kScalar: return "scalar";
    case ShapKernel::kAvx512: return "avx512";
  }
  return "?";
}

Result<std::unique_ptr<TreeShap>> TreeShap::Create(const runtime::tree::TreeEnsemble& ensemble, ShapKernel kernel) {
  FS_ASSIGN_OR_RETURN(ShapKernel resolved, ResolveKernel(kernel));
  std::unique_ptr<TreeShap> shap(new TreeShap());
  shap->num_features_ = ensemble.num_features();
  shap->num_outputs_ = ensemble.num_outputs();
  if (resolved != ShapKernel::kReference) {
    auto forest = internal::BuildShapForest(ensemble);
    if (forest.ok()) {
      shap->forest_ = std::make_unique<internal::ShapForest>(std::move(forest).value());
    } else if (forest.status().code() == StatusCode::kUnimplemented) {
      resolved = ShapKernel::kReference;  // paths too deep for the block kernels
    } else {
      return forest.status();
    }
  }
  if (resolved == ShapKernel::kReference) {
    FS_RETURN_IF_ERROR(internal::CheckCovers(ensemble));
    shap->ensemble_ = std::make_unique<runtime::tree::TreeEnsemble>(ensemble);
  }
  shap->kernel_ = resolved;
  return shap;
}

TreeShap::~TreeShap() = default;

size_t TreeShap::memory_bytes() const {
  if (forest_ != nullptr) return forest_->memory_bytes();
  size_t bytes = sizeof(runtime::tree::TreeEnsemble);
  for (const auto& tree : ensemble_->trees()) {
    bytes += tree.nodes.capacity() * sizeof(runtime::tree::TreeNode) + tree.leaf_vectors.capacity() * sizeof(float);
  }
  return bytes;
}

// Per-thread buffers, grown to the largest model explained on the thread and reused, so that a
// row costs no allocation.
struct TreeShap::Scratch {
  std::vector<uint8_t> decisions;
  std::vector<float> values;
  std::vector<double> acc;

  static Scratch* ForThread(const internal::ShapForest& f) {
    thread_local Scratch scratch;
    auto grow = [](auto& v, size_t n) {
      if (v.size() < n) v.resize(n);
    };
    grow(scratch.decisions, f.decision_bytes());
    grow(scratch.values, static_cast<size_t>(f.num_values) + internal::ShapForest::kValuePadding);
    grow(scratch.acc, static_cast<size_t>(f.num_outputs) * (f.num_features + 2));
    return &scratch;
  }
};

void TreeShap::ExplainRow(const float* row, Scratch* scratch, float* out) const {
  const int32_t nf = num_features_;
  if (kernel_ == ShapKernel::kReference) return ReferenceTreeShap(*ensemble_, row, out);
  double* acc = scratch->acc.data();
  std::fill(acc, acc + static_cast<size_t>(num_outputs_) * (nf + 2), 0.0);
  if (kernel_ == ShapKernel::kAvx512) {
    internal::ComputeDecisionsAvx512(*forest_, row, scratch->decisions.data());
    internal::AccumulateBlocksAvx512(*forest_, scratch->decisions.data(), scratch->values.data(), acc);
  } else {
    internal::ComputeDecisionsScalar(*forest_, row, scratch->decisions.data());
    internal::AccumulateBlocksScalar(*forest_, scratch->decisions.data(), acc);
  }
  for (int32_t k = 0; k < num_outputs_; ++k) {
    const double* a = acc + static_cast<size_t>(k) * (nf + 2);
    float* o = out + static_cast<size_t>(k) * (nf + 1);
    for (int32_t j = 0; j < nf; ++j) o[j] = static_cast<float>(a[j]);
    o[nf] = forest_->bias[k];
  }
}

void TreeShap::Explain(const float* rows, int64_t num_rows, float* out) const {
  Scratch* scratch = forest_ != nullptr ? Scratch::ForThread(*forest_) : nullptr;
  const size_t row_out = static_cast<size_t>(num_outputs_) * (num_features_ + 1);
  for (int64_t r = 0; r < num_rows; ++r) ExplainRow(rows + r * num_features_, scratch, out + r * row_out);
}

Status TreeShapExplainer::Explain(const float* rows, int64_t num_rows, float* out) const {
  shap_->Explain(rows, num_rows, out);
  return Status::Ok();
}

}  // namespace finserve::explain
