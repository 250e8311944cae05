#include "cli/server_config.h"

#include <yaml-cpp/yaml.h>

#include <charconv>

#include "core/utf8.h"

namespace finserve::cli {
namespace {

std::string At(std::string_view file, const YAML::Node& node) {
  return std::string(file) + ":" + std::to_string(node.Mark().line + 1);
}

std::string KnownNames() {
  std::string out;
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    if (spec.in_file) out += (out.empty() ? "" : ", ") + std::string(spec.name);
  }
  return out;
}

Result<std::string> ReadScalar(const YAML::Node& node, std::string_view file, const char* name) {
  if (!node.IsScalar()) return InvalidArgument(At(file, node) + ": '" + name + "' must be a single value");
  if (!IsValidUtf8(node.Scalar())) return InvalidArgument(At(file, node) + ": '" + name + "' is not valid UTF-8");
  return node.Scalar();
}

Status ApplyValue(const SettingSpec& spec, const YAML::Node& node, std::string_view file, ServeSettings* s) {
  return std::visit(
      [&](auto field) -> Status {
        auto& value = s->*field;
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          value.clear();
          if (node.IsScalar()) {
            FS_ASSIGN_OR_RETURN(std::string one, ReadScalar(node, file, spec.name));
            value.push_back(std::move(one));
            return Status::Ok();
          }
          if (!node.IsSequence()) return InvalidArgument(At(file, node) + ": '" + spec.name + "' must be a list");
          for (const auto& item : node) {
            FS_ASSIGN_OR_RETURN(std::string one, ReadScalar(item, file, spec.name));
            value.push_back(std::move(one));
          }
          return Status::Ok();
        } else {
          FS_ASSIGN_OR_RETURN(std::string text, ReadScalar(node, file, spec.name));
          if constexpr (std::is_same_v<T, std::string>) {
            value = text;
          } else if constexpr (std::is_same_v<T, bool>) {
            if (text != "true" && text != "false") {
              return InvalidArgument(At(file, node) + ": '" + spec.name + "' must be true or false, got '" + text + "'");
            }
            value = text == "true";
          } else {
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size()) {
              return InvalidArgument(At(file, node) + ": '" + spec.name + "' must be an integer, got '" + text + "'");
            }
          }
          Status checked = CheckSetting(spec, *s);
          if (!checked.ok()) return InvalidArgument(At(file, node) + ": " + checked.message());
          return Status::Ok();
        }
      },
      spec.field);
}

}  // namespace

Status ApplyServerConfig(std::string_view yaml_text, std::string_view file, const std::set<std::string>& skip,
                         ServeSettings* settings) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ": invalid YAML: " + e.msg);
  }
  if (root.IsNull()) return Status::Ok();  // an empty file changes nothing
  if (!root.IsMap()) return InvalidArgument(std::string(file) + ": must be a map of setting: value");
  std::set<std::string> seen;
  ServeSettings result = *settings;
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
      const SettingSpec* spec = FindSetting(key);
      if (spec == nullptr || !spec->in_file) {
        if (!IsValidUtf8(key)) return InvalidArgument(At(file, kv.first) + ": a key is not valid UTF-8");
        return InvalidArgument(At(file, kv.first) + ": unknown setting '" + key.substr(0, 100) + "' (known: " +
                               KnownNames() + ")");
      }
      if (!seen.insert(key).second) return InvalidArgument(At(file, kv.first) + ": '" + key + "' appears twice");
      if (skip.count(key)) continue;
      FS_RETURN_IF_ERROR(ApplyValue(*spec, kv.second, file, &result));
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(file) + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  *settings = std::move(result);
  return Status::Ok();
}

}  // namespace finserve::cli
