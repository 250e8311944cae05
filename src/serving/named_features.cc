#include "serving/named_features.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "serving/config_fields.h"

namespace finserve::serving {
namespace {

using nlohmann::json;
using config::Path;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Result<int32_t> ColumnIndex(const std::string& name, const std::vector<std::string>& columns, const Path& at) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int32_t>(i);
  }
  return at.Error("names column '" + name + "', which the model's input does not have");
}

Status ParseCategories(const json& spec, const std::vector<std::string>& columns, const Path& at,
                       NamedFeature* f) {
  const Path cat_at = at.Child("categories");
  const json* categories = config::Find(spec, "categories");
  if (categories == nullptr || !categories->is_object() || categories->empty()) {
    return cat_at.TypeError("a non-empty map of category -> " +
                                std::string(f->kind == FeatureKind::kOneHot ? "column name" : "number"),
                            categories ? *categories : json());
  }
  for (const auto& [category, value] : categories->items()) {  // nlohmann keeps keys sorted
    const Path item_at = cat_at.Child(category);
    f->categories.push_back(category);
    if (f->kind == FeatureKind::kOneHot) {
      if (!value.is_string()) return item_at.TypeError("a string (a column name)", value);
      FS_ASSIGN_OR_RETURN(int32_t column, ColumnIndex(value.get<std::string>(), columns, item_at));
      f->category_columns.push_back(column);
    } else {
      if (!value.is_number() || !std::isfinite(value.get<double>())) return item_at.TypeError("a number", value);
      f->category_values.push_back(value.get<double>());
    }
  }
  return Status::Ok();
}

Status ParseMissing(const json& spec, const Path& at, NamedFeature* f) {
  FS_ASSIGN_OR_RETURN(std::string missing, config::ReadChoice(spec, "missing", at, {"refuse", "nan", "impute"},
                                                              std::string("refuse")));
  f->missing = missing == "refuse" ? MissingPolicy::kRefuse : missing == "nan" ? MissingPolicy::kNan : MissingPolicy::kImpute;
  const json* impute = config::Find(spec, "impute");
  if (f->missing != MissingPolicy::kImpute) {
    if (impute != nullptr) return at.Child("impute").Error("is set but 'missing' is '" + missing + "', not 'impute'");
    return Status::Ok();
  }
  if (impute == nullptr) return at.Child("impute").Error("is required with 'missing: impute'");
  if (f->kind == FeatureKind::kNumeric) {
    if (!impute->is_number() || !std::isfinite(impute->get<double>())) {
      return at.Child("impute").TypeError("a number", *impute);
    }
    f->impute = impute->get<double>();
    return Status::Ok();
  }
  if (!impute->is_string() || f->FindCategory(impute->get<std::string>()) < 0) {
    return at.Child("impute").TypeError("one of the feature's categories", *impute);
  }
  f->impute = impute->get<std::string>();
  return Status::Ok();
}

Result<NamedFeature> ParseFeature(const std::string& name, const json& spec, const std::vector<std::string>& columns,
                                  const Path& at) {
  FS_RETURN_IF_ERROR(config::CheckKeys(spec, at, {"type", "column", "encoding", "categories", "missing", "impute"}));
  NamedFeature f;
  f.name = name;
  FS_ASSIGN_OR_RETURN(std::string type, config::ReadChoice(spec, "type", at, {"numeric", "categorical"}));
  if (type == "categorical") {
    FS_ASSIGN_OR_RETURN(std::string encoding, config::ReadChoice(spec, "encoding", at, {"one_hot", "ordinal"}));
    f.kind = encoding == "one_hot" ? FeatureKind::kOneHot : FeatureKind::kOrdinal;
    FS_RETURN_IF_ERROR(ParseCategories(spec, columns, at, &f));
  } else if (config::Find(spec, "encoding") != nullptr || config::Find(spec, "categories") != nullptr) {
    return at.Error("is numeric; 'encoding' and 'categories' belong to categorical features");
  }
  if (f.kind == FeatureKind::kOneHot) {
    if (config::Find(spec, "column") != nullptr) {
      return at.Child("column").Error("is not used by one_hot features (each category names its column)");
    }
  } else {
    FS_ASSIGN_OR_RETURN(std::string column, config::ReadString(spec, "column", at, name));
    FS_ASSIGN_OR_RETURN(f.column, ColumnIndex(column, columns, at.Child("column")));
  }
  FS_RETURN_IF_ERROR(ParseMissing(spec, at, &f));
  return f;
}

// Every column is written by exactly one feature.
Status CheckCoverage(const std::vector<NamedFeature>& features, const std::vector<std::string>& columns,
                     const Path& at) {
  std::vector<std::string> owner(columns.size());
  for (const NamedFeature& f : features) {
    for (int32_t c : f.Columns()) {
      if (!owner[c].empty()) {
        return at.Error("maps column '" + columns[c] + "' twice (features '" + owner[c] + "' and '" + f.name + "')");
      }
      owner[c] = f.name;
    }
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (owner[c].empty()) {
      return at.Error("does not say where column '" + columns[c] +
                      "' of the model's input comes from; every column needs one named feature");
    }
  }
  return Status::Ok();
}

std::string KnownNames(const std::vector<NamedFeature>& features) {
  std::string out;
  for (const auto& f : features) out += (out.empty() ? "" : ", ") + f.name;
  return out;
}

std::string CategoryList(const NamedFeature& f) {
  std::string out;
  for (const auto& c : f.categories) out += (out.empty() ? "" : ", ") + c;
  return out;
}

void WriteMissing(const NamedFeature& f, std::span<float> row) {
  for (int32_t c : f.Columns()) row[c] = kNaN;
}

Status WriteValue(const NamedFeature& f, const RawValue& value, std::span<float> row) {
  if (f.kind == FeatureKind::kNumeric) {
    const double* number = std::get_if<double>(&value);
    if (number == nullptr) return InvalidArgument("feature '" + f.name + "' is numeric; got a string");
    if (!std::isfinite(*number) || std::fabs(*number) > std::numeric_limits<float>::max()) {
      return InvalidArgument("feature '" + f.name + "' is out of range for FP32");
    }
    row[f.column] = static_cast<float>(*number);
    return Status::Ok();
  }
  const std::string* category = std::get_if<std::string>(&value);
  if (category == nullptr) {
    return InvalidArgument("feature '" + f.name + "' is categorical; send one of its categories as a string (" +
                           CategoryList(f) + ")");
  }
  const int index = f.FindCategory(*category);
  if (index < 0) {
    return InvalidArgument("feature '" + f.name + "': unknown category '" + *category + "' (known: " +
                           CategoryList(f) + ")");
  }
  if (f.kind == FeatureKind::kOrdinal) {
    row[f.column] = static_cast<float>(f.category_values[index]);
    return Status::Ok();
  }
  for (size_t i = 0; i < f.categories.size(); ++i) {
    row[f.category_columns[i]] = static_cast<int>(i) == index ? 1.0f : 0.0f;
  }
  return Status::Ok();
}

Status WriteFeature(const NamedFeature& f, const RawValue* value, std::span<float> row) {
  if (value != nullptr && !std::holds_alternative<std::monostate>(*value)) return WriteValue(f, *value, row);
  switch (f.missing) {
    case MissingPolicy::kRefuse:
      return InvalidArgument("feature '" + f.name + "' is missing and the model's config refuses a missing value "
                             "for it (missing: refuse)");
    case MissingPolicy::kNan:
      WriteMissing(f, row);
      return Status::Ok();
    case MissingPolicy::kImpute:
      return WriteValue(f, f.impute, row);
  }
  return Status::Ok();
}

}  // namespace

std::string_view FeatureKindName(FeatureKind kind) {
  switch (kind) {
    case FeatureKind::kNumeric: return "numeric";
    case FeatureKind::kOneHot: return "categorical (one_hot)";
    case FeatureKind::kOrdinal: return "categorical (ordinal)";
  }
  return "?";
}

std::vector<int32_t> NamedFeature::Columns() const {
  std::vector<int32_t> out = kind == FeatureKind::kOneHot ? category_columns : std::vector<int32_t>{column};
  std::sort(out.begin(), out.end());
  return out;
}

int NamedFeature::FindCategory(std::string_view category) const {
  auto it = std::lower_bound(categories.begin(), categories.end(), category);
  return it != categories.end() && *it == category ? static_cast<int>(it - categories.begin()) : -1;
}

Result<NamedFeatures> NamedFeatures::Parse(const json* section, const std::vector<std::string>& columns,
                                           std::string_view file) {
  NamedFeatures out;
  out.num_columns_ = static_cast<int32_t>(columns.size());
  if (section == nullptr) return out;
  const Path at{file, "features"};
  if (!section->is_object() || section->empty()) return at.TypeError("a map of feature name -> spec", *section);
  for (const auto& [name, spec] : section->items()) {
    FS_ASSIGN_OR_RETURN(NamedFeature f, ParseFeature(name, spec, columns, at.Child(name)));
    out.features_.push_back(std::move(f));
  }
  FS_RETURN_IF_ERROR(CheckCoverage(out.features_, columns, at));
  return out;
}

const NamedFeature* NamedFeatures::Find(std::string_view name) const {
  auto it = std::lower_bound(features_.begin(), features_.end(), name,
                             [](const NamedFeature& f, std::string_view n) { return f.name < n; });
  return it != features_.end() && it->name == name ? &*it : nullptr;
}

Status NamedFeatures::Encode(const Applicant& applicant, std::span<float> row) const {
  if (row.size() != static_cast<size_t>(num_columns_)) return Internal("row size does not match the model's columns");
  std::vector<const RawValue*> given(features_.size(), nullptr);
  for (const auto& [name, value] : applicant) {
    const NamedFeature* f = Find(name);
    if (f == nullptr) {
      return InvalidArgument("unknown feature '" + name + "' (the model takes: " + KnownNames(features_) + ")");
    }
    const size_t index = static_cast<size_t>(f - features_.data());
    if (given[index] != nullptr) return InvalidArgument("feature '" + name + "' is given twice");
    given[index] = &value;
  }
  for (size_t i = 0; i < features_.size(); ++i) FS_RETURN_IF_ERROR(WriteFeature(features_[i], given[i], row));
  return Status::Ok();
}

RawValue NamedFeatures::Decode(const NamedFeature& f, std::span<const float> row) {
  switch (f.kind) {
    case FeatureKind::kNumeric: {
      const float v = row[f.column];
      return std::isnan(v) ? RawValue() : RawValue(static_cast<double>(v));
    }
    case FeatureKind::kOrdinal: {
      const float v = row[f.column];
      for (size_t i = 0; i < f.categories.size(); ++i) {
        if (static_cast<float>(f.category_values[i]) == v) return f.categories[i];
      }
      return std::isnan(v) ? RawValue() : RawValue(static_cast<double>(v));
    }
    case FeatureKind::kOneHot:
      for (size_t i = 0; i < f.categories.size(); ++i) {
        if (row[f.category_columns[i]] == 1.0f) return f.categories[i];
      }
      return RawValue();
  }
  return RawValue();
}

}  // namespace finserve::serving
