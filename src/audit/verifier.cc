#include "audit/verifier.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "audit/log_files.h"
#include "audit/record.h"
#include "core/env.h"
#include "core/json_writer.h"

namespace finserve::audit {
namespace {

struct Walker {
  const VerifyKey* key = nullptr;
  VerifyReport report;
  std::string head = std::string(kGenesisHash);
  uint64_t expected_seq = 0;  // 0 until the first record
  uint64_t since_checkpoint = 0;
  int64_t every_records = 0;  // of the last checkpoint (0 before the first)
  std::vector<uint64_t> file_seqs;  // the seq each line of the current file claims (0 if none)

  bool Fail(ProblemKind kind, const Position& at, std::string message) {
    report.problem = kind;
    report.where = at;
    report.message = at.file + " line " + std::to_string(at.line) + ": " + message;
    return false;
  }

  bool Checkpoint(const ParsedRecord& r, const Position& at) {
    const int64_t every = IntMember(r.doc, "every_records");
    const int64_t limit = std::max(every, every_records);
    if (every_records > 0 && since_checkpoint > static_cast<uint64_t>(limit)) {
      return Fail(ProblemKind::kCheckpointMissing, at,
                  "checkpoint seq " + std::to_string(r.seq) + " closes " + std::to_string(since_checkpoint) +
                      " records, more than the " + std::to_string(limit) + " its writer promised: checkpoints were removed");
    }
    if (key != nullptr) {
      const std::string key_id = StringMember(r.doc, "key_id");
      auto signature = Base64Decode(StringMember(r.doc, "signature"));
      if (key_id != key->key_id()) {
        return Fail(ProblemKind::kBadSignature, at,
                    "checkpoint seq " + std::to_string(r.seq) + " is signed by key " + key_id + ", not by " +
                        key->key_id() + " (" + key->where() + ")" + SinceLastGood());
      }
      if (!signature.ok() || !key->Verify(CheckpointMessage(r.seq, r.prev), *signature)) {
        return Fail(ProblemKind::kBadSignature, at,
                    "checkpoint seq " + std::to_string(r.seq) + ": the signature does not verify with key " +
                        key->key_id() + " (" + key->where() + ")" + SinceLastGood());
      }
      report.last_good_checkpoint = at;
    }
    every_records = every;
    since_checkpoint = 0;
    ++report.checkpoints;
    return true;
  }

  std::string SinceLastGood() const {
    if (!report.last_good_checkpoint) return ": the records before it may have been rewritten";
    return ": records after the last good checkpoint (seq " + std::to_string(report.last_good_checkpoint->seq) +
           ", " + report.last_good_checkpoint->file + " line " + std::to_string(report.last_good_checkpoint->line) +
           ") may have been rewritten";
  }

  bool Record(std::string_view text, bool complete, const Position& line_at) {
    ParsedRecord r;
    std::string problem;
    Position at = line_at;
    at.seq = expected_seq;
    const std::string which = expected_seq ? " (where seq " + std::to_string(expected_seq) + " should be)" : "";
    if (!complete) return Fail(ProblemKind::kUnreadable, at, "truncated record" + which + ": no newline at its end");
    switch (ParseRecordLine(text, &r, &problem)) {
      case LineProblem::kNotARecord: return Fail(ProblemKind::kUnreadable, at, "unreadable record" + which + ": " + problem);
      case LineProblem::kAltered:
        at.seq = r.seq;
        return Fail(ProblemKind::kAltered, at, "record seq " + std::to_string(r.seq) + " was altered: " + problem);
      case LineProblem::kNone: break;
    }
    at.seq = r.seq;
    at.time = StringMember(r.doc, "time");
    if (expected_seq == 0) {
      report.first_seq = r.seq;
      if (r.seq == 1 && r.prev != kGenesisHash) return Fail(ProblemKind::kBrokenChain, at, "seq 1 does not start the chain");
      head = r.prev;  // earlier files may have been removed by retention
    } else if (r.seq > expected_seq &&
               std::find(file_seqs.begin(), file_seqs.end(), expected_seq) != file_seqs.end()) {
      return Fail(ProblemKind::kReordered, at,
                  "records out of order: seq " + std::to_string(r.seq) + " comes before seq " +
                      std::to_string(expected_seq) + ", which appears later in the file");
    } else if (r.seq > expected_seq) {
      return Fail(ProblemKind::kMissing, at,
                  "record" + std::string(r.seq - expected_seq > 1 ? "s " : " ") + std::to_string(expected_seq) +
                      (r.seq - expected_seq > 1 ? ".." + std::to_string(r.seq - 1) : "") +
                      " missing: found seq " + std::to_string(r.seq) + " where seq " + std::to_string(expected_seq) +
                      " should be");
    } else if (r.seq < expected_seq) {
      return Fail(ProblemKind::kReordered, at,
                  "records out of order: found seq " + std::to_string(r.seq) + " after seq " +
                      std::to_string(expected_seq - 1));
    }
    if (r.prev != head) {
      return Fail(ProblemKind::kBrokenChain, at,
                  "record seq " + std::to_string(r.seq) + " does not chain to the record before it (its prev is " +
                      r.prev.substr(0, 12) + "..., the record before hashes to " + head.substr(0, 12) + "...)");
    }
    if (r.type == "checkpoint") {
      if (!Checkpoint(r, at)) return false;
    } else {
      ++since_checkpoint;
    }
    head = r.hash;
    expected_seq = r.seq + 1;
    report.last_seq = r.seq;
    ++report.records;
    return true;
  }
};

// The number after a line's leading {"seq": (0 if it has none), to tell reordered from missing.
uint64_t ClaimedSeq(std::string_view line) {
  constexpr std::string_view kLead = "{\"seq\":";
  if (line.substr(0, kLead.size()) != kLead) return 0;
  uint64_t seq = 0;
  std::from_chars(line.data() + kLead.size(), line.data() + line.size(), seq);
  return seq;
}

}  // namespace

std::string_view ProblemKindName(ProblemKind kind) {
  switch (kind) {
    case ProblemKind::kNone: return "ok";
    case ProblemKind::kUnreadable: return "unreadable";
    case ProblemKind::kAltered: return "altered";
    case ProblemKind::kMissing: return "missing";
    case ProblemKind::kReordered: return "reordered";
    case ProblemKind::kBrokenChain: return "broken_chain";
    case ProblemKind::kBadSignature: return "bad_signature";
    case ProblemKind::kCheckpointMissing: return "checkpoint_missing";
    case ProblemKind::kNoCheckpoint: return "no_checkpoint";
  }
  return "unknown";
}

Result<VerifyReport> VerifyLog(const std::string& directory, const VerifyKey* public_key) {
  FS_ASSIGN_OR_RETURN(auto files, ListLogFiles(directory));
  Walker w;
  w.key = public_key;
  w.report.signatures_checked = public_key != nullptr;
  for (const LogFile& file : files) {
    FS_ASSIGN_OR_RETURN(std::string contents, Env::Default()->ReadFile(file.path));
    ++w.report.files;
    if (const uint64_t end = DataEnd(contents); end < contents.size()) {
      w.report.reserved_tails.push_back({file.path, contents.size() - end});
    }
    const std::vector<Line> lines = SplitLines(contents);
    w.file_seqs.clear();
    for (const Line& line : lines) w.file_seqs.push_back(ClaimedSeq(line.text));
    for (const Line& line : lines) {
      Position at{file.path, line.number, 0, ""};
      if (!w.Record(line.text, line.complete, at)) return w.report;
    }
  }
  w.report.unsigned_tail = w.since_checkpoint;
  Position end{files.empty() ? directory : files.back().path, 0, w.report.last_seq, ""};
  if (w.every_records > 0 && w.since_checkpoint > static_cast<uint64_t>(w.every_records)) {
    w.Fail(ProblemKind::kCheckpointMissing, end,
           std::to_string(w.since_checkpoint) + " records follow the last checkpoint, more than the " +
               std::to_string(w.every_records) + " its writer promised: a checkpoint was removed");
  } else if (public_key != nullptr && w.report.checkpoints == 0 && w.report.records > 0) {
    w.Fail(ProblemKind::kNoCheckpoint, end, "no checkpoint in the log: nothing is signed by " + public_key->key_id());
  }
  return w.report;
}

std::string FormatReport(const VerifyReport& r) {
  std::string out = r.ok() ? "OK: " : "FAILED (" + std::string(ProblemKindName(r.problem)) + "): " + r.message + "\n";
  out += (r.ok() ? "" : "read: ") + std::to_string(r.records) + " records in " + std::to_string(r.files) + " files";
  if (r.records > 0) out += " (seq " + std::to_string(r.first_seq) + ".." + std::to_string(r.last_seq) + ")";
  out += ", " + std::to_string(r.checkpoints) + " checkpoints\n";
  if (r.last_good_checkpoint) {
    out += "last good checkpoint: seq " + std::to_string(r.last_good_checkpoint->seq) + " (" +
           r.last_good_checkpoint->file + " line " + std::to_string(r.last_good_checkpoint->line) + ", " +
           r.last_good_checkpoint->time + ")\n";
  } else if (r.signatures_checked) {
    out += "last good checkpoint: none\n";
  }
  if (!r.signatures_checked) out += "signatures not checked: pass --public-key to check checkpoints\n";
  if (r.ok() && r.first_seq > 1) out += "note: the log starts at seq " + std::to_string(r.first_seq) + " (earlier files were removed)\n";
  for (const ReservedTail& t : r.reserved_tails) {
    out += "note: " + t.file + " ends with " + std::to_string(t.bytes) +
           " reserved zero bytes (space its writer keeps ahead of the records: the file of a running server, or of one "
           "stopped without closing the log; not records)\n";
  }
  if (r.ok() && r.unsigned_tail > 0) {
    out += "note: " + std::to_string(r.unsigned_tail) + " records after the last checkpoint are chained but not yet signed\n";
  }
  return out;
}

std::string FormatReportJson(const VerifyReport& r) {
  JsonWriter w;
  w.BeginObject().Field("ok", r.ok()).Field("problem", ProblemKindName(r.problem));
  if (!r.ok()) {
    w.Field("message", r.message).Field("file", r.where.file).Field("line", r.where.line);
    w.Field("seq", static_cast<uint64_t>(r.where.seq));
  }
  w.Field("records", r.records).Field("files", r.files).Field("checkpoints", r.checkpoints);
  w.Field("first_seq", r.first_seq).Field("last_seq", r.last_seq).Field("unsigned_tail", r.unsigned_tail);
  w.Field("signatures_checked", r.signatures_checked);
  w.Key("reserved_tails").BeginArray();
  for (const ReservedTail& t : r.reserved_tails) w.BeginObject().Field("file", t.file).Field("bytes", t.bytes).EndObject();
  w.EndArray();
  if (r.last_good_checkpoint) {
    w.Key("last_good_checkpoint").BeginObject().Field("seq", static_cast<uint64_t>(r.last_good_checkpoint->seq));
    w.Field("file", r.last_good_checkpoint->file).Field("line", r.last_good_checkpoint->line);
    w.Field("time", r.last_good_checkpoint->time).EndObject();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace finserve::audit
