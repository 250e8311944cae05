// Recognises ONNX graphs that compute a linear model on their one input x (FP32 [N, F]):
//
//   x -> (Gemm | MatMul [-> Add])... [-> Sigmoid | Softmax] -> output
//
// with every weight and bias a constant (an initializer, or a folded node), Identity allowed
// anywhere. The chain composes into margins m = W x + b (K outputs) and a link (identity,
// sigmoid: logistic regression, softmax: multinomial logistic regression). The form is read from
// the loaded model's execution plan and then checked by running the model on probe rows (zeros,
// unit rows, pseudo-random rows): only if W and b reproduce the model's outputs is the model
// recognised, so an attribute the plan does not show (Gemm's alpha, beta, transA, a softmax axis)
// can never yield a wrong explanation, only a refusal. ONNX-ML LinearClassifier graphs are
// recognised the same way once the ONNX runtime runs ai.onnx.ml operators. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "runtime/model.h"

namespace finserve::explain {

struct LinearForm {
  enum class Link : uint8_t { kIdentity, kSigmoid, kSoftmax };
  int32_t num_features = 0;
  int32_t num_outputs = 0;        // K
  std::vector<double> weights;    // K x F, row-major
  std::vector<double> intercepts; // K
  Link link = Link::kIdentity;
  size_t output_index = 0;        // the model output the form computes

  // "log_odds" (sigmoid), "logit" (softmax), "margin" (identity): what the margins are.
  std::string MarginSpace() const;
};

// Unimplemented, saying why, when `model` is not an ONNX model computing a linear form.
Result<LinearForm> RecognizeOnnxLinear(const runtime::Model& model);

}  // namespace finserve::explain
