#include "runtime/tree/xgboost_objective.h"

#include <array>
#include <cmath>

#include <fmt/format.h>

namespace finserve::runtime::tree {
namespace {

using enum XgbObjective;
using L = BaseScoreLink;
using P = PostTransform;
using A = AnswerKind;

// binary:logitraw answers raw margins in XGBoost, and its ProbToMargin is the identity (base_score
// is taken as a margin as is); its link is still the logistic one, so our `probability` is the
// sigmoid of the margin.
constexpr std::array<ObjectiveInfo, 8> kObjectives = {{
    {kBinaryLogistic, "binary:logistic", L::kLogit, P::kLogistic, A::kBinaryProbability, false},
    {kBinaryLogitRaw, "binary:logitraw", L::kIdentity, P::kLogistic, A::kBinaryProbability, false},
    {kRegSquaredError, "reg:squarederror", L::kIdentity, P::kIdentity, A::kRegression, false},
    {kRegLogistic, "reg:logistic", L::kLogit, P::kLogistic, A::kRegression, false},
    {kRegPseudoHuberError, "reg:pseudohubererror", L::kIdentity, P::kIdentity, A::kRegression, false},
    {kMultiSoftprob, "multi:softprob", L::kIdentity, P::kSoftmax, A::kClassProbabilities, false},
    {kMultiSoftmax, "multi:softmax", L::kIdentity, P::kSoftmax, A::kClassProbabilities, true},
    {kCountPoisson, "count:poisson", L::kLog, P::kExp, A::kRegression, false},
}};

}  // namespace

std::span<const ObjectiveInfo> SupportedObjectives() { return kObjectives; }

const ObjectiveInfo* FindObjective(std::string_view name) {
  for (const ObjectiveInfo& o : kObjectives) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

std::string SupportedObjectiveNames() {
  std::string names;
  for (const ObjectiveInfo& o : kObjectives) {
    if (!names.empty()) names += ", ";
    names += o.name;
  }
  return names;
}

Result<float> BaseScoreToMargin(const ObjectiveInfo& objective, float base_score) {
  switch (objective.base_score_link) {
    case L::kIdentity:
      if (!std::isfinite(base_score)) break;
      return base_score;
    case L::kLogit:
      // RegLossObj::ProbToMargin for the logistic losses.
      if (!(base_score > 0.0f && base_score < 1.0f)) break;
      return -std::log(1.0f / base_score - 1.0f);
    case L::kLog:
      // PoissonRegression::ProbToMargin.
      if (!(base_score > 0.0f) || !std::isfinite(base_score)) break;
      return std::log(base_score);
  }
  return InvalidArgument(fmt::format("base_score {} is outside the domain of objective '{}'", base_score,
                                     objective.name));
}

}  // namespace finserve::runtime::tree
