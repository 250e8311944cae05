#include "serving/explain_config.h"

#include <algorithm>
#include <limits>

#include "serving/config_fields.h"

namespace finserve::serving {
namespace {

using nlohmann::json;
using config::Path;

constexpr int32_t kMaxReasons = 1000;

Result<int32_t> ParseAdverseClass(const json& section, const Path& at, const std::vector<std::string>& classes) {
  const json* v = config::Find(section, "adverse_class");
  if (v == nullptr) return 1;
  if (v->is_number_integer() && v->get<int64_t>() >= 0 && v->get<int64_t>() < (1 << 16)) {
    return static_cast<int32_t>(v->get<int64_t>());
  }
  if (v->is_string()) {
    for (size_t i = 0; i < classes.size(); ++i) {
      if (classes[i] == v->get<std::string>()) return static_cast<int32_t>(i);
    }
    return at.Child("adverse_class").Error("is '" + v->get<std::string>() + "', which is not in 'decision.classes'");
  }
  return at.Child("adverse_class").TypeError("a class index or a name from 'decision.classes'", *v);
}

Result<std::optional<DecisionRule>> ParseDecision(const json& document, std::string_view file) {
  const json* section = config::Find(document, "decision");
  if (section == nullptr) return std::optional<DecisionRule>();
  const Path at{file, "decision"};
  FS_RETURN_IF_ERROR(config::CheckKeys(*section, at, {"output", "classes", "adverse_class", "threshold"}));
  DecisionRule rule;
  FS_ASSIGN_OR_RETURN(rule.output, config::ReadString(*section, "output", at, rule.output));
  if (const json* classes = config::Find(*section, "classes")) {
    if (!classes->is_array() || classes->size() < 2) return at.Child("classes").TypeError("a list of class names", *classes);
    for (const auto& c : *classes) {
      if (!c.is_string() || c.get<std::string>().empty()) return at.Child("classes").TypeError("a list of names", *classes);
      rule.classes.push_back(c.get<std::string>());
    }
  }
  FS_ASSIGN_OR_RETURN(rule.adverse_class, ParseAdverseClass(*section, at, rule.classes));
  if (!rule.classes.empty() && static_cast<size_t>(rule.adverse_class) >= rule.classes.size()) {
    return at.Child("adverse_class").Error("is " + std::to_string(rule.adverse_class) + " but 'classes' names only " +
                                           std::to_string(rule.classes.size()) + " classes");
  }
  FS_ASSIGN_OR_RETURN(rule.threshold, config::ReadNumber(*section, "threshold", at));
  if (!(rule.threshold > 0 && rule.threshold < 1)) return at.Child("threshold").Error("must be in (0, 1)");
  return std::optional<DecisionRule>(std::move(rule));
}

Status ParseBackground(const json& section, const Path& at, const std::vector<std::string>& columns,
                       ExplanationSettings* s) {
  const json* background = config::Find(section, "background");
  if (background == nullptr) return Status::Ok();
  const Path bat = at.Child("background");
  FS_RETURN_IF_ERROR(config::CheckKeys(*background, bat, {"csv", "means", "max_rows"}));
  FS_ASSIGN_OR_RETURN(s->background_csv, config::ReadString(*background, "csv", bat, std::string()));
  FS_ASSIGN_OR_RETURN(s->max_background_rows, config::ReadInt(*background, "max_rows", bat, 1, 100000, 100));
  if (const json* means = config::Find(*background, "means")) {
    if (!means->is_object()) return bat.Child("means").TypeError("a map of column -> mean", *means);
    for (const auto& [name, value] : means->items()) {
      bool known = false;
      for (const auto& c : columns) known = known || c == name;
      if (!known) return bat.Child("means").Child(name).Error("is not a column of the model's input");
      if (!value.is_number()) return bat.Child("means").Child(name).TypeError("a number", value);
      s->background_means.emplace_back(name, value.get<double>());
    }
  }
  if (!s->background_csv.empty() && !s->background_means.empty()) {
    return bat.Error("has both 'csv' and 'means'; give one");
  }
  return Status::Ok();
}

// A reason's `features`: named features (all their columns) or model columns.
Result<std::vector<int32_t>> ResolveReasonFeatures(const json& list, const Path& at, const NamedFeatures& named,
                                                   const std::vector<std::string>& columns,
                                                   std::vector<std::string>* as_written) {
  if (!list.is_array() || list.empty()) return at.TypeError("a non-empty list of feature names", list);
  std::vector<int32_t> out;
  for (const auto& item : list) {
    if (!item.is_string()) return at.TypeError("a list of feature names", list);
    const std::string name = item.get<std::string>();
    as_written->push_back(name);
    if (const NamedFeature* f = named.Find(name)) {
      for (int32_t c : f->Columns()) out.push_back(c);
      continue;
    }
    bool found = false;
    for (size_t c = 0; c < columns.size() && !found; ++c) {
      if (columns[c] == name) out.push_back(static_cast<int32_t>(c)), found = true;
    }
    if (!found) {
      return at.Error("names feature '" + name + "', which the model does not have (neither a column of its input "
                      "nor a named feature)");
    }
  }
  return out;
}

Result<explain::ReasonCode> ParseReason(const json& entry, const Path& at, const NamedFeatures& named,
                                        const std::vector<std::string>& columns, std::vector<std::string>* as_written) {
  FS_RETURN_IF_ERROR(
      config::CheckKeys(entry, at, {"code", "text", "missing_text", "features", "adverse", "reference"}));
  explain::ReasonCode r;
  FS_ASSIGN_OR_RETURN(r.code, config::ReadString(entry, "code", at));
  FS_ASSIGN_OR_RETURN(r.text, config::ReadString(entry, "text", at));
  FS_ASSIGN_OR_RETURN(r.missing_text, config::ReadString(entry, "missing_text", at, std::string()));
  const json* features = config::Find(entry, "features");
  if (features == nullptr) return at.Child("features").Error("is required");
  FS_ASSIGN_OR_RETURN(r.columns, ResolveReasonFeatures(*features, at.Child("features"), named, columns, as_written));
  FS_ASSIGN_OR_RETURN(std::string adverse, config::ReadChoice(entry, "adverse", at, {"high", "low", "any"}, "any"));
  r.adverse = adverse == "high" ? explain::AdverseDirection::kHigh
              : adverse == "low" ? explain::AdverseDirection::kLow
                                 : explain::AdverseDirection::kAny;
  if (config::Find(entry, "reference") != nullptr) {
    FS_ASSIGN_OR_RETURN(double reference, config::ReadNumber(entry, "reference", at));
    r.reference = reference;
  }
  return r;
}

std::string ColumnList(const std::vector<int32_t>& indices, const std::vector<std::string>& columns) {
  std::string out;
  for (int32_t c : indices) out += (out.empty() ? "" : ", ") + columns[c];
  return out;
}

Status ParseReasonCodes(const json& section, const Path& at, const std::vector<std::string>& columns,
                        ExplainConfig* out) {
  const json* rc = config::Find(section, "reason_codes");
  if (rc == nullptr) return Status::Ok();
  const Path rat = at.Child("reason_codes");
  FS_RETURN_IF_ERROR(config::CheckKeys(*rc, rat, {"default_k", "unmapped", "table"}));
  FS_ASSIGN_OR_RETURN(std::string unmapped, config::ReadChoice(*rc, "unmapped", rat, {"refuse", "ignore"}, "refuse"));
  out->explanation.refuse_unmapped = unmapped == "refuse";
  const json* table = config::Find(*rc, "table");
  if (table == nullptr || !table->is_array() || table->empty() || table->size() > kMaxReasons) {
    return rat.Child("table").TypeError("a list of 1 to 1000 reasons", table ? *table : json());
  }
  std::vector<explain::ReasonCode> codes;
  for (size_t i = 0; i < table->size(); ++i) {
    out->reason_features.emplace_back();
    FS_ASSIGN_OR_RETURN(explain::ReasonCode r, ParseReason((*table)[i], rat.Child("table").Index(i), out->features,
                                                           columns, &out->reason_features.back()));
    codes.push_back(std::move(r));
  }
  FS_ASSIGN_OR_RETURN(int64_t k, config::ReadInt(*rc, "default_k", rat, 1, static_cast<int64_t>(codes.size()), 
                                                 std::min<int64_t>(4, static_cast<int64_t>(codes.size()))));
  out->explanation.default_k = static_cast<int32_t>(k);
  auto created = explain::ReasonTable::Create(std::move(codes), columns);
  if (!created.ok()) return rat.Child("table").Error(created.status().message());
  out->reasons = std::move(created).value();
  const auto missing = out->reasons->UnmappedColumns();
  if (out->explanation.refuse_unmapped && !missing.empty()) {
    return rat.Child("table").Error("gives no reason for feature(s) " + ColumnList(missing, columns) +
                                    "; add them to a reason, or set 'unmapped: ignore' to never report them");
  }
  return Status::Ok();
}

Status ParseExplanation(const json& document, std::string_view file, const std::vector<std::string>& columns,
                        ExplainConfig* out) {
  const json* section = config::Find(document, "explanation");
  if (section == nullptr) return Status::Ok();
  const Path at{file, "explanation"};
  FS_RETURN_IF_ERROR(config::CheckKeys(
      *section, at, {"method", "output", "samples", "seed", "max_batch", "background", "reason_codes"}));
  ExplanationSettings& s = out->explanation;
  std::string method;
  if (config::Find(*section, "method") != nullptr) {
    FS_ASSIGN_OR_RETURN(method, config::ReadChoice(*section, "method", at,
                                                         {"tree_shap", "sampling", "linear", "points_below_max", "none"}));
  }
  s.method = method == "tree_shap" ? ExplainMethod::kTreeShap
             : method == "sampling" ? ExplainMethod::kSampling
             : method == "linear"   ? ExplainMethod::kLinear
             : method == "points_below_max" ? ExplainMethod::kPointsBelowMax
             : method == "none"     ? ExplainMethod::kNone
                                    : ExplainMethod::kDefault;
  FS_ASSIGN_OR_RETURN(s.output, config::ReadString(*section, "output", at, std::string()));
  FS_ASSIGN_OR_RETURN(s.samples, config::ReadInt(*section, "samples", at, 2, 1 << 20, 64));
  FS_ASSIGN_OR_RETURN(s.max_batch, config::ReadInt(*section, "max_batch", at, 1, 1 << 20, 16));
  FS_ASSIGN_OR_RETURN(int64_t seed, config::ReadInt(*section, "seed", at, 0, std::numeric_limits<int64_t>::max(), 0));
  s.seed = static_cast<uint64_t>(seed);
  FS_RETURN_IF_ERROR(ParseBackground(*section, at, columns, &s));
  return ParseReasonCodes(*section, at, columns, out);
}

}  // namespace

std::string DecisionRule::AdverseClassName() const {
  if (static_cast<size_t>(adverse_class) < classes.size()) return classes[adverse_class];
  return std::to_string(adverse_class);
}

std::string_view ExplainMethodName(ExplainMethod method) {
  switch (method) {
    case ExplainMethod::kDefault: return "default";
    case ExplainMethod::kTreeShap: return "tree_shap";
    case ExplainMethod::kSampling: return "sampling";
    case ExplainMethod::kLinear: return "linear";
    case ExplainMethod::kPointsBelowMax: return "points_below_max";
    case ExplainMethod::kNone: return "none";
  }
  return "?";
}

Result<ExplainConfig> ParseExplainConfig(const json& document, const std::vector<std::string>& columns,
                                         std::string_view file) {
  ExplainConfig out;
  FS_ASSIGN_OR_RETURN(out.features, NamedFeatures::Parse(config::Find(document, "features"), columns, file));
  FS_ASSIGN_OR_RETURN(out.decision, ParseDecision(document, file));
  FS_RETURN_IF_ERROR(ParseExplanation(document, file, columns, &out));
  return out;
}

}  // namespace finserve::serving
