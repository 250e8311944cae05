#include "serving/feature_rules.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/float16.h"

namespace finserve::serving {
namespace {

using nlohmann::json;

constexpr char kRuleKeys[] = "min, max, allowed, type, missing";

Status RuleError(std::string_view where, const std::string& feature, const std::string& problem) {
  return InvalidArgument(std::string(where) + ": validation.features." + feature + ": " + problem);
}

Result<double> ReadNumber(const json& v, std::string_view where, const std::string& feature, const char* key) {
  if (!v.is_number()) return RuleError(where, feature, std::string("'") + key + "' must be a number, got " + v.dump());
  return v.get<double>();
}

Result<FeatureRule> ParseRule(const std::string& feature, const json& spec, std::string_view where) {
  if (!spec.is_object()) return RuleError(where, feature, "must be a map of rules (" + std::string(kRuleKeys) + ")");
  FeatureRule rule;
  rule.feature = feature;
  for (const auto& [key, v] : spec.items()) {
    if (key == "min") {
      FS_ASSIGN_OR_RETURN(rule.min, ReadNumber(v, where, feature, "min"));
    } else if (key == "max") {
      FS_ASSIGN_OR_RETURN(rule.max, ReadNumber(v, where, feature, "max"));
    } else if (key == "allowed") {
      if (!v.is_array() || v.empty()) return RuleError(where, feature, "'allowed' must be a non-empty list of numbers");
      for (const auto& a : v) {
        FS_ASSIGN_OR_RETURN(double x, ReadNumber(a, where, feature, "allowed"));
        rule.allowed.push_back(x);
      }
    } else if (key == "type") {
      const std::string type = v.is_string() ? v.get<std::string>() : "";
      if (type == "integer") rule.integer = true;
      else if (type == "boolean") rule.allowed = {0.0, 1.0};
      else if (type != "number") return RuleError(where, feature, "'type' must be number, integer or boolean");
    } else if (key == "missing") {
      const std::string policy = v.is_string() ? v.get<std::string>() : "";
      if (policy != "allow" && policy != "refuse") return RuleError(where, feature, "'missing' must be allow or refuse");
      rule.refuse_missing = policy == "refuse";
    } else {
      return RuleError(where, feature, "unknown rule '" + key + "' (known: " + kRuleKeys + ")");
    }
  }
  if (rule.min && rule.max && *rule.min > *rule.max) {
    return RuleError(where, feature, "min is greater than max");
  }
  return rule;
}

// A value as the client sent it: the shortest text that reads back to the same number.
std::string FormatValue(double v, DataType dtype) {
  char buf[64];
  std::to_chars_result r = dtype == DataType::kFp32 || dtype == DataType::kFp16
                               ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
                               : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string FormatList(const std::vector<double>& values) {
  std::string out = "[";
  for (double v : values) out += (out.size() > 1 ? ", " : "") + FormatValue(v, DataType::kFp64);
  return out + "]";
}

double ElementAt(const TensorView& t, int64_t i) {
  switch (t.dtype) {
    case DataType::kFp32: return t.data_as<float>()[i];
    case DataType::kFp64: return t.data_as<double>()[i];
    case DataType::kFp16: return HalfToFloat(t.data_as<uint16_t>()[i]);
    case DataType::kInt8: return t.data_as<int8_t>()[i];
    case DataType::kInt16: return t.data_as<int16_t>()[i];
    case DataType::kInt32: return t.data_as<int32_t>()[i];
    case DataType::kInt64: return static_cast<double>(t.data_as<int64_t>()[i]);
    case DataType::kUint8: return t.data_as<uint8_t>()[i];
    case DataType::kUint16: return t.data_as<uint16_t>()[i];
    case DataType::kUint32: return t.data_as<uint32_t>()[i];
    case DataType::kUint64: return static_cast<double>(t.data_as<uint64_t>()[i]);
    default: return std::nan("");
  }
}

bool IsNumeric(DataType t) {
  return t != DataType::kBytes && t != DataType::kBool && t != DataType::kInvalid && t != DataType::kBf16;
}

bool IsAllowed(const FeatureRule& rule, double value) {
  if (rule.allowed.empty()) return true;
  bool found = false;
  for (double a : rule.allowed) found |= a == value;
  return found;
}

// Whether `value` keeps its rule: the check that runs on every feature of every request, so it
// builds no strings (Violation says what is wrong, once something is).
bool Keeps(const FeatureRule& rule, double value) {
  if (std::isnan(value)) return !rule.refuse_missing;
  return !(rule.min && value < *rule.min) && !(rule.max && value > *rule.max) &&
         !(rule.integer && value != std::trunc(value)) && IsAllowed(rule, value);
}

// The rule `value` breaks, or "" when it keeps all of them.
std::string Violation(const FeatureRule& rule, double value, DataType dtype) {
  if (Keeps(rule, value)) return "";
  if (std::isnan(value)) return "value is missing (null or NaN), which its rule refuses (missing: refuse)";
  const std::string v = "value " + FormatValue(value, dtype);
  if (rule.min && value < *rule.min) return v + " is below the minimum " + FormatValue(*rule.min, DataType::kFp64);
  if (rule.max && value > *rule.max) return v + " is above the maximum " + FormatValue(*rule.max, DataType::kFp64);
  if (rule.integer && value != std::trunc(value)) return v + " is not a whole number (type: integer)";
  if (!IsAllowed(rule, value)) return v + " is not one of the allowed values " + FormatList(rule.allowed);
  return "";
}

}  // namespace

Result<FeatureRules> FeatureRules::FromConfig(const json& document,
                                              const std::vector<repository::TensorBinding>& inputs,
                                              std::string_view where) {
  FeatureRules out;
  auto section = document.find("validation");
  if (section == document.end() || section->is_null()) return out;
  if (!section->is_object()) return InvalidArgument(std::string(where) + ": 'validation' must be a map with 'features'");
  for (const auto& [key, v] : section->items()) {
    if (key != "features") return InvalidArgument(std::string(where) + ": unknown key 'validation." + key + "' (known: features)");
  }
  auto features = section->find("features");
  if (features == section->end() || features->is_null()) return out;
  if (!features->is_object()) return InvalidArgument(std::string(where) + ": 'validation.features' must be a map of feature: rules");
  for (const auto& [feature, spec] : features->items()) {
    FS_ASSIGN_OR_RETURN(FeatureRule rule, ParseRule(feature, spec, where));
    int found_input = -1;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const auto& names = inputs[i].features;
      auto it = std::find(names.begin(), names.end(), feature);
      if (it == names.end()) continue;
      if (found_input >= 0) {
        return RuleError(where, feature, "the inputs '" + inputs[static_cast<size_t>(found_input)].spec.name + "' and '" +
                                             inputs[i].spec.name + "' both have this feature; rename one");
      }
      if (!IsNumeric(inputs[i].spec.dtype)) {
        return RuleError(where, feature, "input '" + inputs[i].spec.name + "' is " +
                                             std::string(DataTypeName(inputs[i].spec.dtype)) + "; rules apply to numeric inputs");
      }
      found_input = static_cast<int>(i);
      rule.column = static_cast<size_t>(it - names.begin());
    }
    if (found_input < 0) {
      return RuleError(where, feature, "the model has no feature '" + feature + "' (features come from the inputs' 'features' lists)");
    }
    const auto index = static_cast<size_t>(found_input);
    auto slot = std::find_if(out.inputs_.begin(), out.inputs_.end(), [&](const InputRules& r) { return r.input_index == index; });
    if (slot == out.inputs_.end()) {
      out.inputs_.push_back({index, inputs[index].features.size(), {}});
      slot = out.inputs_.end() - 1;
    }
    slot->rules.push_back(std::move(rule));
  }
  for (auto& in : out.inputs_) {
    std::sort(in.rules.begin(), in.rules.end(), [](const FeatureRule& a, const FeatureRule& b) { return a.column < b.column; });
  }
  return out;
}

Status FeatureRules::Check(size_t input_index, const std::string& input_name, const TensorView& tensor) const {
  for (const InputRules& in : inputs_) {
    if (in.input_index != input_index) continue;
    const auto f = static_cast<int64_t>(in.num_features);
    if (tensor.shape.empty() || tensor.shape.back() != f) return Status::Ok();  // shape was checked before
    const int64_t rows = tensor.num_elements() / f;
    for (int64_t row = 0; row < rows; ++row) {
      for (const FeatureRule& rule : in.rules) {
        const double value = ElementAt(tensor, row * f + static_cast<int64_t>(rule.column));
        if (!Keeps(rule, value)) {
          return InvalidArgument("input '" + input_name + "' row " + std::to_string(row) + " feature '" + rule.feature +
                                 "': " + Violation(rule, value, tensor.dtype));
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace finserve::serving
