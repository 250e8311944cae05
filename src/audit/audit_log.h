// AuditLog: the append-only, hash-chained, checkpoint-signed decision log of one server.
//
// CommitAsync() queues a record's fields and calls its callback, from the background flusher
// thread, once the record is sealed (seq, prev, hash; see record.h) and stored as the policy
// defines:
//   kAlways:   the flusher seals, writes and fdatasyncs whatever is queued at once (records that
//              arrive while an fdatasync runs share the next one, but no record waits for others);
//   kGroup:    the flusher gathers records for at most `group_commit_ms` after the first, then
//              seals, writes and fdatasyncs them together;
//   kInterval: the flusher writes at once and the callback runs after write(2): the record survives
//              a crash of the process (kill -9), not of the machine; fdatasync runs in the
//              background every `group_commit_ms`. For disks whose fdatasync is slower than the
//              latency budget of a decision.
// Only the flusher touches the chain (sealing hashes each record): a request thread holds the
// queue's lock just long enough to copy its record's bytes, and nobody but the flusher blocks on
// the disk (Commit() is CommitAsync() waited for, for callers that have nothing else to do).
// If a write or fdatasync fails, the file is truncated back to the last stored record, the
// batch's records get Unavailable naming the file and the OS error, and the chain continues from
// the last stored record (so a failed record leaves no trace, and the request that made it fails).
// A failed background fdatasync (kInterval) cannot fail answers already given: it is logged
// (audit_sync_failed) and retried at the next interval.
//
// Every `checkpoint_every_records` records or `checkpoint_interval_ms` (whichever first) a
// checkpoint record signs the chain head with the Ed25519 signing key; Close() writes a final one.
// Files rotate by size and UTC day. With `preallocate_bytes` set, the file being written ends with up
// to that many zero-filled reserved bytes kept ahead of the records (preallocator.h), trimmed when
// the file is left (rotation, Close) or, after a crash, by the next Open. Open() takes an exclusive lock on the directory (one writer per
// chain), and recovers: a torn last record (a crash mid-write) is copied to torn/ and truncated, and
// reported in recovery(); an unreadable record followed by good ones is refused (not a torn write).
// Zero bytes after the last record (a reserved tail, or the unwritten rest of a torn batch) are cut.
//
// Thread-safe: any number of threads may Append, Commit and CommitAsync concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "audit/crypto.h"
#include "audit/log_files.h"
#include "audit/log_metrics.h"
#include "audit/preallocator.h"
#include "core/env.h"
#include "core/status.h"

namespace finserve::audit {

enum class FsyncPolicy { kAlways, kGroup, kInterval };

struct LogOptions {
  std::string directory;
  FsyncPolicy fsync = FsyncPolicy::kGroup;
  int64_t group_commit_ms = 2;
  int64_t max_file_bytes = 64ll << 20;
  int64_t checkpoint_every_records = 1000;
  int64_t checkpoint_interval_ms = 60'000;
  // Zero-filled space kept ahead of the records in the file being written, so that an fdatasync
  // writes only data (preallocator.h). 0: none, every batch extends the file.
  int64_t preallocate_bytes = 0;
  std::shared_ptr<const SigningKey> signing_key;  // null: no checkpoints (verify reports it)
  std::shared_ptr<MetricsRegistry> metrics;        // null: no finserve_audit_* metrics (log_metrics.h)
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
  uint64_t reserved_trimmed_bytes = 0;  // a reserved zero tail cut from the last file(s)
};

class AuditLog {
 public:
  // The record's seq once stored, or why it was not.
  using OnStored = std::function<void(Result<uint64_t>)>;

  static Result<std::unique_ptr<AuditLog>> Open(LogOptions options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // `fields`: a JSON object with a "type" member and no seq/prev/hash (see record.h).
  // `on_stored` runs exactly once: on the flusher thread, or at once on the caller's thread when
  // the record is refused (closed log, malformed fields). It must be quick and must not call back
  // into this log.
  void CommitAsync(std::string_view fields, OnStored on_stored);
  // CommitAsync waited for; returns the record's seq.
  Result<uint64_t> Commit(std::string_view fields);
  // Seals the record without waiting for it (administrative records).
  Status Append(std::string_view fields);

  // Writes a checkpoint (when a signing key is set) and flushes; later appends fail.
  Status Close();

  const Recovery& recovery() const { return recovery_; }
  const LogOptions& options() const { return options_; }
  uint64_t durable_seq() const;
  // How batches met the reserved space (all zero without preallocation).
  Preallocator::Counters preallocation() const;

 private:
  // A queued record: its fields' size in `queued_` and who waits for it (empty for Append).
  struct Queued {
    size_t size;
    OnStored on_stored;
  };
  // The records of one write: taken from the queue, then sealed into lines until stored.
  struct Batch {
    std::string fields;  // taken from the queue, not yet sealed
    std::vector<Queued> records;
    std::string lines;  // sealed, ready to write
    std::vector<std::pair<uint64_t, OnStored>> waiters;
    uint64_t first_seq = 0;  // of the first line
    uint64_t checkpoints = 0;  // among the lines
    int64_t since_us = 0;    // when the first line's record was queued (kGroup's window)
  };

  explicit AuditLog(LogOptions options);
  Status Recover();
  Status LockDirectory();
  // Queues a record; takes *on_stored (may be null) only when it accepts the record.
  Status Enqueue(std::string_view fields, OnStored* on_stored);
  void FlushLoop();
  // Waits for records to seal, the end of `batch`'s group window, or a due sync or checkpoint;
  // false once the log is closed and drained.
  bool WaitForWork(std::unique_lock<std::mutex>& lock, const Batch& batch);
  // Seals the batch's taken records onto the chain (appending to its lines), with the checkpoints
  // that fall due among them.
  void Seal(Batch* batch, bool closing);
  void SealOne(std::string_view fields, bool checkpoint, Batch* batch);
  void SealCheckpoint(Batch* batch);
  // Writes (and, unless `sync` is false, fdatasyncs) a sealed batch; answers its waiters.
  void Store(Batch* batch, bool sync);
  void SyncNow();
  // fdatasync of the current file, timed for the metrics; false (errno set) when it failed.
  bool SyncFile();
  Status WriteBatch(const std::string& batch, uint64_t first_seq, bool sync);
  Status OpenFileFor(uint64_t first_seq);
  // The first batch of this process continues the last file when it is today's and has room.
  void ContinueLastFile(uint64_t batch_bytes);
  void UseFile(int fd, std::string path, uint64_t size, int64_t day);
  // Syncs the current file, stops reserving space in it, trims its reserved tail and closes it.
  Status LeaveFile();
  // One file from the end of the log: cuts a torn last record and the reserved tail; sets the
  // chain head (and `found`) when the file holds a record.
  Status RecoverFile(const LogFile& file, bool last, bool* found);
  Status SaveTornTail(const LogFile& file, uint64_t offset, std::string_view torn, std::string problem);

  LogOptions options_;
  LogMetrics metrics_;
  Recovery recovery_;
  int lock_fd_ = -1;

  // Shared between writers and the flusher.
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::string queued_;  // fields of the queued records, back to back
  std::vector<Queued> queued_records_;
  int64_t queued_since_us_ = 0;
  uint64_t durable_seq_ = 0;  // stored as the policy defines (written, for kInterval)
  Status last_error_;
  Status close_status_;  // of the round that drained the log at Close()
  bool closing_ = false;

  // Owned by the flusher thread (and Open before it starts): the chain and the file.
  uint64_t next_seq_ = 1;
  std::string head_;
  uint64_t since_checkpoint_ = 0;
  int64_t last_checkpoint_us_ = 0;
  uint64_t stored_seq_ = 0;  // the chain as last stored: where a failed batch rolls back to
  std::string stored_head_;
  uint64_t stored_since_checkpoint_ = 0;
  bool checkpoint_at_start_ = false;
  bool drained_ = false;
  bool unsynced_ = false;  // kInterval: written records not yet fdatasynced
  int64_t last_sync_us_ = 0;
  int fd_ = -1;
  std::string file_path_;
  uint64_t file_bytes_ = 0;  // the data end (the file may be longer: its reserved tail)
  int64_t file_day_ = 0;
  std::unique_ptr<Preallocator> prealloc_;  // null without preallocate_bytes

  std::thread flusher_;
};

}  // namespace finserve::audit
