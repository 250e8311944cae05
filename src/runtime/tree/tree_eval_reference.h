// The reference tree evaluator: the plain, obviously-correct twin of the fast evaluator.
//
// It walks each tree node by node with TreeNode::Next and sums leaves in the ensemble's defined
// order (base margin, then trees in order, in float). Tests compare the fast evaluator against it
// bit for bit; it is also the fallback for ensembles the fast evaluator does not compile.
// Borrows the ensemble, which must outlive it. Stateless apart from that; thread-safe.
#pragma once

#include <cstdint>
#include <span>

#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree {

// The leaf node index `row` (num_features values, NaN = missing) reaches in `tree`.
int32_t ReferenceLeaf(const Tree& tree, const float* row);
// The same for double rows: every comparison sees the double value (no rounding to float).
int32_t ReferenceLeaf(const Tree& tree, const double* row);

class ReferenceEvaluator {
 public:
  explicit ReferenceEvaluator(const TreeEnsemble& ensemble) : ensemble_(ensemble) {}

  // `rows`: num_rows x num_features, row-major. `margins`: num_rows x num_outputs, overwritten.
  void PredictMargins(const float* rows, int64_t num_rows, float* margins) const;
  // Double rows (ONNX models with DOUBLE or integer inputs); margins are still summed in float.
  void PredictMargins(const double* rows, int64_t num_rows, float* margins) const;

 private:
  template <typename Row>
  void PredictRow(const Row* row, float* margins) const;

  const TreeEnsemble& ensemble_;
};

}  // namespace finserve::runtime::tree
