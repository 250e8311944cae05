// FeatureRules: per-feature input validation from a model's config.yaml `validation:` section,
// parsed and checked against the model's inputs when a version loads, enforced on every request.
//
//   validation:
//     features:
//       Age:     {min: 18, max: 100, type: integer, missing: refuse}
//       Income:  {min: 0, missing: allow}
//       Records: {allowed: [0, 1]}
//
// Rule keys: min, max (inclusive bounds), allowed (list of numbers), type (number | integer |
// boolean; boolean = allowed [0, 1]), missing (allow | refuse; a missing value is null on the wire,
// NaN in the tensor; default allow). A feature is a column of an input's last dimension, as named
// by the input's `features`. A rule naming a feature no input has, an unknown key, or min > max is
// a load error naming the file and the feature. A violation is InvalidArgument naming the input,
// row (from 0), feature, value and rule:
//   input 'features' row 1 feature 'Age': value 7 is below the minimum 18
// Immutable after parsing; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/tensor.h"
#include "repository/loaded_model.h"

namespace finserve::serving {

struct FeatureRule {
  std::string feature;
  size_t column = 0;  // in the input's last dimension
  std::optional<double> min, max;
  std::vector<double> allowed;  // empty = any value
  bool integer = false;         // whole numbers only
  bool refuse_missing = false;
};

class FeatureRules {
 public:
  // From the effective config `document` of a version whose client-facing inputs are `inputs`.
  // `where` names the config file(s) for messages.
  static Result<FeatureRules> FromConfig(const nlohmann::json& document,
                                         const std::vector<repository::TensorBinding>& inputs,
                                         std::string_view where);

  bool empty() const { return inputs_.empty(); }
  // Checks the tensor sent for client-facing input `input_index` (already bound: dtype and shape
  // match the model's).
  Status Check(size_t input_index, const std::string& input_name, const TensorView& tensor) const;

 private:
  struct InputRules {
    size_t input_index = 0;
    size_t num_features = 0;
    std::vector<FeatureRule> rules;
  };
  std::vector<InputRules> inputs_;
};

}  // namespace finserve::serving
