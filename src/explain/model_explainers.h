// Explainers built from a loaded runtime::Model whose structure the explain layer knows, and what
// it can tell about the model's columns: tree models (XGBoost JSON, runtime::tree::TreeModel) get
// exact TreeSHAP here; linear ONNX graphs are recognised by onnx_linear.h. Stateless; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "explain/explainer.h"
#include "runtime/model.h"

namespace finserve::explain {

// TreeSHAP over the model's ensemble. Unimplemented if the model is not a tree model;
// InvalidArgument if its trees lack covers. The explainer is self-contained (owns its tables).
Result<std::unique_ptr<Explainer>> CreateTreeShapExplainer(const runtime::Model& model);

// What the model's margin means: "log_odds" (logistic objectives), "logit" (softmax: per-class
// unnormalised log-probabilities), "margin" (anything else); "output" for models without margins.
std::string MarginSpace(const runtime::Model& model);

// Column names the model file itself carries (XGBoost feature_names), or empty.
std::vector<std::string> NativeFeatureNames(const runtime::Model& model);

// The index of the model's own output holding the margin ("margin" for tree models), or -1.
int MarginOutputIndex(const runtime::Model& model);

}  // namespace finserve::explain
