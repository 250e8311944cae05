// NamedFeatures: the `features:` section of a model's config — the raw characteristics an
// application sends by name (POST /v1/models/{m}:score) and how each becomes columns of the
// model's input row:
//
//   numeric       one column, the value as it is
//   categorical   encoding one_hot: one column per category (1 for the applicant's, 0 for the
//                 others); encoding ordinal: one column holding the category's number
//
// and what a missing value (null or absent) does: `refuse` (the request fails naming the
// feature), `nan` (the model's own missing-value handling: NaN in every column of the feature)
// or `impute` (the configured raw value is used instead). Every column of the model's input is
// produced by exactly one feature; this is checked at load, as is every column name.
//
// Value type, immutable after Parse; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "serving/request.h"

namespace finserve::serving {

enum class FeatureKind : uint8_t { kNumeric, kOneHot, kOrdinal };
enum class MissingPolicy : uint8_t { kRefuse, kNan, kImpute };

std::string_view FeatureKindName(FeatureKind kind);  // "numeric", "categorical (one_hot)", ...

struct NamedFeature {
  std::string name;
  FeatureKind kind = FeatureKind::kNumeric;
  int32_t column = -1;                    // numeric and ordinal: the model column
  std::vector<std::string> categories;    // one_hot and ordinal, sorted
  std::vector<int32_t> category_columns;  // one_hot: parallel to categories
  std::vector<double> category_values;    // ordinal: parallel to categories
  MissingPolicy missing = MissingPolicy::kRefuse;
  RawValue impute;                        // kImpute: a number (numeric) or a category
  int32_t indicator_column = -1;          // numeric under impute: 0/1 column, 1 = value was missing

  // Every model column the feature writes, ascending.
  std::vector<int32_t> Columns() const;
  // Index into categories, or -1.
  int FindCategory(std::string_view category) const;
};

class NamedFeatures {
 public:
  NamedFeatures() = default;

  // Parses the `features` section (null = no named features) with train::FeaturePlan's parser,
  // the one that also writes it (train/feature_plan.h documents the format). `columns` are the names of the
  // model input's columns; `file` names the config file(s) for messages.
  static Result<NamedFeatures> Parse(const nlohmann::json* section, const std::vector<std::string>& columns,
                                     std::string_view file);

  bool empty() const { return features_.empty(); }
  const std::vector<NamedFeature>& features() const { return features_; }
  const NamedFeature* Find(std::string_view name) const;
  int32_t num_columns() const { return num_columns_; }

  // Fills `row` (num_columns floats) from one applicant. InvalidArgument names the feature:
  // unknown name, given twice, wrong type, unknown category, missing under `refuse`.
  Status Encode(const Applicant& applicant, std::span<float> row) const;
  // The raw value of `feature` read back from a row: the number, the category (one_hot: the one
  // whose column is 1; ordinal: the one with the column's value), or missing.
  static RawValue Decode(const NamedFeature& feature, std::span<const float> row);

 private:
  std::vector<NamedFeature> features_;  // sorted by name
  int32_t num_columns_ = 0;
};

}  // namespace finserve::serving
