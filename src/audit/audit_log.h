// AuditLog: the append-only, hash-chained, checkpoint-signed decision log of one server.
//
// Append() seals a record (seq, prev, hash; see record.h) into memory and returns a ticket;
// Wait(ticket) returns once the record is on disk as the fsync policy defines:
//   kAlways: a background flusher writes and fdatasyncs whatever is pending at once (records that
//            arrive together share one fdatasync, but no record waits for others);
//   kGroup:  the flusher gathers records for at most `group_commit_ms` after the first, then writes
//            and fdatasyncs them together.
// If a write or fdatasync fails, the file is truncated back to the last durable record, every
// waiting record gets Unavailable naming the file and the OS error, and the chain continues from
// the last durable record (so a failed record leaves no trace, and the request that made it fails).
//
// Every `checkpoint_every_records` records or `checkpoint_interval_ms` (whichever first) a
// checkpoint record signs the chain head with the Ed25519 signing key; Close() writes a final one.
// Files rotate by size and UTC day. Open() takes an exclusive lock on the directory (one writer per
// chain), and recovers: a torn last record (a crash mid-write) is copied to torn/ and truncated, and
// reported in recovery(); an unreadable record followed by good ones is refused (not a torn write).
//
// Thread-safe: any number of threads may Append/Wait concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/crypto.h"
#include "core/env.h"
#include "core/status.h"

namespace finserve::audit {

enum class FsyncPolicy { kAlways, kGroup };

struct LogOptions {
  std::string directory;
  FsyncPolicy fsync = FsyncPolicy::kGroup;
  int64_t group_commit_ms = 2;
  int64_t max_file_bytes = 64ll << 20;
  int64_t checkpoint_every_records = 1000;
  int64_t checkpoint_interval_ms = 60'000;
  std::shared_ptr<const SigningKey> signing_key;  // null: no checkpoints (verify reports it)
  Env* env = Env::Default();
};

// What Open() found at the end of the log.
struct Recovery {
  uint64_t last_seq = 0;
  std::string head;            // hash of the last record
  std::string torn_file;       // empty when the log ended cleanly
  uint64_t torn_offset = 0;    // where the torn record started (the file's new size)
  uint64_t torn_bytes = 0;
  std::string torn_saved_to;   // copy of the removed bytes
  std::string torn_problem;
};

class AuditLog {
 public:
  struct Ticket {
    uint64_t seq = 0;
    uint64_t epoch = 0;
  };

  static Result<std::unique_ptr<AuditLog>> Open(LogOptions options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // `fields`: a JSON object with a "type" member and no seq/prev/hash (see record.h).
  Result<Ticket> Append(std::string_view fields);
  Status Wait(const Ticket& ticket);
  // Append + Wait; returns the record's seq.
  Result<uint64_t> Commit(std::string_view fields);

  // Writes a checkpoint (when a signing key is set) and flushes; later appends fail.
  Status Close();

  const Recovery& recovery() const { return recovery_; }
  const LogOptions& options() const { return options_; }
  uint64_t durable_seq() const;

 private:
  explicit AuditLog(LogOptions options);
  Status Recover();
  Status LockDirectory();
  void FlushLoop();
  void SealLocked(std::string_view fields, bool checkpoint);
  void CheckpointLocked();
  Status WriteBatch(const std::string& batch, uint64_t first_seq);
  Status OpenFileFor(uint64_t first_seq);
  void RollBackLocked(const Status& error);

  LogOptions options_;
  Recovery recovery_;
  int lock_fd_ = -1;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::string pending_;
  uint64_t pending_first_seq_ = 0;
  int64_t pending_since_us_ = 0;
  uint64_t next_seq_ = 1;
  std::string head_;
  uint64_t since_checkpoint_ = 0;
  int64_t last_checkpoint_us_ = 0;
  uint64_t durable_seq_ = 0;
  std::string durable_head_;
  uint64_t durable_since_checkpoint_ = 0;
  uint64_t epoch_ = 0;
  std::vector<uint64_t> epoch_end_durable_;  // durable_seq_ when each past epoch ended
  Status last_error_;
  bool closing_ = false;
  bool closed_ = false;

  // Owned by the flusher thread (and Open before it starts).
  int fd_ = -1;
  std::string file_path_;
  uint64_t file_bytes_ = 0;
  int64_t file_day_ = 0;

  std::thread flusher_;
};

}  // namespace finserve::audit
