// The slow twin of the fast TreeSHAP kernels: path-dependent TreeSHAP (Lundberg, Erion, Lee,
// "Consistent individualized feature attribution for tree ensembles", Algorithm 2), one tree at a
// time by recursion over the tree with the EXTEND / UNWIND path operations, in float, in the
// order XGBoost's pred_contribs uses:
//   - a node's zero fraction is cover(child) / cover(node); a feature repeated on a path is
//     unwound and re-extended with the product of its fractions;
//   - each tree adds its expected value (cover-weighted mean of its leaves, computed bottom-up
//     dividing by the node's own cover) to the bias, and its contributions, tree by tree in float;
//   - the bias finally gets the output's base margin.
// Used by the tests as the reference for the fast kernels, and as the kernel for trees too deep
// for them. Stateless; thread-safe.
#pragma once

#include <span>
#include <vector>

#include "runtime/tree/tree_ensemble.h"

namespace finserve::explain {

// out: num_outputs x (num_features + 1) floats for one row, overwritten.
void ReferenceTreeShap(const runtime::tree::TreeEnsemble& ensemble, const float* row, float* out);

// The expected value of every node of tree `t` for output `k` (vector leaves) or its scalar
// leaves: a leaf's value; an internal node's cover-weighted mean of its children, divided by its
// own cover.
std::vector<float> NodeMeanValues(const runtime::tree::TreeEnsemble& ensemble, size_t t, int32_t k);

}  // namespace finserve::explain
