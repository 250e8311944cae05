// The linear-family backends: `model.linear.json` (linear/logistic regression, LinearModel) and
// `model.scorecard.json` (points scorecards, ScorecardModel). Stateless; thread-safe.
#pragma once

#include <memory>

#include "runtime/backend.h"

namespace finserve::runtime::linear {

std::unique_ptr<runtime::Backend> NewLinearBackend();
std::unique_ptr<runtime::Backend> NewScorecardBackend();

}  // namespace finserve::runtime::linear
