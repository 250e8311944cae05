// FeaturePlan: how an applicant's raw columns become the model's numeric feature vector.
//
// One FeatureSpec per raw feature, in model-column order: numeric features fill one column
// (plus a 0/1 "<name>_missing" column under the `indicator` policy); categorical features fill one
// column per category (one-hot: "<name>=<category>") or one column holding the category's index
// (ordinal). Missing values follow a recorded policy (keep as NaN, impute mean/median/constant,
// indicator, or its own category). The plan is fitted on training data (preprocess.h), written to
// a trained version's config.yaml as the `features:` section (ToJson), and read back by the
// serving layer (FromJson) so that clients send raw values. Encoding is a pure function of the
// plan. Value type; immutable after construction; thread-safe to share.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace finserve::train {

enum class FeatureType { kNumeric, kCategorical };
enum class CategoryEncoding { kOneHot, kOrdinal };
// keep: NaN in the feature's columns (trees and scorecards route missing values themselves);
// mean/median/constant: the recorded value; indicator: the median plus a 0/1 missing column;
// category: a categorical feature's own "(missing)" category (one more one-hot column).
enum class MissingPolicy { kKeep, kMean, kMedian, kConstant, kIndicator, kCategory };

std::string_view MissingPolicyName(MissingPolicy policy);
std::optional<MissingPolicy> ParseMissingPolicy(std::string_view name);

struct FeatureSpec {
  std::string name;
  FeatureType type = FeatureType::kNumeric;
  CategoryEncoding encoding = CategoryEncoding::kOneHot;  // categorical only
  std::vector<std::string> categories;                    // categorical only, in column/code order
  MissingPolicy missing = MissingPolicy::kKeep;
  double impute_value = std::numeric_limits<double>::quiet_NaN();  // numeric imputation
  std::string impute_category;                                     // categorical `constant`
  bool unknown_as_missing = true;  // an unseen category: missing (true) or an error (false)
  std::vector<std::string> columns;  // the model columns this feature fills, in order
};

class FeaturePlan {
 public:
  FeaturePlan() = default;
  // Fills in each spec's `columns` from its type, encoding and policy.
  explicit FeaturePlan(std::vector<FeatureSpec> features);

  const std::vector<FeatureSpec>& features() const { return features_; }
  int num_columns() const { return static_cast<int>(column_names_.size()); }
  const std::vector<std::string>& column_names() const { return column_names_; }
  int first_column(size_t feature) const { return first_column_[feature]; }
  int FindFeature(std::string_view name) const;

  // Writes feature `f`'s columns of one encoded row. `value` is NaN when missing.
  Status EncodeNumber(size_t f, double value, float* row) const;
  // `missing` = the value is absent; otherwise `value` is the category text.
  Status EncodeCategory(size_t f, std::string_view value, bool missing, float* row) const;

  nlohmann::json ToJson() const;
  // Validates a `features:` section; `where` names the file for messages.
  static Result<FeaturePlan> FromJson(const nlohmann::json& section, std::string_view where);

 private:
  std::vector<FeatureSpec> features_;
  std::vector<int> first_column_;
  std::vector<std::string> column_names_;
};

}  // namespace finserve::train
