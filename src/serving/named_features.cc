#include "serving/named_features.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "train/feature_plan.h"

namespace finserve::serving {
namespace {

using nlohmann::json;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

NamedFeature FromSpec(const train::FeatureSpec& spec) {
  NamedFeature f;
  f.name = spec.name;
  f.missing = spec.missing == train::MissingPolicy::kRefuse ? MissingPolicy::kRefuse
              : spec.missing == train::MissingPolicy::kNan  ? MissingPolicy::kNan
                                                             : MissingPolicy::kImpute;
  f.indicator_column = spec.indicator_index;
  if (spec.type == train::FeatureType::kNumeric) {
    f.column = spec.column_index[0];
    if (f.missing == MissingPolicy::kImpute) f.impute = spec.impute_value;
    return f;
  }
  f.kind = spec.encoding == train::CategoryEncoding::kOneHot ? FeatureKind::kOneHot : FeatureKind::kOrdinal;
  if (f.kind == FeatureKind::kOrdinal) f.column = spec.column_index[0];
  // Categories sorted for FindCategory, their columns or codes carried along.
  std::vector<size_t> order(spec.categories.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return spec.categories[a] < spec.categories[b]; });
  for (size_t i : order) {
    f.categories.push_back(spec.categories[i]);
    if (f.kind == FeatureKind::kOneHot) {
      f.category_columns.push_back(spec.column_index[i]);
    } else {
      f.category_values.push_back(spec.codes[i]);
    }
  }
  if (f.missing == MissingPolicy::kImpute) f.impute = spec.impute_category;
  return f;
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
    if (f.indicator_column >= 0) row[f.indicator_column] = 0.0f;
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
    case MissingPolicy::kImpute: {
      FS_RETURN_IF_ERROR(WriteValue(f, f.impute, row));
      if (f.indicator_column >= 0) row[f.indicator_column] = 1.0f;
      return Status::Ok();
    }
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
  if (indicator_column >= 0) out.push_back(indicator_column);
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
  // One parser for the section: the training layer's, which also writes it.
  FS_ASSIGN_OR_RETURN(train::FeaturePlan plan, train::FeaturePlan::FromJson(*section, columns, file));
  for (const train::FeatureSpec& spec : plan.features()) out.features_.push_back(FromSpec(spec));
  std::sort(out.features_.begin(), out.features_.end(),
            [](const NamedFeature& a, const NamedFeature& b) { return a.name < b.name; });
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
      if (f.indicator_column >= 0 && row[f.indicator_column] == 1.0f) return RawValue();
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
