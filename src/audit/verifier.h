// Verifies an audit log directory: every record's own hash, the chain of `prev` hashes across
// files, consecutive sequence numbers, checkpoint signatures (with the operator's public key) and
// that no run of records is longer than its checkpoints promise. Stops at the first problem and
// reports it with the file, line and seq, plus the last checkpoint that verified. A file's trailing
// run of NUL bytes is its writer's reserved space (log_files.h): reported, not an error; NUL bytes
// anywhere else make their line unreadable.
//
// What it proves and what it cannot: see docs/audit.md ("What verify proves"). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "audit/crypto.h"
#include "core/status.h"

namespace finserve::audit {

enum class ProblemKind { kNone, kUnreadable, kAltered, kMissing, kReordered, kBrokenChain, kBadSignature,
                         kCheckpointMissing, kNoCheckpoint };
std::string_view ProblemKindName(ProblemKind kind);  // "altered", "missing", ...

struct Position {
  std::string file;
  int64_t line = 0;
  uint64_t seq = 0;
  std::string time;
};

// Zero bytes at the end of a file: space its writer reserved ahead of the records (not records).
struct ReservedTail {
  std::string file;
  uint64_t bytes = 0;
};

struct VerifyReport {
  bool ok() const { return problem == ProblemKind::kNone; }
  ProblemKind problem = ProblemKind::kNone;
  std::string message;         // the first problem, naming file, line and record
  Position where;
  std::optional<Position> last_good_checkpoint;
  uint64_t records = 0;        // records read before the problem (all, when ok)
  uint64_t checkpoints = 0;
  uint64_t files = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  uint64_t unsigned_tail = 0;  // records after the last verified checkpoint
  bool signatures_checked = false;
  std::vector<ReservedTail> reserved_tails;
};

// `public_key` may be null: the chain is checked, signatures are not (reported).
Result<VerifyReport> VerifyLog(const std::string& directory, const VerifyKey* public_key);

// The report as text for people (one finding per line) or as one JSON object.
std::string FormatReport(const VerifyReport& report);
std::string FormatReportJson(const VerifyReport& report);

}  // namespace finserve::audit
