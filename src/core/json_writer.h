// JsonWriter: appends compact JSON to a string, for answers on the hot path and log lines.
//
// The caller drives the structure (BeginObject/Key/.../EndObject); commas are inserted
// automatically. Floats are written in their shortest round-trip form (a float as a float, so
// 0.1f prints "0.1"); NaN and infinities, which JSON cannot carry, are written as null.
// Not thread-safe; cheap to construct; reuse it with Clear() to keep its buffer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace finserve {

class JsonWriter {
 public:
  JsonWriter() = default;

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Float(float value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Inserts already-serialised JSON as one value.
  JsonWriter& Raw(std::string_view json);
  // Inserts already-serialised members (`"a":1,"b":[2]`, no braces) into the open object: a
  // fragment built once and repeated in many objects.
  JsonWriter& Members(std::string_view members);

  // Key + value shorthands.
  JsonWriter& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Field(std::string_view key, uint64_t value) { return Key(key).Uint(value); }
  JsonWriter& Field(std::string_view key, double value) { return Key(key).Double(value); }
  JsonWriter& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }
  void Clear() {
    out_.clear();
    deep_.clear();
    depth_ = 0;
    after_key_ = false;
  }
  void Reserve(size_t n) { out_.reserve(n); }

 private:
  void Separate();
  void Open(char bracket);
  void Close(char bracket);

  std::string out_;
  // Per open container, whether no element is written yet: the first 64 levels in the bits of
  // `shallow_` (no allocation on the hot path), deeper ones in `deep_`.
  uint64_t shallow_ = 0;
  std::vector<bool> deep_;
  size_t depth_ = 0;
  bool after_key_ = false;
};

// Appends `value` as a quoted JSON string (escaping control characters, quotes, backslashes;
// invalid UTF-8 bytes are replaced by U+FFFD so the output is always valid JSON).
void AppendJsonString(std::string* out, std::string_view value);

}  // namespace finserve
