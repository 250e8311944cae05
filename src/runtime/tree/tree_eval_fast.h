// FastTreeEvaluator: the serving-path tree evaluator.
//
// Create() compiles a TreeEnsemble into flat node arrays (trees padded to perfect binary trees
// with implicit children, splits rewritten to one comparison; see tree_fast_layout.h) and picks a
// kernel: AVX-512 when the CPU has it (rows in the lanes for batches, trees in the lanes for single
// rows), portable scalar code otherwise. Every kernel returns exactly the
// bits of ReferenceEvaluator (same routing, same float summation order), so the kernel choice
// never changes an answer. The evaluator owns its compiled copy and does not need the ensemble
// afterwards. PredictMargins is const and thread-safe; it runs on the calling thread only
// (callers split rows across threads: rows are independent).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/status.h"
#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree {

namespace internal {
struct FastForest;
}

enum class TreeKernel : uint8_t {
  kAuto,    // the fastest this CPU runs
  kScalar,  // portable scalar code (any x86-64)
  kAvx512,  // FailedPrecondition at Create if the CPU lacks AVX-512 F/BW/DQ/VL
};

std::string_view TreeKernelName(TreeKernel kernel);

class FastTreeEvaluator {
 public:
  // Unimplemented if the ensemble has == or != splits (use ReferenceEvaluator for those).
  static Result<std::unique_ptr<FastTreeEvaluator>> Create(const TreeEnsemble& ensemble,
                                                           TreeKernel kernel = TreeKernel::kAuto);
  ~FastTreeEvaluator();
  FastTreeEvaluator(const FastTreeEvaluator&) = delete;
  FastTreeEvaluator& operator=(const FastTreeEvaluator&) = delete;

  // `rows`: num_rows x num_features floats, row-major, NaN = missing.
  // `margins`: num_rows x num_outputs floats, overwritten.
  void PredictMargins(const float* rows, int64_t num_rows, float* margins) const;

  TreeKernel kernel() const { return kernel_; }
  int32_t num_features() const;
  int32_t num_outputs() const;

 private:
  FastTreeEvaluator(std::unique_ptr<internal::FastForest> forest, TreeKernel kernel);

  std::unique_ptr<internal::FastForest> forest_;
  TreeKernel kernel_;
};

}  // namespace finserve::runtime::tree
