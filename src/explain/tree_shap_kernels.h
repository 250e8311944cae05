// Kernels of the fast TreeSHAP path over a ShapForest (tree_shap_layout.h). Internal to
// tree_shap.*.
//
// One row at a time: the decision pass evaluates every split of the forest once
// (decisions[g] = 1 if the row goes left at split g, decisions[N + g] = 1 if it goes right,
// decisions[2N] = 1), then every block of 16 leaves turns those into its leaves' contributions
// and adds them to `acc` (num_outputs x (num_features + 2) doubles: the features, the bias slot,
// a scratch slot). The scalar and AVX-512 kernels compute the same formulas per lane but sum a
// feature's leaf terms in different orders (the scalar kernel as it goes, the AVX-512 kernel
// along the layout's reduction plan), so they agree to float rounding, not bit for bit; each is
// deterministic (batch = single rows, bit for bit). Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "explain/tree_shap_layout.h"

namespace finserve::explain::internal {

void ComputeDecisionsScalar(const ShapForest& forest, const float* row, uint8_t* decisions);
void AccumulateBlocksScalar(const ShapForest& forest, const uint8_t* decisions, double* acc);

// True if this CPU (and OS) runs the AVX-512 kernels: F, BW, DQ and VL.
bool CpuHasAvx512ForShap();
void ComputeDecisionsAvx512(const ShapForest& forest, const float* row, uint8_t* decisions);
// `values`: scratch of forest.num_values + ShapForest::kValuePadding floats.
void AccumulateBlocksAvx512(const ShapForest& forest, const uint8_t* decisions, float* values, double* acc);

}  // namespace finserve::explain::internal
