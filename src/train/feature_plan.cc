#include "train/feature_plan.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace finserve::train {
namespace {

using nlohmann::json;

Status Bad(std::string_view where, const std::string& path, const std::string& what) {
  return InvalidArgument(std::string(where) + ": 'features." + path + "' " + what);
}

Result<int> ColumnIndex(const std::string& column, const std::vector<std::string>& columns, std::string_view where,
                        const std::string& path) {
  auto it = std::find(columns.begin(), columns.end(), column);
  if (it == columns.end()) return Bad(where, path, "names column '" + column + "', which the model's input does not have");
  return static_cast<int>(it - columns.begin());
}

Status ParseCategories(const json& v, const std::vector<std::string>& columns, std::string_view where,
                       const std::string& path, FeatureSpec* f) {
  const json* cats = v.contains("categories") ? &v["categories"] : nullptr;
  if (!cats || !cats->is_object() || cats->empty()) {
    return Bad(where, path + ".categories", f->encoding == CategoryEncoding::kOneHot ? "must map categories to column names"
                                                                                     : "must map categories to numbers");
  }
  for (const auto& [category, value] : cats->items()) {
    f->categories.push_back(category);
    if (f->encoding == CategoryEncoding::kOneHot) {
      if (!value.is_string()) return Bad(where, path + ".categories." + category, "must be a column name");
      f->columns.push_back(value.get<std::string>());
      FS_ASSIGN_OR_RETURN(int index, ColumnIndex(f->columns.back(), columns, where, path + ".categories." + category));
      f->column_index.push_back(index);
    } else {
      if (!value.is_number() || !std::isfinite(value.get<double>())) return Bad(where, path + ".categories." + category, "must be a number");
      f->codes.push_back(value.get<double>());
    }
  }
  return Status::Ok();
}

// A string member, `fallback` when absent, "" when of another type (which no caller accepts):
// json::value would throw on the wrong type.
std::string StringOr(const json& v, const char* key, const char* fallback) {
  auto it = v.find(key);
  if (it == v.end()) return fallback;
  return it->is_string() ? it->get<std::string>() : std::string();
}

Status ParseMissing(const json& v, std::string_view where, const std::string& path, FeatureSpec* f) {
  const std::string missing = StringOr(v, "missing", "refuse");
  if (missing == "refuse") f->missing = MissingPolicy::kRefuse;
  else if (missing == "nan") f->missing = MissingPolicy::kNan;
  else if (missing == "impute") f->missing = MissingPolicy::kImpute;
  else return Bad(where, path + ".missing", "must be refuse, nan or impute");
  const bool has_impute = v.contains("impute");
  if (f->missing != MissingPolicy::kImpute) {
    return has_impute ? Bad(where, path + ".impute", "is set but 'missing' is '" + missing + "', not 'impute'") : Status::Ok();
  }
  if (!has_impute) return Bad(where, path + ".impute", "is required with 'missing: impute'");
  const json& impute = v["impute"];
  if (f->type == FeatureType::kNumeric) {
    if (!impute.is_number() || !std::isfinite(impute.get<double>())) return Bad(where, path + ".impute", "must be a number");
    f->impute_value = impute.get<double>();
    return Status::Ok();
  }
  if (!impute.is_string() ||
      std::find(f->categories.begin(), f->categories.end(), impute.get<std::string>()) == f->categories.end()) {
    return Bad(where, path + ".impute", "must be one of the feature's categories");
  }
  f->impute_category = impute.get<std::string>();
  return Status::Ok();
}

Result<FeatureSpec> ParseFeature(const std::string& name, const json& v, const std::vector<std::string>& columns,
                                 std::string_view where) {
  static const std::set<std::string> kKeys = {"type", "column", "encoding", "categories", "missing", "impute", "indicator"};
  if (!v.is_object()) return Bad(where, name, "must be a map");
  for (const auto& [key, unused] : v.items()) {
    if (!kKeys.count(key)) return Bad(where, name + "." + key, "is not a known key (type, column, encoding, categories, missing, impute, indicator)");
  }
  FeatureSpec f;
  f.name = name;
  const std::string type = StringOr(v, "type", "");
  if (type == "categorical") {
    f.type = FeatureType::kCategorical;
    const std::string encoding = StringOr(v, "encoding", "");
    if (encoding != "one_hot" && encoding != "ordinal") return Bad(where, name + ".encoding", "must be one_hot or ordinal");
    f.encoding = encoding == "one_hot" ? CategoryEncoding::kOneHot : CategoryEncoding::kOrdinal;
    FS_RETURN_IF_ERROR(ParseCategories(v, columns, where, name, &f));
  } else if (type != "numeric") {
    return Bad(where, name + ".type", "must be numeric or categorical");
  } else if (v.contains("encoding") || v.contains("categories")) {
    return Bad(where, name, "is numeric; 'encoding' and 'categories' belong to categorical features");
  }
  if (f.type == FeatureType::kCategorical && f.encoding == CategoryEncoding::kOneHot) {
    if (v.contains("column")) return Bad(where, name + ".column", "is not used by one_hot features (each category names its column)");
  } else {
    if (v.contains("column") && !v["column"].is_string()) return Bad(where, name + ".column", "must be a column name");
    f.columns = {v.value("column", name)};
    FS_ASSIGN_OR_RETURN(int index, ColumnIndex(f.columns[0], columns, where, name + ".column"));
    f.column_index = {index};
  }
  FS_RETURN_IF_ERROR(ParseMissing(v, where, name, &f));
  if (v.contains("indicator")) {
    if (f.type != FeatureType::kNumeric || f.missing != MissingPolicy::kImpute || !v["indicator"].is_string()) {
      return Bad(where, name + ".indicator", "must name a column, on a numeric feature with 'missing: impute'");
    }
    f.indicator_column = v["indicator"].get<std::string>();
    FS_ASSIGN_OR_RETURN(f.indicator_index, ColumnIndex(f.indicator_column, columns, where, name + ".indicator"));
  }
  return f;
}

std::string FormatNumber(double v) {
  json j = v;
  return j.dump();
}

}  // namespace

std::string_view MissingPolicyName(MissingPolicy policy) {
  switch (policy) {
    case MissingPolicy::kRefuse: return "refuse";
    case MissingPolicy::kNan: return "nan";
    case MissingPolicy::kImpute: return "impute";
  }
  return "refuse";
}

FeaturePlan FeaturePlan::Sequential(std::vector<FeatureSpec> features) {
  FeaturePlan plan;
  for (auto& f : features) {
    f.columns.clear();
    f.column_index.clear();
    if (f.type == FeatureType::kCategorical && f.encoding == CategoryEncoding::kOneHot) {
      for (const auto& c : f.categories) f.columns.push_back(f.name + "=" + c);
    } else {
      f.columns.push_back(f.name);
    }
    if (f.type == FeatureType::kCategorical && f.encoding == CategoryEncoding::kOrdinal && f.codes.empty()) {
      for (size_t k = 0; k < f.categories.size(); ++k) f.codes.push_back(static_cast<double>(k));
    }
    for (const auto& c : f.columns) {
      f.column_index.push_back(static_cast<int>(plan.column_names_.size()));
      plan.column_names_.push_back(c);
    }
    if (!f.indicator_column.empty()) {
      f.indicator_index = static_cast<int>(plan.column_names_.size());
      plan.column_names_.push_back(f.indicator_column);
    }
  }
  plan.features_ = std::move(features);
  return plan;
}

int FeaturePlan::FindFeature(std::string_view name) const {
  for (size_t i = 0; i < features_.size(); ++i) {
    if (features_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status FeaturePlan::EncodeNumber(size_t f, double value, float* row) const {
  const FeatureSpec& spec = features_[f];
  const int column = spec.column_index[0];
  if (spec.indicator_index >= 0) row[spec.indicator_index] = std::isnan(value) ? 1.0f : 0.0f;
  if (!std::isnan(value)) {
    if (!std::isfinite(value) || std::fabs(value) > std::numeric_limits<float>::max()) {
      return InvalidArgument("feature '" + spec.name + "': " + FormatNumber(value) + " is out of range for FP32");
    }
    row[column] = static_cast<float>(value);
    return Status::Ok();
  }
  switch (spec.missing) {
    case MissingPolicy::kRefuse:
      return InvalidArgument("feature '" + spec.name + "' is missing and the model has no rule for a missing value");
    case MissingPolicy::kNan: row[column] = std::numeric_limits<float>::quiet_NaN(); break;
    case MissingPolicy::kImpute: row[column] = static_cast<float>(spec.impute_value); break;
  }
  return Status::Ok();
}

Status FeaturePlan::EncodeCategory(size_t f, std::string_view value, bool missing, float* row) const {
  const FeatureSpec& spec = features_[f];
  int code = -1;
  if (!missing) {
    auto it = std::find(spec.categories.begin(), spec.categories.end(), value);
    if (it == spec.categories.end()) {
      std::string known;
      for (const auto& c : spec.categories) known += (known.empty() ? "" : ", ") + c;
      return InvalidArgument("feature '" + spec.name + "': unknown category '" + std::string(value) + "' (known: " + known + ")");
    }
    code = static_cast<int>(it - spec.categories.begin());
  } else if (spec.missing == MissingPolicy::kRefuse) {
    return InvalidArgument("feature '" + spec.name + "' is missing and the model has no rule for a missing value");
  } else if (spec.missing == MissingPolicy::kImpute) {
    code = static_cast<int>(std::find(spec.categories.begin(), spec.categories.end(), spec.impute_category) -
                            spec.categories.begin());
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (spec.encoding == CategoryEncoding::kOrdinal) {
    row[spec.column_index[0]] = code < 0 ? nan : static_cast<float>(spec.codes[static_cast<size_t>(code)]);
    return Status::Ok();
  }
  for (size_t c = 0; c < spec.column_index.size(); ++c) {
    row[spec.column_index[c]] = code < 0 ? nan : (static_cast<int>(c) == code ? 1.0f : 0.0f);
  }
  return Status::Ok();
}

json FeaturePlan::ToJson() const {
  json out = json::object();
  for (const auto& f : features_) {
    json v = {{"type", f.type == FeatureType::kNumeric ? "numeric" : "categorical"}};
    if (f.type == FeatureType::kCategorical) {
      v["encoding"] = f.encoding == CategoryEncoding::kOneHot ? "one_hot" : "ordinal";
      json cats = json::object();
      for (size_t k = 0; k < f.categories.size(); ++k) {
        cats[f.categories[k]] = f.encoding == CategoryEncoding::kOneHot ? json(f.columns[k]) : json(f.codes[k]);
      }
      v["categories"] = cats;
    }
    if (f.type == FeatureType::kNumeric || f.encoding == CategoryEncoding::kOrdinal) v["column"] = f.columns[0];
    v["missing"] = std::string(MissingPolicyName(f.missing));
    if (f.missing == MissingPolicy::kImpute) {
      v["impute"] = f.type == FeatureType::kNumeric ? json(f.impute_value) : json(f.impute_category);
    }
    if (!f.indicator_column.empty()) v["indicator"] = f.indicator_column;
    out[f.name] = std::move(v);
  }
  return out;
}

Result<FeaturePlan> FeaturePlan::FromJson(const json& section, const std::vector<std::string>& columns,
                                          std::string_view where) {
  if (!section.is_object() || section.empty()) {
    return InvalidArgument(std::string(where) + ": 'features' must map feature names to their settings");
  }
  if (columns.empty()) {
    return InvalidArgument(std::string(where) + ": 'features' needs the input's 'features' list (its column names)");
  }
  std::vector<FeatureSpec> specs;
  std::vector<std::string> owner(columns.size());
  for (const auto& [name, v] : section.items()) {
    FS_ASSIGN_OR_RETURN(FeatureSpec f, ParseFeature(name, v, columns, where));
    std::vector<int> owned = f.column_index;
    if (f.indicator_index >= 0) owned.push_back(f.indicator_index);
    for (int c : owned) {
      if (!owner[static_cast<size_t>(c)].empty()) {
        return InvalidArgument(std::string(where) + ": 'features' maps column '" + columns[static_cast<size_t>(c)] +
                               "' twice (features '" + owner[static_cast<size_t>(c)] + "' and '" + name + "')");
      }
      owner[static_cast<size_t>(c)] = name;
    }
    specs.push_back(std::move(f));
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (owner[c].empty()) {
      return InvalidArgument(std::string(where) + ": 'features' does not say where column '" + columns[c] +
                             "' of the model's input comes from; every column needs one named feature");
    }
  }
  std::stable_sort(specs.begin(), specs.end(), [](const FeatureSpec& a, const FeatureSpec& b) {
    return *std::min_element(a.column_index.begin(), a.column_index.end()) <
           *std::min_element(b.column_index.begin(), b.column_index.end());
  });
  FeaturePlan plan;
  plan.features_ = std::move(specs);
  plan.column_names_ = columns;
  return plan;
}

}  // namespace finserve::train
