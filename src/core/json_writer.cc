#include "core/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "core/utf8.h"

namespace finserve {

namespace {

// Whether any of the 8 bytes at `p` is a control character, '"', '\\' or non-ASCII: the plain
// runs (keys, hashes, base64, most text) are then copied 8 bytes per step instead of one.
bool NeedsEscapeIn8(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, sizeof x);
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const uint64_t control = (x - kOnes * 0x20) & ~x & kHigh;  // a byte below 0x20
  return ((x & kHigh) | control | has_zero_byte(x ^ (kOnes * '"')) | has_zero_byte(x ^ (kOnes * '\\'))) != 0;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      size_t j = i + 1;
      while (j + 8 <= s.size() && !NeedsEscapeIn8(s.data() + j)) j += 8;
      while (j < s.size()) {
        const auto d = static_cast<unsigned char>(s[j]);
        if (d < 0x20 || d == '"' || d == '\\' || d >= 0x80) break;
        ++j;
      }
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    if (c < 0x80) {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        default:
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
      }
      ++i;
      continue;
    }
    // Multi-byte UTF-8: copy a well-formed sequence, replace anything else.
    const size_t len = Utf8SequenceLength(s, i);
    if (len > 0) {
      out->append(s.data() + i, len);
      i += len;
    } else {
      out->append("\xef\xbf\xbd");
      ++i;
    }
  }
  out->push_back('"');
}

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (depth_ == 0) return;
  const size_t level = depth_ - 1;
  if (level < 64) {
    const uint64_t bit = uint64_t{1} << level;
    if (!(shallow_ & bit)) out_.push_back(',');
    shallow_ &= ~bit;
  } else {
    if (!deep_[level - 64]) out_.push_back(',');
    deep_[level - 64] = false;
  }
}

void JsonWriter::Open(char bracket) {
  Separate();
  out_.push_back(bracket);
  if (depth_ < 64) {
    shallow_ |= uint64_t{1} << depth_;
  } else {
    deep_.push_back(true);
  }
  ++depth_;
}

void JsonWriter::Close(char bracket) {
  out_.push_back(bracket);
  if (depth_ == 0) return;
  --depth_;
  if (depth_ >= 64) deep_.pop_back();
}

JsonWriter& JsonWriter::BeginObject() {
  Open('{');
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  Close('}');
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Open('[');
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  Close(']');
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  Separate();
  AppendJsonString(&out_, key);
  out_.push_back(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  Separate();
  AppendJsonString(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Uint(uint64_t value) {
  Separate();
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  Separate();
  if (!std::isfinite(value)) {
    out_.append("null");
    return *this;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Float(float value) {
  Separate();
  if (!std::isfinite(value)) {
    out_.append("null");
    return *this;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out_.append(buf, end);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  Separate();
  out_.append("null");
  return *this;
}

JsonWriter& JsonWriter::Raw(std::string_view json) {
  Separate();
  out_.append(json);
  return *this;
}

JsonWriter& JsonWriter::Members(std::string_view members) {
  if (members.empty()) return *this;
  Separate();
  out_.append(members);
  return *this;
}

}  // namespace finserve
