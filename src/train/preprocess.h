// Preprocessing: from a CsvTable to numbers. Infers (or takes from the schema) each column's type,
// fits a FeaturePlan on the training rows (categories, imputation values), encodes tables into a
// dense float matrix and the target into 0/1 labels. Every refusal names the column, and the row
// where a cell is at fault ("row 17 (line 18), column 'Income': 'abc' is not a number").
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "train/csv_table.h"
#include "train/feature_plan.h"

namespace finserve::train {

// How a column's missing values are handled, as chosen when fitting (the plan then records
// nan, impute with the value, or refuse): keep = NaN; mean / median / constant = impute that
// value; indicator = the median plus a 0/1 "<name>_missing" column; category = a categorical
// feature's own "(missing)" category (imputed to it).
enum class MissingFit { kKeep, kMean, kMedian, kConstant, kIndicator, kCategory, kRefuse };
std::optional<MissingFit> ParseMissingFit(std::string_view name);

// What the schema says about one column (all optional: unset = inferred or the default).
struct ColumnSchema {
  enum class Role { kFeature, kIgnore };
  Role role = Role::kFeature;
  std::optional<FeatureType> type;
  std::optional<CategoryEncoding> encoding;
  std::optional<MissingFit> missing;
  std::optional<double> impute_value;
  std::optional<std::string> impute_category;
};

struct PreprocessOptions {
  std::string target;
  std::vector<std::string> exclude;  // columns that are not features (e.g. the split's date column)
  std::map<std::string, ColumnSchema> columns;
  CategoryEncoding encoding = CategoryEncoding::kOneHot;
  // true: missing values stay NaN (trees, scorecards); false: impute (numeric: the median;
  // categorical: its own "(missing)" category where training data had missing values and the
  // encoding is one-hot, the most frequent category otherwise).
  bool native_missing = true;
  int max_one_hot_categories = 64;
  int max_categories = 1000;
};

// Dense row-major matrix of encoded features.
struct Matrix {
  int64_t rows = 0;
  int cols = 0;
  std::vector<float> values;
  float at(int64_t r, int c) const { return values[static_cast<size_t>(r * cols + c)]; }
  const float* row(int64_t r) const { return values.data() + r * cols; }
};

// Parses a number cell strictly (the whole text, finite); nullopt if it is not one.
std::optional<double> ParseNumber(std::string_view text);

// Fits the plan on `train` (the training rows only, so validation data never leaks into it).
Result<FeaturePlan> FitFeaturePlan(const CsvTable& train, const PreprocessOptions& options);

// Encodes every row; a column of the plan absent from the table is an error.
Result<Matrix> EncodeTable(const FeaturePlan& plan, const CsvTable& table);

// 0/1 labels: 1 where the target equals `positive`. Refuses missing targets and a target without
// exactly two classes; an empty `positive` takes the class that sorts last (e.g. "bad" < "good"
// gives "good"), which the caller should then state.
Result<std::vector<float>> EncodeBinaryTarget(const CsvTable& table, const std::string& target,
                                              std::string* positive);
// Numeric target for regression.
Result<std::vector<float>> EncodeNumericTarget(const CsvTable& table, const std::string& target);

}  // namespace finserve::train
