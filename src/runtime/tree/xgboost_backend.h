// The XGBoost JSON backend: claims `model.json` in a version directory and loads it into a
// TreeModel (see tree_model.h for the signature it serves). Stateless; thread-safe.
#pragma once

#include <memory>

#include "runtime/backend.h"

namespace finserve::runtime::tree {

std::unique_ptr<runtime::Backend> NewXgboostJsonBackend();

}  // namespace finserve::runtime::tree
