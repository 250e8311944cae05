// The XGBoost objectives finserve serves, as one table: for each, how base_score (probability
// space) becomes a margin (XGBoost's ObjFunction::ProbToMargin), which transform turns margins into
// the answer (its PredTransform), and what the model outputs.
//
// Immutable static data; thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "runtime/tree/tree_ensemble.h"

namespace finserve::runtime::tree {

enum class XgbObjective : uint8_t {
  kBinaryLogistic,
  kBinaryLogitRaw,
  kRegSquaredError,
  kRegLogistic,
  kRegPseudoHuberError,
  kMultiSoftprob,
  kMultiSoftmax,
  kCountPoisson,
};

// What a model answers besides `margin`.
enum class AnswerKind : uint8_t {
  kBinaryProbability,  // `probability` [-1]
  kRegression,         // `prediction` [-1]
  kClassProbabilities, // `probability` [-1, num_class]
};

enum class BaseScoreLink : uint8_t { kIdentity, kLogit, kLog };

struct ObjectiveInfo {
  XgbObjective id;
  std::string_view name;        // as in the JSON ("binary:logistic")
  BaseScoreLink base_score_link;
  PostTransform transform;      // margin -> probability / prediction
  AnswerKind answer;
  bool emits_label;             // multi:softmax: also `label`, the argmax class
};

std::span<const ObjectiveInfo> SupportedObjectives();
// nullptr if `name` is not supported.
const ObjectiveInfo* FindObjective(std::string_view name);
// "binary:logistic, binary:logitraw, ..." for error messages.
std::string SupportedObjectiveNames();

// base_score (probability space) -> margin, in float as XGBoost does. InvalidArgument if the
// value is outside the link's domain (logit: (0, 1); log: > 0).
Result<float> BaseScoreToMargin(const ObjectiveInfo& objective, float base_score);

}  // namespace finserve::runtime::tree
