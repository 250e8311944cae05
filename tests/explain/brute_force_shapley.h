// The slowest twin of TreeSHAP: exact Shapley values of the path-dependent tree game by
// enumeration over every subset of the features a tree splits on, in double. For a coalition S
// the value of a tree is its expected leaf value when the features in S are fixed to the row's
// and the others are averaged out by cover: at a split on a feature in S the row's branch is
// followed, otherwise each child counts with cover(child) / cover(node). The bias is the value of
// the empty coalition summed over trees plus the base margin. Exponential: for small trees only
// (at most 14 distinct features per tree). Stateless.
#pragma once

#include <vector>

#include "runtime/tree/tree_ensemble.h"

namespace finserve::explain::testing {

// num_outputs x (num_features + 1), bias last.
std::vector<double> BruteForceTreeShapley(const runtime::tree::TreeEnsemble& ensemble, const float* row);

}  // namespace finserve::explain::testing
