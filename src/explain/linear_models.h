// The linear form (margins m = W x + b and their link) of any model the explain layer can read
// as linear: finserve's own `model.linear.json` models (runtime::linear::LinearModel: logistic
// regression -> sigmoid link, margins in log-odds; linear regression -> identity link), read from
// the model's coefficients, and linear ONNX graphs, recognised by onnx_linear.h. Linear SHAP
// (linear_shap.h) explains every model this recognises. Stateless; thread-safe.
#pragma once

#include "core/status.h"
#include "explain/onnx_linear.h"
#include "runtime/model.h"

namespace finserve::explain {

// Unimplemented, saying why, when `model` is neither kind.
Result<LinearForm> RecognizeLinearModel(const runtime::Model& model);

}  // namespace finserve::explain
