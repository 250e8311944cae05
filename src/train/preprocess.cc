#include "train/preprocess.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <map>
#include <set>

namespace finserve::train {
namespace {

constexpr double kNumericShare = 0.9;  // a column this numeric with a stray word is a typo, not text

struct ColumnFacts {
  int64_t present = 0;
  int64_t numbers = 0;
  int64_t first_non_number = -1;
};

ColumnFacts Survey(const CsvTable& t, int c) {
  ColumnFacts f;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    if (t.missing(r, c)) continue;
    ++f.present;
    if (ParseNumber(t.cell(r, c))) {
      ++f.numbers;
    } else if (f.first_non_number < 0) {
      f.first_non_number = r;
    }
  }
  return f;
}

Result<FeatureType> DecideType(const CsvTable& t, int c, const ColumnSchema& schema) {
  const ColumnFacts facts = Survey(t, c);
  const std::string& name = t.header()[static_cast<size_t>(c)];
  if (facts.present == 0) {
    return InvalidArgument(t.source() + ": column '" + name + "' is missing in all " + std::to_string(t.num_rows()) +
                           " rows; drop it or mark it `type: ignore` in the schema");
  }
  if (schema.type == FeatureType::kCategorical) return FeatureType::kCategorical;
  if (facts.numbers == facts.present) return FeatureType::kNumeric;
  const bool mostly_numbers = static_cast<double>(facts.numbers) >= kNumericShare * static_cast<double>(facts.present);
  if (schema.type == FeatureType::kNumeric || mostly_numbers) {
    return InvalidArgument(t.source() + ": " + t.Where(facts.first_non_number, c) + ": '" +
                           t.cell(facts.first_non_number, c) + "' is not a number (" + std::to_string(facts.numbers) +
                           " of " + std::to_string(facts.present) +
                           " values are numbers); fix the cell or declare the column categorical in the schema");
  }
  return FeatureType::kCategorical;
}

std::string FormatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Result<FeatureSpec> FitNumeric(const CsvTable& t, int c, const ColumnSchema& schema, const PreprocessOptions& o) {
  FeatureSpec f;
  f.name = t.header()[static_cast<size_t>(c)];
  f.type = FeatureType::kNumeric;
  std::vector<double> values;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    if (!t.missing(r, c)) values.push_back(*ParseNumber(t.cell(r, c)));
  }
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  if (*lo == *hi) {
    return InvalidArgument(t.source() + ": column '" + f.name + "' is constant (" + FormatNumber(*lo) +
                           " in every row that has a value); it cannot help a model: drop it or mark it "
                           "`type: ignore` in the schema");
  }
  const MissingFit fit = schema.missing.value_or(o.native_missing ? MissingFit::kKeep : MissingFit::kMedian);
  double sum = 0;
  for (double v : values) sum += v;
  f.missing = MissingPolicy::kImpute;
  switch (fit) {
    case MissingFit::kMean: f.impute_value = sum / static_cast<double>(values.size()); break;
    case MissingFit::kMedian: f.impute_value = Median(values); break;
    case MissingFit::kIndicator:
      f.impute_value = Median(values);
      f.indicator_column = f.name + "_missing";
      break;
    case MissingFit::kConstant:
      if (!schema.impute_value) {
        return InvalidArgument("schema: column '" + f.name + "' has `missing: constant` but no numeric `impute` value");
      }
      f.impute_value = *schema.impute_value;
      break;
    case MissingFit::kKeep: f.missing = MissingPolicy::kNan; break;
    case MissingFit::kRefuse: f.missing = MissingPolicy::kRefuse; break;
    case MissingFit::kCategory:
      return InvalidArgument("schema: column '" + f.name + "' is numeric; `missing: category` is for categorical columns");
  }
  return f;
}

Status ApplyCategoricalMissing(MissingFit fit, bool seen_missing, const ColumnSchema& schema, FeatureSpec* f) {
  switch (fit) {
    case MissingFit::kKeep: f->missing = MissingPolicy::kNan; return Status::Ok();
    case MissingFit::kRefuse: f->missing = MissingPolicy::kRefuse; return Status::Ok();
    case MissingFit::kCategory:
      if (!seen_missing || f->encoding == CategoryEncoding::kOrdinal) return ApplyCategoricalMissing(MissingFit::kConstant, seen_missing, schema, f);
      f->categories.push_back(kMissingCategory);
      f->missing = MissingPolicy::kImpute;
      f->impute_category = kMissingCategory;
      return Status::Ok();
    case MissingFit::kConstant:
      f->missing = MissingPolicy::kImpute;
      f->impute_category = schema.impute_category.value_or(f->categories[0]);
      if (std::find(f->categories.begin(), f->categories.end(), f->impute_category) == f->categories.end()) {
        return InvalidArgument("schema: column '" + f->name + "': impute category '" + f->impute_category +
                               "' never occurs in the training data");
      }
      return Status::Ok();
    case MissingFit::kMean:
    case MissingFit::kMedian:
    case MissingFit::kIndicator:
      return InvalidArgument("schema: column '" + f->name + "' is categorical; its missing policy must be keep, constant, category or refuse");
  }
  return Status::Ok();
}

Result<FeatureSpec> FitCategorical(const CsvTable& t, int c, const ColumnSchema& schema, const PreprocessOptions& o) {
  FeatureSpec f;
  f.name = t.header()[static_cast<size_t>(c)];
  f.type = FeatureType::kCategorical;
  std::map<std::string, int64_t> counts;
  int64_t missing = 0;
  for (int64_t r = 0; r < t.num_rows(); ++r) {
    if (t.missing(r, c)) {
      ++missing;
    } else {
      ++counts[t.cell(r, c)];
    }
  }
  if (counts.size() < 2) {
    return InvalidArgument(t.source() + ": column '" + f.name + "' is constant ('" + counts.begin()->first +
                           "' in every row that has a value); drop it or mark it `type: ignore` in the schema");
  }
  if (static_cast<int>(counts.size()) > o.max_categories) {
    return InvalidArgument(t.source() + ": column '" + f.name + "' has " + std::to_string(counts.size()) +
                           " distinct values, more than " + std::to_string(o.max_categories) +
                           " categories; is it an identifier? Mark it `type: ignore` in the schema");
  }
  if (counts.count(kMissingCategory)) {
    return InvalidArgument(t.source() + ": column '" + f.name + "' holds the value '" + kMissingCategory +
                           "', which finserve reserves for missing values");
  }
  std::vector<std::pair<std::string, int64_t>> ordered(counts.begin(), counts.end());
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [name, n] : ordered) f.categories.push_back(name);
  f.encoding = schema.encoding.value_or(o.encoding);
  if (f.encoding == CategoryEncoding::kOneHot && static_cast<int>(f.categories.size()) > o.max_one_hot_categories) {
    return InvalidArgument(t.source() + ": column '" + f.name + "' has " + std::to_string(f.categories.size()) +
                           " categories, too many to one-hot encode (at most " +
                           std::to_string(o.max_one_hot_categories) + "); use `encoding: ordinal` in the schema");
  }
  const MissingFit fit = schema.missing.value_or(o.native_missing ? MissingFit::kKeep : MissingFit::kCategory);
  FS_RETURN_IF_ERROR(ApplyCategoricalMissing(fit, missing > 0, schema, &f));
  return f;
}

}  // namespace

std::optional<MissingFit> ParseMissingFit(std::string_view name) {
  static const std::pair<std::string_view, MissingFit> kNames[] = {
      {"keep", MissingFit::kKeep},         {"mean", MissingFit::kMean},         {"median", MissingFit::kMedian},
      {"constant", MissingFit::kConstant}, {"indicator", MissingFit::kIndicator}, {"category", MissingFit::kCategory},
      {"refuse", MissingFit::kRefuse}};
  for (const auto& [n, fit] : kNames) {
    if (n == name) return fit;
  }
  return std::nullopt;
}

std::optional<double> ParseNumber(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

Result<FeaturePlan> FitFeaturePlan(const CsvTable& train, const PreprocessOptions& options) {
  if (train.FindColumn(options.target) < 0) {
    return InvalidArgument(train.source() + ": no target column '" + options.target + "' in the header");
  }
  for (const auto& [name, unused] : options.columns) {
    if (train.FindColumn(name) < 0) return InvalidArgument("schema: column '" + name + "' is not in " + train.source());
  }
  std::vector<FeatureSpec> specs;
  static const ColumnSchema kDefault;
  for (int c = 0; c < train.num_columns(); ++c) {
    const std::string& name = train.header()[static_cast<size_t>(c)];
    if (name == options.target) continue;
    if (std::find(options.exclude.begin(), options.exclude.end(), name) != options.exclude.end()) continue;
    auto it = options.columns.find(name);
    const ColumnSchema& schema = it == options.columns.end() ? kDefault : it->second;
    if (schema.role == ColumnSchema::Role::kIgnore) continue;
    FS_ASSIGN_OR_RETURN(FeatureType type, DecideType(train, c, schema));
    FS_ASSIGN_OR_RETURN(FeatureSpec spec, type == FeatureType::kNumeric ? FitNumeric(train, c, schema, options)
                                                                         : FitCategorical(train, c, schema, options));
    specs.push_back(std::move(spec));
  }
  if (specs.empty()) return InvalidArgument(train.source() + ": no feature columns besides the target");
  FeaturePlan plan = FeaturePlan::Sequential(std::move(specs));
  std::set<std::string> seen;
  for (const auto& column : plan.column_names()) {
    if (!seen.insert(column).second) {
      return InvalidArgument(train.source() + ": two model columns would be named '" + column +
                             "' (a column of that name and a category of another column); rename one");
    }
  }
  return plan;
}

Result<Matrix> EncodeTable(const FeaturePlan& plan, const CsvTable& table) {
  Matrix m;
  m.rows = table.num_rows();
  m.cols = plan.num_columns();
  m.values.assign(static_cast<size_t>(m.rows) * static_cast<size_t>(m.cols), 0.0f);
  for (size_t f = 0; f < plan.features().size(); ++f) {
    const FeatureSpec& spec = plan.features()[f];
    const int c = table.FindColumn(spec.name);
    if (c < 0) return InvalidArgument(table.source() + ": no column '" + spec.name + "' (the model needs it)");
    for (int64_t r = 0; r < m.rows; ++r) {
      float* row = m.values.data() + r * m.cols;
      const std::string& cell = table.cell(r, c);
      Status s;
      if (spec.type == FeatureType::kNumeric) {
        std::optional<double> v = cell.empty() ? std::optional<double>(std::nan("")) : ParseNumber(cell);
        if (!v) return InvalidArgument(table.source() + ": " + table.Where(r, c) + ": '" + cell + "' is not a number");
        s = plan.EncodeNumber(f, *v, row);
      } else {
        s = plan.EncodeCategory(f, cell, cell.empty(), row);
      }
      if (!s.ok()) return s.WithContext(table.source() + ": " + table.Where(r, c));
    }
  }
  return m;
}

Result<std::vector<float>> EncodeBinaryTarget(const CsvTable& table, const std::string& target, std::string* positive) {
  const int c = table.FindColumn(target);
  if (c < 0) return InvalidArgument(table.source() + ": no target column '" + target + "' in the header");
  std::set<std::string> classes;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    if (table.missing(r, c)) {
      return InvalidArgument(table.source() + ": " + table.Where(r, c) + ": the target is missing");
    }
    classes.insert(table.cell(r, c));
    if (classes.size() > 2) break;
  }
  if (classes.size() != 2) {
    std::string list;
    for (const auto& k : classes) list += (list.empty() ? "'" : ", '") + k + "'";
    return InvalidArgument(table.source() + ": a classifier needs a target with exactly two classes; column '" + target +
                           "' has " + (classes.size() > 2 ? "more than two (" + list + ", ...)" : list.empty() ? "none" : "only " + list));
  }
  if (positive->empty()) *positive = *classes.rbegin();
  if (!classes.count(*positive)) {
    return InvalidArgument(table.source() + ": the positive label '" + *positive + "' is not a class of '" + target +
                           "' (its classes: '" + *classes.begin() + "', '" + *classes.rbegin() + "')");
  }
  std::vector<float> y(static_cast<size_t>(table.num_rows()));
  for (int64_t r = 0; r < table.num_rows(); ++r) y[static_cast<size_t>(r)] = table.cell(r, c) == *positive ? 1.0f : 0.0f;
  return y;
}

Result<std::vector<float>> EncodeNumericTarget(const CsvTable& table, const std::string& target) {
  const int c = table.FindColumn(target);
  if (c < 0) return InvalidArgument(table.source() + ": no target column '" + target + "' in the header");
  std::vector<float> y;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    auto v = ParseNumber(table.cell(r, c));
    if (!v) return InvalidArgument(table.source() + ": " + table.Where(r, c) + ": the target '" + table.cell(r, c) + "' is not a number");
    y.push_back(static_cast<float>(*v));
  }
  return y;
}

}  // namespace finserve::train
