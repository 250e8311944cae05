#include "runtime/tree/json_fields.h"

#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace finserve::runtime::tree {
namespace {

// Model files nest about 8 levels; the recursive parser must never see hostile depths.
constexpr int kMaxNesting = 64;

// Deepest [ / { nesting outside strings, or -1 past kMaxNesting (with the offset in *at).
int NestingDepth(std::string_view text, size_t* at) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNesting) {
        *at = i;
        return -1;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return depth;
}

Status ElementError(const ArrayField& field, size_t i, std::string_view want, const JsonDoc& got) {
  return InvalidArgument(fmt::format("{}, node {}: '{}' must hold {}, got {}", field.where, i, field.key, want,
                                     JsonTypeName(got)));
}

Status CheckArray(const ArrayField& field, size_t size) {
  if (!field.value->is_array()) {
    return InvalidArgument(fmt::format("{}: '{}' must be an array, got {}", field.where, field.key,
                                       JsonTypeName(*field.value)));
  }
  if (field.value->size() != size) {
    return InvalidArgument(fmt::format("{}: '{}' has {} entries, expected {} (num_nodes)", field.where, field.key,
                                       field.value->size(), size));
  }
  return Status::Ok();
}

}  // namespace

Result<JsonDoc> ParseJsonDocument(std::string_view text) {
  size_t at = 0;
  if (NestingDepth(text, &at) < 0) {
    return InvalidArgument(fmt::format("JSON nests deeper than {} levels at byte {}", kMaxNesting, at));
  }
  try {
    return JsonDoc::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(fmt::format("not valid JSON: {}", e.what()));
  }
}

std::string_view JsonTypeName(const JsonDoc& value) {
  if (value.is_number_integer()) return "an integer";
  if (value.is_number_float()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "a boolean";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  if (value.is_null()) return "null";
  return "an unknown JSON value";
}

Result<const JsonDoc*> JsonOptionalMember(const JsonDoc& object, std::string_view key, std::string_view path) {
  if (!object.is_object()) {
    return InvalidArgument(fmt::format("{}: must be an object, got {}", path, JsonTypeName(object)));
  }
  const auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

Result<const JsonDoc*> JsonMember(const JsonDoc& object, std::string_view key, std::string_view path) {
  FS_ASSIGN_OR_RETURN(const JsonDoc* member, JsonOptionalMember(object, key, path));
  if (member == nullptr) return InvalidArgument(fmt::format("{}: missing key '{}'", path, key));
  return member;
}

Result<std::string> JsonString(const JsonDoc& value, std::string_view path) {
  if (!value.is_string()) return InvalidArgument(fmt::format("{}: must be a string, got {}", path, JsonTypeName(value)));
  return value.get<std::string>();
}

Result<int64_t> JsonIntegerLike(const JsonDoc& value, std::string_view path) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    return value.get<int64_t>();
  } else if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    int64_t parsed = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return parsed;
    return InvalidArgument(fmt::format("{}: '{}' is not an integer", path, s));
  }
  return InvalidArgument(fmt::format("{}: must be an integer, got {}", path, JsonTypeName(value)));
}

Result<std::vector<int64_t>> JsonIntArray(const ArrayField& field, size_t size) {
  FS_RETURN_IF_ERROR(CheckArray(field, size));
  std::vector<int64_t> out(size);
  for (size_t i = 0; i < size; ++i) {
    const JsonDoc& v = (*field.value)[i];
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return ElementError(field, i, "integers below 2^63", v);
    }
    if (!v.is_number_integer()) return ElementError(field, i, "integers", v);
    out[i] = v.get<int64_t>();
  }
  return out;
}

Result<std::vector<float>> JsonFloatArray(const ArrayField& field, size_t size) {
  FS_RETURN_IF_ERROR(CheckArray(field, size));
  std::vector<float> out(size);
  for (size_t i = 0; i < size; ++i) {
    const JsonDoc& v = (*field.value)[i];
    if (!v.is_number()) return ElementError(field, i, "numbers", v);
    out[i] = v.get<float>();
    if (!std::isfinite(out[i])) return ElementError(field, i, "finite numbers", v);
  }
  return out;
}

Result<std::vector<bool>> JsonBoolArray(const ArrayField& field, size_t size) {
  FS_RETURN_IF_ERROR(CheckArray(field, size));
  std::vector<bool> out(size);
  for (size_t i = 0; i < size; ++i) {
    const JsonDoc& v = (*field.value)[i];
    if (v.is_boolean()) {
      out[i] = v.get<bool>();
    } else if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) {
      out[i] = v.get<int64_t>() == 1;
    } else {
      return ElementError(field, i, "booleans or 0/1", v);
    }
  }
  return out;
}

}  // namespace finserve::runtime::tree
