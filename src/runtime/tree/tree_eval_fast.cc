#include "runtime/tree/tree_eval_fast.h"

#include <utility>

#include "runtime/tree/tree_fast_layout.h"
#include "runtime/tree/tree_kernels.h"

namespace finserve::runtime::tree {
namespace {

Result<TreeKernel> ResolveKernel(TreeKernel requested) {
  const bool avx512 = internal::CpuHasAvx512();
  switch (requested) {
    case TreeKernel::kAuto: return avx512 ? TreeKernel::kAvx512 : TreeKernel::kScalar;
    case TreeKernel::kScalar: return TreeKernel::kScalar;
    case TreeKernel::kAvx512:
      if (!avx512) return FailedPrecondition("the avx512 tree kernel needs AVX-512 F/BW/DQ/VL, which this CPU lacks");
      return TreeKernel::kAvx512;
  }
  return InvalidArgument("unknown tree kernel");
}

}  // namespace

std::string_view TreeKernelName(TreeKernel kernel) {
  switch (kernel) {
    case TreeKernel::kAuto: return "auto";
    case TreeKernel::kScalar: return "scalar";
    case TreeKernel::kAvx512: return "avx512";
  }
  return "?";
}

Result<std::unique_ptr<FastTreeEvaluator>> FastTreeEvaluator::Create(const TreeEnsemble& ensemble,
                                                                     TreeKernel kernel) {
  FS_ASSIGN_OR_RETURN(TreeKernel resolved, ResolveKernel(kernel));
  FS_ASSIGN_OR_RETURN(internal::FastForest forest, internal::BuildFastForest(ensemble));
  auto owned = std::make_unique<internal::FastForest>(std::move(forest));
  return std::unique_ptr<FastTreeEvaluator>(new FastTreeEvaluator(std::move(owned), resolved));
}

FastTreeEvaluator::FastTreeEvaluator(std::unique_ptr<internal::FastForest> forest, TreeKernel kernel)
    : forest_(std::move(forest)), kernel_(kernel) {}

FastTreeEvaluator::~FastTreeEvaluator() = default;

int32_t FastTreeEvaluator::num_features() const { return forest_->num_features; }
int32_t FastTreeEvaluator::num_outputs() const { return forest_->num_outputs; }

void FastTreeEvaluator::PredictMargins(const float* rows, int64_t num_rows, float* margins) const {
  if (num_rows <= 0) return;
  if (kernel_ == TreeKernel::kAvx512) {
    internal::PredictRowsAvx512(*forest_, rows, num_rows, margins);
  } else {
    internal::PredictRowsScalar(*forest_, rows, num_rows, margins);
  }
}

}  // namespace finserve::runtime::tree
