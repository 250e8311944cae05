// The audit log's line format: one JSON object per line, chained by SHA-256.
//
//   {"seq":7,"prev":"<64 hex>",<the record's own fields>,"hash":"<64 hex>"}\n
//
// `hash` is SHA-256 over the exact bytes of the line before `,"hash":` (the "body"), so a record
// is verified from its bytes as written: there is no re-serialisation to disagree about. `prev`
// is the `hash` of the record before (kGenesisHash for seq 1), across rotated files. Checkpoint
// records sign CheckpointMessage(seq, prev) with Ed25519.
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace finserve::audit {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr size_t kHashSuffixSize = 75;  // ,"hash":" + 64 hex + "}

// Builds the line (with its trailing newline) for `fields`, a JSON object with at least one
// member and no `seq`, `prev` or `hash` of its own. *hash receives the new record's hash.
std::string SealRecord(uint64_t seq, std::string_view prev, std::string_view fields, std::string* hash);
// The same line appended to *out (the log's pending batch), without a string of its own: sealing
// runs under the log's lock.
void AppendSealedRecord(uint64_t seq, std::string_view prev, std::string_view fields, std::string* out,
                        std::string* hash);

// What a checkpoint record's signature covers.
std::string CheckpointMessage(uint64_t seq, std::string_view prev);

struct ParsedRecord {
  uint64_t seq = 0;
  std::string prev;
  std::string hash;
  std::string type;  // "decision", "admin", "checkpoint"
  nlohmann::json doc;
};

// A member of a record's document: "" / 0 when it is absent or of another type. Records are read
// from files anyone with disk access may have edited (and re-chained), so readers never assume a
// member's type (nlohmann's value() throws on a mismatch).
std::string StringMember(const nlohmann::json& doc, const char* key);
int64_t IntMember(const nlohmann::json& doc, const char* key);

enum class LineProblem { kNone, kNotARecord, kAltered };

// Parses one line (without its newline). kNotARecord: not JSON or missing seq/prev/hash/type;
// kAltered: well-formed, but the bytes do not match the hash. *problem explains which.
LineProblem ParseRecordLine(std::string_view line, ParsedRecord* record, std::string* problem);

}  // namespace finserve::audit
