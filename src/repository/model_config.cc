#include "repository/model_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "core/sha256.h"
#include "core/utf8.h"

namespace finserve::repository {
namespace {

using nlohmann::json;

constexpr int kMaxYamlDepth = 64;
constexpr int64_t kMaxYamlNodes = 1'000'000;  // aliases can multiply nodes; bound the expansion

bool ParseInt(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

bool ParseFloat(std::string_view s, double* out) {
  if (s == ".inf" || s == "+.inf" || s == ".Inf") return *out = std::numeric_limits<double>::infinity(), true;
  if (s == "-.inf" || s == "-.Inf") return *out = -std::numeric_limits<double>::infinity(), true;
  if (s == ".nan" || s == ".NaN") return *out = std::numeric_limits<double>::quiet_NaN(), true;
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty() || s.find_first_not_of("0123456789.eE+-") != std::string_view::npos) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

json PlainScalar(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text == "null" || text == "Null" || text == "NULL" || text == "~" || text.empty()) return nullptr;
  int64_t i = 0;
  if (ParseInt(text, &i)) return i;
  double d = 0;
  if (ParseFloat(text, &d)) return d;
  return text;
}

struct YamlWalker {
  std::string_view file;
  int64_t nodes = 0;

  Result<json> Convert(const YAML::Node& node, int depth) {
    if (++nodes > kMaxYamlNodes) return InvalidArgument(std::string(file) + ": YAML document too large");
    if (depth > kMaxYamlDepth) {
      return InvalidArgument(std::string(file) + ": nesting deeper than " + std::to_string(kMaxYamlDepth) +
                             " at line " + std::to_string(node.Mark().line + 1));
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json(nullptr);
      case YAML::NodeType::Scalar:
        if (!IsValidUtf8(node.Scalar())) {
          return InvalidArgument(std::string(file) + ": line " + std::to_string(node.Mark().line + 1) +
                                 ": text is not valid UTF-8");
        }
        return node.Tag() == "!" ? json(node.Scalar()) : PlainScalar(node.Scalar());
      case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& item : node) {
          FS_ASSIGN_OR_RETURN(json value, Convert(item, depth + 1));
          out.push_back(std::move(value));
        }
        return out;
      }
      case YAML::NodeType::Map: {
        json out = json::object();
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) {
            return InvalidArgument(std::string(file) + ": line " + std::to_string(kv.first.Mark().line + 1) +
                                   ": map keys must be plain strings");
          }
          const std::string key = kv.first.Scalar();
          if (!IsValidUtf8(key)) {
            return InvalidArgument(std::string(file) + ": line " + std::to_string(kv.first.Mark().line + 1) +
                                   ": key is not valid UTF-8");
          }
          if (out.contains(key)) {
            return InvalidArgument(std::string(file) + ": line " + std::to_string(kv.first.Mark().line + 1) +
                                   ": duplicate key '" + key + "'");
          }
          FS_ASSIGN_OR_RETURN(json value, Convert(kv.second, depth + 1));
          out[key] = std::move(value);
        }
        return out;
      }
    }
    return json(nullptr);
  }
};

// --- typed parsing helpers: each names the key path in its error ---

// A value as it appears in a message: compact, invalid UTF-8 replaced, at most 80 characters.
std::string Describe(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

Status TypeError(std::string_view where, std::string_view path, std::string_view expected, const json& got) {
  return InvalidArgument(std::string(where) + ": '" + std::string(path) + "' must be " + std::string(expected) +
                         ", got " + Describe(got));
}

Status ReadString(const json& obj, std::string_view key, std::string_view where, std::string_view path,
                  std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_string()) return TypeError(where, path, "a string", *it);
  *out = it->get<std::string>();
  return Status::Ok();
}

Result<std::vector<int64_t>> ReadIntList(const json& value, std::string_view where, std::string_view path) {
  if (!value.is_array()) return TypeError(where, path, "a list of integers", value);
  std::vector<int64_t> out;
  for (const auto& v : value) {
    if (!v.is_number_integer()) return TypeError(where, path, "a list of integers", value);
    out.push_back(v.get<int64_t>());
  }
  return out;
}

Result<VersionPolicy> ParseVersionPolicy(const json& value, std::string_view where) {
  VersionPolicy policy;
  if (value.is_null()) return policy;
  if (!value.is_object() || value.size() != 1) {
    return TypeError(where, "version_policy", "one of {latest: N}, {all: true}, {specific: [versions]}", value);
  }
  const auto first = value.begin();
  const std::string key = first.key();
  const json& v = first.value();
  if (key == "latest") {
    if (!v.is_number_integer() || v.get<int64_t>() < 1) return TypeError(where, "version_policy.latest", "an integer >= 1", v);
    policy.latest = v.get<int64_t>();
  } else if (key == "all") {
    if (v != json(true)) return TypeError(where, "version_policy.all", "true", v);
    policy.kind = VersionPolicy::Kind::kAll;
  } else if (key == "specific") {
    FS_ASSIGN_OR_RETURN(policy.specific, ReadIntList(v, where, "version_policy.specific"));
    if (policy.specific.empty()) return TypeError(where, "version_policy.specific", "a non-empty list", v);
    for (int64_t version : policy.specific) {
      if (version < 1) return TypeError(where, "version_policy.specific", "a list of versions >= 1", v);
    }
    policy.kind = VersionPolicy::Kind::kSpecific;
  } else {
    return InvalidArgument(std::string(where) + ": unknown version_policy '" + key +
                           "' (expected latest, all or specific)");
  }
  return policy;
}

Result<TensorConfig> ParseTensorConfig(const json& value, std::string_view where, const std::string& path) {
  static const std::set<std::string> kKeys = {"name", "source", "datatype", "shape", "features"};
  if (!value.is_object()) return TypeError(where, path, "a map", value);
  for (const auto& [key, v] : value.items()) {
    if (!kKeys.count(key)) {
      return InvalidArgument(std::string(where) + ": unknown key '" + path + "." + key +
                             "' (known: name, source, datatype, shape, features)");
    }
  }
  TensorConfig t;
  FS_RETURN_IF_ERROR(ReadString(value, "name", where, path + ".name", &t.name));
  if (t.name.empty()) return InvalidArgument(std::string(where) + ": '" + path + ".name' is required");
  FS_RETURN_IF_ERROR(ReadString(value, "source", where, path + ".source", &t.source));
  std::string dtype;
  FS_RETURN_IF_ERROR(ReadString(value, "datatype", where, path + ".datatype", &dtype));
  if (!dtype.empty()) {
    t.dtype = DataTypeFromName(dtype);
    if (t.dtype == DataType::kInvalid) {
      return InvalidArgument(std::string(where) + ": '" + path + ".datatype' is '" + dtype +
                             "', not an OIP datatype (BOOL, UINT8..UINT64, INT8..INT64, FP16, FP32, FP64, BYTES)");
    }
  }
  if (auto it = value.find("shape"); it != value.end() && !it->is_null()) {
    FS_ASSIGN_OR_RETURN(auto shape, ReadIntList(*it, where, path + ".shape"));
    for (int64_t d : shape) {
      if (d < -1) return TypeError(where, path + ".shape", "a list of dims >= -1 (-1 = dynamic)", *it);
    }
    t.shape = std::move(shape);
  }
  if (auto it = value.find("features"); it != value.end() && !it->is_null()) {
    if (!it->is_array()) return TypeError(where, path + ".features", "a list of feature names", *it);
    std::set<std::string> seen;
    for (const auto& f : *it) {
      if (!f.is_string() || f.get<std::string>().empty()) {
        return TypeError(where, path + ".features", "a list of non-empty names", f);
      }
      if (!seen.insert(f.get<std::string>()).second) {
        return InvalidArgument(std::string(where) + ": '" + path + ".features' names '" + f.get<std::string>() +
                               "' twice");
      }
      t.features.push_back(f.get<std::string>());
    }
  }
  return t;
}

Result<std::vector<TensorConfig>> ParseTensorList(const json& doc, const char* key, std::string_view where) {
  std::vector<TensorConfig> out;
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return out;
  if (!it->is_array()) return TypeError(where, key, "a list", *it);
  std::set<std::string> names;
  for (size_t i = 0; i < it->size(); ++i) {
    FS_ASSIGN_OR_RETURN(TensorConfig t, ParseTensorConfig((*it)[i], where, std::string(key) + "[" + std::to_string(i) + "]"));
    if (!names.insert(t.name).second) {
      return InvalidArgument(std::string(where) + ": two " + key + " are named '" + t.name + "'");
    }
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace

const std::vector<std::string_view>& KnownConfigKeys() {
  static const std::vector<std::string_view> keys = {
      "name", "platform", "description", "owner", "version_policy", "inputs", "outputs", "parameters",
      "validation",  // per-feature input rules, parsed by serving/feature_rules.cc
      "features",  // raw feature -> model columns (serving/named_features.h; written by finserve train)
      "decision", "explanation",  // parsed by the serving layer at load (serving/explain_config.h)
      "batching",  // queue and dynamic batching (serving/batching_config.h)
  };
  return keys;
}

std::vector<int64_t> VersionPolicy::Select(std::vector<int64_t> available) const {
  std::sort(available.begin(), available.end());
  std::vector<int64_t> out;
  switch (kind) {
    case Kind::kAll:
      return available;
    case Kind::kLatest: {
      const size_t n = std::min<size_t>(available.size(), static_cast<size_t>(latest));
      out.assign(available.end() - static_cast<std::ptrdiff_t>(n), available.end());
      return out;
    }
    case Kind::kSpecific:
      for (int64_t v : available) {
        if (std::find(specific.begin(), specific.end(), v) != specific.end()) out.push_back(v);
      }
      return out;
  }
  return out;
}

std::string VersionPolicy::ToString() const {
  switch (kind) {
    case Kind::kAll: return "all";
    case Kind::kLatest: return "latest " + std::to_string(latest);
    case Kind::kSpecific: {
      std::string s = "specific";
      for (int64_t v : specific) s += " " + std::to_string(v);
      return s;
    }
  }
  return "";
}

Result<json> YamlToJson(std::string_view yaml_text, std::string_view file) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    YamlWalker walker{file};
    return walker.Convert(root, 0);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(file) + ": invalid YAML at line " + std::to_string(e.mark.line + 1) +
                           ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string(file) + ": invalid YAML: " + e.what());
  }
}

json MergeConfigDocuments(const json& base, const json& override) {
  if (!base.is_object() || !override.is_object()) return override.is_null() ? base : override;
  json out = base;
  for (const auto& [key, value] : override.items()) {
    out[key] = out.contains(key) ? MergeConfigDocuments(out[key], value) : value;
  }
  return out;
}

std::string CanonicalJson(const json& document) {
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<ModelConfig> ParseModelConfig(const json& document, std::string_view where) {
  ModelConfig config;
  config.document = document.is_null() ? json::object() : document;
  if (!config.document.is_object()) return TypeError(where, "(top level)", "a map of settings", document);
  const auto& known = KnownConfigKeys();
  for (const auto& [key, value] : config.document.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return InvalidArgument(std::string(where) + ": unknown key '" + key + "' (known: " + list + ")");
    }
  }
  const json& doc = config.document;
  FS_RETURN_IF_ERROR(ReadString(doc, "name", where, "name", &config.name));
  FS_RETURN_IF_ERROR(ReadString(doc, "platform", where, "platform", &config.platform));
  FS_RETURN_IF_ERROR(ReadString(doc, "description", where, "description", &config.description));
  FS_RETURN_IF_ERROR(ReadString(doc, "owner", where, "owner", &config.owner));
  FS_ASSIGN_OR_RETURN(config.version_policy,
                      ParseVersionPolicy(doc.contains("version_policy") ? doc["version_policy"] : json(), where));
  FS_ASSIGN_OR_RETURN(config.inputs, ParseTensorList(doc, "inputs", where));
  FS_ASSIGN_OR_RETURN(config.outputs, ParseTensorList(doc, "outputs", where));
  if (auto it = doc.find("parameters"); it != doc.end() && !it->is_null() && !it->is_object()) {
    return TypeError(where, "parameters", "a map", *it);
  }
  config.sha256 = Sha256Hex(CanonicalJson(config.document));
  return config;
}

}  // namespace finserve::repository
