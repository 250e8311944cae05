// Aggregations other than the sum, for ONNX-ML's TreeEnsembleRegressor (aggregate_function
// MIN and MAX): per output, the smallest (largest) leaf value among the trees whose reached
// leaf votes for that output.
//
// A leaf that does not vote for an output holds NaN there (the ONNX-ML importer writes NaN for
// "no weight"); an output no reached leaf voted for comes out as 0, as ONNX Runtime does. The
// ensemble's base margin is not added (callers add ONNX's base_values after aggregating, as the
// spec says), and the walk is the reference one (TreeNode::Next), so routing is the same as
// every other evaluator's. Pure functions over a borrowed ensemble; thread-safe.
#pragma once

#include <cstdint>

#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree {

enum class LeafAggregation : uint8_t { kMin, kMax };

// `rows`: num_rows x num_features; `out`: num_rows x num_outputs, overwritten.
void PredictExtremes(const TreeEnsemble& ensemble, LeafAggregation aggregation, const float* rows,
                     int64_t num_rows, float* out);
void PredictExtremes(const TreeEnsemble& ensemble, LeafAggregation aggregation, const double* rows,
                     int64_t num_rows, float* out);

}  // namespace finserve::runtime::tree
