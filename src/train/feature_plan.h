// FeaturePlan: how an applicant's raw columns become the model's numeric feature vector.
//
// One FeatureSpec per raw feature. A numeric feature fills one column with its value; a
// categorical one fills one column per category (one_hot: 1 for the applicant's, 0 for the
// others) or one column holding the category's number (ordinal). A missing value is refused,
// left as NaN in the feature's columns (trees and scorecards route it), or replaced by a recorded
// raw value (impute: a number, or a category, which may be the "(missing)" category trained for
// missing values). An unknown category is an error naming the feature and the known categories.
//
// The plan is fitted on training data (preprocess.h) and written into a trained version's
// config.yaml as the `features:` section, in the same format the serving layer's named features
// read (keyed by feature name; `column`, `categories` map to the input's `features` column names):
//   Age:  {type: numeric, column: Age, missing: impute, impute: 35.0}
//   Home: {type: categorical, encoding: one_hot, categories: {own: "Home=own", rent: "Home=rent"},
//          missing: nan}
//   Job:  {type: categorical, encoding: ordinal, column: Job, categories: {fixed: 0, freelance: 1}}
//   Debt: {type: numeric, column: Debt, missing: impute, impute: 0.0, indicator: Debt_missing}
// (`indicator`, a 0/1 column marking imputed values, is finserve's addition to that format.)
// Value type; immutable after construction; thread-safe to share.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace finserve::train {

enum class FeatureType { kNumeric, kCategorical };
enum class CategoryEncoding { kOneHot, kOrdinal };
// refuse: a missing value fails the request; nan: NaN in every column of the feature;
// impute: the recorded raw value (impute_value / impute_category) is used instead.
enum class MissingPolicy { kRefuse, kNan, kImpute };

// The category a trainer adds for missing values of a categorical feature (imputed to it).
inline constexpr char kMissingCategory[] = "(missing)";

std::string_view MissingPolicyName(MissingPolicy policy);

struct FeatureSpec {
  std::string name;
  FeatureType type = FeatureType::kNumeric;
  CategoryEncoding encoding = CategoryEncoding::kOneHot;  // categorical only
  std::vector<std::string> categories;                    // categorical only
  std::vector<double> codes;                              // ordinal: each category's number
  MissingPolicy missing = MissingPolicy::kNan;
  double impute_value = std::numeric_limits<double>::quiet_NaN();  // numeric, kImpute
  std::string impute_category;                                     // categorical, kImpute
  std::vector<std::string> columns;  // model column names: [name] or one per category (one_hot)
  std::vector<int> column_index;     // their positions in the model's input row
  // Numeric features imputed under the `indicator` policy also fill a 0/1 column (1 = the value
  // was missing). finserve's extension of the named-features format: key `indicator`.
  std::string indicator_column;
  int indicator_index = -1;
};

class FeaturePlan {
 public:
  FeaturePlan() = default;
  // Lays the features' columns out in order (numeric and ordinal: the feature's name; one_hot:
  // "<name>=<category>"), and fills ordinal codes (= category index) where not given.
  static FeaturePlan Sequential(std::vector<FeatureSpec> features);

  const std::vector<FeatureSpec>& features() const { return features_; }
  int num_columns() const { return static_cast<int>(column_names_.size()); }
  const std::vector<std::string>& column_names() const { return column_names_; }
  int FindFeature(std::string_view name) const;

  // Writes feature `f`'s columns of one encoded row. `value` is NaN when missing.
  Status EncodeNumber(size_t f, double value, float* row) const;
  // `missing` = the value is absent; otherwise `value` is the category text.
  Status EncodeCategory(size_t f, std::string_view value, bool missing, float* row) const;

  nlohmann::json ToJson() const;
  // Reads a `features:` section against the model input's column names; every column must be
  // produced by exactly one feature. `where` names the file for messages.
  static Result<FeaturePlan> FromJson(const nlohmann::json& section, const std::vector<std::string>& columns,
                                      std::string_view where);

 private:
  std::vector<FeatureSpec> features_;  // in order of their first column
  std::vector<std::string> column_names_;
};

}  // namespace finserve::train
