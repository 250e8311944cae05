#include "explain/linear_models.h"

#include "runtime/linear/linear_model.h"

namespace finserve::explain {
namespace {

int OutputIndex(const runtime::Model& model, std::string_view name) {
  const auto& outputs = model.outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

Result<LinearForm> RecognizeLinearModel(const runtime::Model& model) {
  const auto* linear = dynamic_cast<const runtime::linear::LinearModel*>(&model);
  if (linear == nullptr) return RecognizeOnnxLinear(model);
  const runtime::linear::LinearSpec& spec = linear->spec();
  const bool logistic = spec.kind == runtime::linear::LinearSpec::Kind::kLogistic;
  // The margin output holds the log-odds (logistic); regression has only its prediction.
  const int output = OutputIndex(model, logistic ? "margin" : "prediction");
  if (output < 0) return Internal("finserve_linear model without its margin/prediction output");
  LinearForm form;
  form.num_features = static_cast<int32_t>(spec.coefficients.size());
  form.num_outputs = 1;
  form.weights = spec.coefficients;
  form.intercepts = {spec.intercept};
  form.link = logistic ? LinearForm::Link::kSigmoid : LinearForm::Link::kIdentity;
  form.output_index = static_cast<size_t>(output);
  return form;
}

}  // namespace finserve::explain
