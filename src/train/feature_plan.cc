#include "train/feature_plan.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace finserve::train {
namespace {

using nlohmann::json;

constexpr char kMissingCategory[] = "(missing)";

struct PolicyName {
  MissingPolicy policy;
  std::string_view name;
};
constexpr PolicyName kPolicies[] = {
    {MissingPolicy::kKeep, "keep"},           {MissingPolicy::kMean, "mean"},
    {MissingPolicy::kMedian, "median"},       {MissingPolicy::kConstant, "constant"},
    {MissingPolicy::kIndicator, "indicator"}, {MissingPolicy::kCategory, "category"},
};

std::vector<std::string> ColumnsOf(const FeatureSpec& f) {
  if (f.type == FeatureType::kNumeric) {
    if (f.missing == MissingPolicy::kIndicator) return {f.name, f.name + "_missing"};
    return {f.name};
  }
  if (f.encoding == CategoryEncoding::kOrdinal) return {f.name};
  std::vector<std::string> out;
  for (const auto& c : f.categories) out.push_back(f.name + "=" + c);
  if (f.missing == MissingPolicy::kCategory) out.push_back(f.name + "=" + kMissingCategory);
  return out;
}

Status Bad(std::string_view where, const std::string& path, const std::string& what) {
  return InvalidArgument(std::string(where) + ": '" + path + "' " + what);
}

Status CheckPolicy(const FeatureSpec& f, std::string_view where, const std::string& path) {
  const bool numeric = f.type == FeatureType::kNumeric;
  switch (f.missing) {
    case MissingPolicy::kMean:
    case MissingPolicy::kMedian:
    case MissingPolicy::kIndicator:
      if (!numeric) return Bad(where, path + ".missing", "must be keep, constant or category for a categorical feature");
      [[fallthrough]];
    case MissingPolicy::kConstant:
      if (numeric && !std::isfinite(f.impute_value)) return Bad(where, path + ".impute", "must be a finite number");
      if (!numeric && f.missing == MissingPolicy::kConstant &&
          std::find(f.categories.begin(), f.categories.end(), f.impute_category) == f.categories.end()) {
        return Bad(where, path + ".impute", "must be one of the feature's categories");
      }
      return Status::Ok();
    case MissingPolicy::kCategory:
      if (numeric) return Bad(where, path + ".missing", "category applies to categorical features only");
      return Status::Ok();
    case MissingPolicy::kKeep:
      return Status::Ok();
  }
  return Status::Ok();
}

Result<FeatureSpec> SpecFromJson(const json& v, std::string_view where, const std::string& path) {
  static const std::set<std::string> kKeys = {"name", "type", "encoding", "categories", "missing",
                                              "impute", "unknown", "columns"};
  if (!v.is_object()) return Bad(where, path, "must be a map");
  for (const auto& [key, unused] : v.items()) {
    if (!kKeys.count(key)) return Bad(where, path + "." + key, "is not a known key (name, type, encoding, categories, missing, impute, unknown, columns)");
  }
  FeatureSpec f;
  if (!v.contains("name") || !v["name"].is_string() || v["name"].get<std::string>().empty()) {
    return Bad(where, path + ".name", "must be a non-empty string");
  }
  f.name = v["name"];
  const std::string type = v.value("type", "numeric");
  if (type != "numeric" && type != "categorical") return Bad(where, path + ".type", "must be numeric or categorical");
  f.type = type == "numeric" ? FeatureType::kNumeric : FeatureType::kCategorical;
  const std::string policy = v.value("missing", "keep");
  auto parsed = ParseMissingPolicy(policy);
  if (!parsed) return Bad(where, path + ".missing", "must be keep, mean, median, constant, indicator or category");
  f.missing = *parsed;
  const std::string unknown = v.value("unknown", "missing");
  if (unknown != "missing" && unknown != "error") return Bad(where, path + ".unknown", "must be missing or error");
  f.unknown_as_missing = unknown == "missing";
  if (f.type == FeatureType::kCategorical) {
    const std::string encoding = v.value("encoding", "one_hot");
    if (encoding != "one_hot" && encoding != "ordinal") return Bad(where, path + ".encoding", "must be one_hot or ordinal");
    f.encoding = encoding == "one_hot" ? CategoryEncoding::kOneHot : CategoryEncoding::kOrdinal;
    if (!v.contains("categories") || !v["categories"].is_array() || v["categories"].empty()) {
      return Bad(where, path + ".categories", "must be a non-empty list");
    }
    std::set<std::string> seen;
    for (const auto& c : v["categories"]) {
      if (!c.is_string()) return Bad(where, path + ".categories", "must hold strings (quote numbers)");
      if (!seen.insert(c.get<std::string>()).second) return Bad(where, path + ".categories", "names '" + c.get<std::string>() + "' twice");
      f.categories.push_back(c);
    }
    if (v.contains("impute")) {
      if (!v["impute"].is_string()) return Bad(where, path + ".impute", "must be a category (a string)");
      f.impute_category = v["impute"];
    }
  } else if (v.contains("impute")) {
    if (!v["impute"].is_number()) return Bad(where, path + ".impute", "must be a number");
    f.impute_value = v["impute"].get<double>();
  }
  FS_RETURN_IF_ERROR(CheckPolicy(f, where, path));
  if (v.contains("columns")) {
    const std::vector<std::string> expected = ColumnsOf(f);
    if (!v["columns"].is_array() || v["columns"] != json(expected)) {
      return Bad(where, path + ".columns", "does not match the feature's encoding (expected " + json(expected).dump() + ")");
    }
  }
  return f;
}

}  // namespace

std::string_view MissingPolicyName(MissingPolicy policy) {
  for (const auto& p : kPolicies) {
    if (p.policy == policy) return p.name;
  }
  return "keep";
}

std::optional<MissingPolicy> ParseMissingPolicy(std::string_view name) {
  for (const auto& p : kPolicies) {
    if (p.name == name) return p.policy;
  }
  return std::nullopt;
}

FeaturePlan::FeaturePlan(std::vector<FeatureSpec> features) : features_(std::move(features)) {
  for (auto& f : features_) {
    f.columns = ColumnsOf(f);
    first_column_.push_back(static_cast<int>(column_names_.size()));
    column_names_.insert(column_names_.end(), f.columns.begin(), f.columns.end());
  }
}

int FeaturePlan::FindFeature(std::string_view name) const {
  for (size_t i = 0; i < features_.size(); ++i) {
    if (features_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Status FeaturePlan::EncodeNumber(size_t f, double value, float* row) const {
  const FeatureSpec& spec = features_[f];
  float* out = row + first_column_[f];
  const bool missing = std::isnan(value);
  if (!missing && !std::isfinite(value)) {
    return InvalidArgument("feature '" + spec.name + "': " + std::to_string(value) + " is not a finite number");
  }
  if (!missing || spec.missing == MissingPolicy::kKeep) {
    out[0] = static_cast<float>(value);
  } else {
    out[0] = static_cast<float>(spec.impute_value);
  }
  if (spec.missing == MissingPolicy::kIndicator) out[1] = missing ? 1.0f : 0.0f;
  return Status::Ok();
}

Status FeaturePlan::EncodeCategory(size_t f, std::string_view value, bool missing, float* row) const {
  const FeatureSpec& spec = features_[f];
  float* out = row + first_column_[f];
  const int width = static_cast<int>(spec.columns.size());
  int code = -1;
  if (!missing) {
    auto it = std::find(spec.categories.begin(), spec.categories.end(), value);
    if (it != spec.categories.end()) {
      code = static_cast<int>(it - spec.categories.begin());
    } else if (!spec.unknown_as_missing) {
      std::string known;
      for (const auto& c : spec.categories) known += (known.empty() ? "" : ", ") + c;
      return InvalidArgument("feature '" + spec.name + "': unknown category '" + std::string(value) +
                             "' (known: " + known + ")");
    }
  }
  if (code < 0 && spec.missing == MissingPolicy::kConstant) {
    code = static_cast<int>(std::find(spec.categories.begin(), spec.categories.end(), spec.impute_category) -
                            spec.categories.begin());
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  if (spec.encoding == CategoryEncoding::kOrdinal) {
    out[0] = code < 0 ? nan : static_cast<float>(code);
    return Status::Ok();
  }
  if (code < 0 && spec.missing == MissingPolicy::kCategory) code = width - 1;
  for (int c = 0; c < width; ++c) out[c] = code < 0 ? nan : (c == code ? 1.0f : 0.0f);
  return Status::Ok();
}

json FeaturePlan::ToJson() const {
  json out = json::array();
  for (const auto& f : features_) {
    json v = {{"name", f.name}, {"type", f.type == FeatureType::kNumeric ? "numeric" : "categorical"}};
    if (f.type == FeatureType::kCategorical) {
      v["encoding"] = f.encoding == CategoryEncoding::kOneHot ? "one_hot" : "ordinal";
      v["categories"] = f.categories;
      v["unknown"] = f.unknown_as_missing ? "missing" : "error";
    }
    v["missing"] = std::string(MissingPolicyName(f.missing));
    if (f.type == FeatureType::kNumeric && f.missing != MissingPolicy::kKeep) v["impute"] = f.impute_value;
    if (f.type == FeatureType::kCategorical && f.missing == MissingPolicy::kConstant) v["impute"] = f.impute_category;
    v["columns"] = f.columns;
    out.push_back(std::move(v));
  }
  return out;
}

Result<FeaturePlan> FeaturePlan::FromJson(const json& section, std::string_view where) {
  if (!section.is_array() || section.empty()) return Bad(where, "features", "must be a non-empty list");
  std::vector<FeatureSpec> specs;
  std::set<std::string> names;
  for (size_t i = 0; i < section.size(); ++i) {
    const std::string path = "features[" + std::to_string(i) + "]";
    FS_ASSIGN_OR_RETURN(FeatureSpec spec, SpecFromJson(section[i], where, path));
    if (!names.insert(spec.name).second) return Bad(where, path + ".name", "repeats feature '" + spec.name + "'");
    specs.push_back(std::move(spec));
  }
  return FeaturePlan(std::move(specs));
}

}  // namespace finserve::train
