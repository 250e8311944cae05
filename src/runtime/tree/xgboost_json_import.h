// Reads an XGBoost JSON model (Booster.save_model("m.json")) into a TreeEnsemble.
//
// Accepts the schema written by XGBoost 1.x (Debian's 1.7.4) and 2.x files where the format is
// the same: gbtree boosters, the objectives of xgboost_objective.h, numerical splits
// (`x < split_condition` goes left, NaN follows default_left), base_score as "5E-1" or "[5E-1]".
// Everything else is refused with a Status naming where: a malformed document, a missing key, a
// wrong type, a child index out of range, a cycle, a feature index >= num_feature, an unknown
// objective, a categorical split ("tree 3, node 7: ..."). Never throws. Stateless; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "runtime/tree/tree_ensemble.h"
#include "runtime/tree/xgboost_objective.h"

namespace finserve::runtime::tree {

struct XgboostModel {
  TreeEnsemble ensemble;  // margins: base_score's margin + trees, post transform of the objective
  const ObjectiveInfo* objective = nullptr;
  int32_t num_class = 0;  // 0 unless multi:*
  float base_score = 0.5f;  // as written in the file (probability space)
  std::vector<std::string> feature_names;  // empty if the file has none
  std::array<int64_t, 3> version = {0, 0, 0};
};

Result<XgboostModel> ImportXgboostJson(std::string_view json_text);

}  // namespace finserve::runtime::tree
