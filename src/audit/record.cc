#include "audit/record.h"

#include <charconv>
#include <exception>

#include "core/sha256.h"

namespace finserve::audit {
namespace {

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

void AppendSealedRecord(uint64_t seq, std::string_view prev, std::string_view fields, std::string* out,
                        std::string* hash) {
  const size_t start = out->size();
  if (start == 0) out->reserve(fields.size() + 180);  // a batch grows geometrically on its own
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, seq);
  *out += "{\"seq\":";
  out->append(digits, end);
  *out += ",\"prev\":\"";
  *out += prev;
  *out += "\",";
  out->append(fields.data() + 1, fields.size() - 2);  // the members, without the braces
  *hash = Sha256Hex(std::string_view(*out).substr(start));
  *out += ",\"hash\":\"";
  *out += *hash;
  *out += "\"}\n";
}

std::string SealRecord(uint64_t seq, std::string_view prev, std::string_view fields, std::string* hash) {
  std::string line;
  AppendSealedRecord(seq, prev, fields, &line, hash);
  return line;
}

std::string CheckpointMessage(uint64_t seq, std::string_view prev) {
  return "finserve-audit-checkpoint:v1:" + std::to_string(seq) + ":" + std::string(prev);
}

LineProblem ParseRecordLine(std::string_view line, ParsedRecord* record, std::string* problem) {
  if (line.size() <= kHashSuffixSize || line.substr(line.size() - kHashSuffixSize, 9) != ",\"hash\":\"" ||
      line.substr(line.size() - 2) != "\"}") {
    *problem = "not a complete record (it does not end with its \"hash\")";
    return LineProblem::kNotARecord;
  }
  try {
    record->doc = nlohmann::json::parse(line);
  } catch (const std::exception&) {
    *problem = "not valid JSON";
    return LineProblem::kNotARecord;
  }
  const auto& d = record->doc;
  if (!d.is_object() || !d.contains("seq") || !d["seq"].is_number_unsigned() || !d.contains("prev") ||
      !d["prev"].is_string() || !d.contains("hash") || !d["hash"].is_string() || !d.contains("type") ||
      !d["type"].is_string()) {
    *problem = "missing or mistyped seq, prev, type or hash";
    return LineProblem::kNotARecord;
  }
  record->seq = d["seq"].get<uint64_t>();
  record->prev = d["prev"].get<std::string>();
  record->hash = d["hash"].get<std::string>();
  record->type = d["type"].get<std::string>();
  if (!IsLowerHex64(record->prev) || !IsLowerHex64(record->hash)) {
    *problem = "prev or hash is not 64 lowercase hex digits";
    return LineProblem::kNotARecord;
  }
  const std::string_view body = line.substr(0, line.size() - kHashSuffixSize);
  if (Sha256Hex(body) != record->hash || line.substr(line.size() - 66, 64) != record->hash) {
    *problem = "its contents do not match its hash (the record was edited)";
    return LineProblem::kAltered;
  }
  return LineProblem::kNone;
}

std::string StringMember(const nlohmann::json& doc, const char* key) {
  if (!doc.is_object()) return "";
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t IntMember(const nlohmann::json& doc, const char* key) {
  if (!doc.is_object()) return 0;
  auto it = doc.find(key);
  return it != doc.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

}  // namespace finserve::audit
