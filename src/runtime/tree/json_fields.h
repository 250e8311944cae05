// Typed, non-throwing access to the fields of a parsed model file, for the tree importers.
//
// The document type parses every non-integer number with strtof, exactly like XGBoost's own JSON
// reader, so float fields keep their bits (no detour through double). Accessors return a Status
// naming the field's path ("learner.learner_model_param.num_feature: expected ...") instead of
// throwing. ParseJsonDocument catches the parser's exceptions at this edge. Stateless.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace finserve::runtime::tree {

using JsonDoc = nlohmann::basic_json<std::map, std::vector, std::string, bool, std::int64_t, std::uint64_t, float>;

// Parses `text`; InvalidArgument with the parser's position on malformed or truncated input, or
// when nesting is deeper than any model file needs (the parser recurses).
Result<JsonDoc> ParseJsonDocument(std::string_view text);

// "object", "array", "string", "number", ... for messages.
std::string_view JsonTypeName(const JsonDoc& value);

// `object[key]`; errors if `object` is not an object or lacks `key`. `path` names `object`.
Result<const JsonDoc*> JsonMember(const JsonDoc& object, std::string_view key, std::string_view path);
// nullptr if absent (still an error if `object` is not an object).
Result<const JsonDoc*> JsonOptionalMember(const JsonDoc& object, std::string_view key, std::string_view path);

Result<std::string> JsonString(const JsonDoc& value, std::string_view path);
// An integer, or a string holding one (XGBoost writes parameters as strings: "num_feature": "30").
Result<int64_t> JsonIntegerLike(const JsonDoc& value, std::string_view path);

// Arrays of exactly `size` elements. Element errors name the element as "<where>, node <i>: <key>".
struct ArrayField {
  const JsonDoc* value;
  std::string_view where;  // "tree 3"
  std::string_view key;    // "left_children"
};
Result<std::vector<int64_t>> JsonIntArray(const ArrayField& field, size_t size);
Result<std::vector<float>> JsonFloatArray(const ArrayField& field, size_t size);
// Booleans or 0/1 integers (XGBoost 1.x writes default_left as integers).
Result<std::vector<bool>> JsonBoolArray(const ArrayField& field, size_t size);

}  // namespace finserve::runtime::tree
