#include "serving/config_fields.h"

#include <cmath>

namespace finserve::serving::config {

using nlohmann::json;

Path Path::Child(std::string_view key) const {
  return Path{file, path.empty() ? std::string(key) : path + "." + std::string(key)};
}

Path Path::Index(size_t i) const { return Path{file, path + "[" + std::to_string(i) + "]"}; }

Status Path::Error(std::string_view problem) const {
  return InvalidArgument(std::string(file) + ": '" + path + "' " + std::string(problem));
}

Status Path::TypeError(std::string_view expected, const json& got) const {
  return Error("must be " + std::string(expected) + ", got " + Describe(got));
}

std::string Describe(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 80) text = text.substr(0, 77) + "...";
  return text;
}

namespace {
std::string JoinWords(std::initializer_list<std::string_view> words) {
  std::string out;
  for (auto w : words) out += (out.empty() ? "" : ", ") + std::string(w);
  return out;
}
}  // namespace

Status CheckKeys(const json& object, const Path& at, std::initializer_list<std::string_view> known) {
  if (!object.is_object()) return at.TypeError("a map", object);
  for (const auto& [key, value] : object.items()) {
    bool found = false;
    for (auto k : known) found = found || k == key;
    if (!found) return at.Child(key).Error("is not a known key (known: " + JoinWords(known) + ")");
  }
  return Status::Ok();
}

const json* Find(const json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> ReadString(const json& object, std::string_view key, const Path& at,
                               std::optional<std::string> fallback) {
  const json* v = Find(object, key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return at.Child(key).Error("is required");
  }
  if (!v->is_string()) return at.Child(key).TypeError("a string", *v);
  return v->get<std::string>();
}

Result<double> ReadNumber(const json& object, std::string_view key, const Path& at, std::optional<double> fallback) {
  const json* v = Find(object, key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return at.Child(key).Error("is required");
  }
  if (!v->is_number() || !std::isfinite(v->get<double>())) return at.Child(key).TypeError("a finite number", *v);
  return v->get<double>();
}

Result<int64_t> ReadInt(const json& object, std::string_view key, const Path& at, int64_t min, int64_t max,
                        std::optional<int64_t> fallback) {
  const json* v = Find(object, key);
  if (v == nullptr) {
    if (fallback) return *fallback;
    return at.Child(key).Error("is required");
  }
  const std::string range = "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!v->is_number_integer()) return at.Child(key).TypeError(range, *v);
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(max)) {
    return at.Child(key).TypeError(range, *v);
  }
  const int64_t x = v->get<int64_t>();
  if (x < min || x > max) return at.Child(key).TypeError(range, *v);
  return x;
}

Result<std::string> ReadChoice(const json& object, std::string_view key, const Path& at,
                               std::initializer_list<std::string_view> choices, std::optional<std::string> fallback) {
  FS_ASSIGN_OR_RETURN(std::string value, ReadString(object, key, at, std::move(fallback)));
  for (auto c : choices) {
    if (c == value) return value;
  }
  return at.Child(key).Error("is '" + value + "'; expected one of " + JoinWords(choices));
}

}  // namespace finserve::serving::config
