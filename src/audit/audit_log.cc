#include "audit/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>

#include "audit/log_files.h"
#include "audit/record.h"
#include "core/build_info.h"
#include "core/json_writer.h"
#include "core/log.h"
#include "core/thread_pool.h"

namespace finserve::audit {
namespace {

constexpr int64_t kSyncRetryBackoffUs = 100'000;

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Unavailable("audit log " + path + ": " + what + " failed: " + std::strerror(errno));
}

// At the data end, not with O_APPEND: the file may be longer (its reserved tail).
Status WriteAt(int fd, uint64_t offset, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoStatus("write", path);
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? Status::Ok() : ErrnoStatus("fsync directory", dir);
}

// Where the valid records of a file end, and why the rest (if any) is not valid.
struct FileScan {
  uint64_t valid_bytes = 0;
  uint64_t last_seq = 0;
  std::string last_hash;
  int64_t bad_line = 0;
  std::string problem;
  bool good_after_bad = false;
};

FileScan ScanFile(std::string_view contents) {
  FileScan scan;
  for (const Line& line : SplitLines(contents)) {
    ParsedRecord record;
    std::string problem;
    const bool good = line.complete && ParseRecordLine(line.text, &record, &problem) == LineProblem::kNone;
    if (scan.bad_line != 0) {
      if (good) scan.good_after_bad = true;
      continue;
    }
    if (!good) {
      scan.bad_line = line.number;
      scan.problem = line.complete ? problem : "the last record has no newline (cut off mid-write)";
      continue;
    }
    scan.valid_bytes = line.offset + line.text.size() + 1;
    scan.last_seq = record.seq;
    scan.last_hash = record.hash;
  }
  return scan;
}

}  // namespace

AuditLog::AuditLog(LogOptions options) : options_(std::move(options)), metrics_(options_.metrics) {}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(LogOptions options) {
  if (options.checkpoint_every_records < 1) return InvalidArgument("checkpoint_every_records must be at least 1");
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  FS_RETURN_IF_ERROR(log->options_.env->CreateDirectories(log->options_.directory, 0700));
  FS_RETURN_IF_ERROR(log->LockDirectory());
  FS_RETURN_IF_ERROR(log->Recover());
  if (log->options_.preallocate_bytes > 0) {
    log->prealloc_ = std::make_unique<Preallocator>(static_cast<uint64_t>(log->options_.preallocate_bytes),
                                                    static_cast<uint64_t>(log->options_.max_file_bytes));
  }
  log->last_checkpoint_us_ = log->options_.env->NowMicros();
  // Seal the recovered chain head at once: the previous run's records after its last checkpoint
  // (at most its checkpoint_every_records) must not share a checkpoint with this run's records.
  log->checkpoint_at_start_ = log->options_.signing_key && log->recovery_.last_seq != 0;
  log->flusher_ = std::thread([l = log.get()] {
    NameCurrentThread("audit-flusher");
    // When a request thread queues a record on a busy CPU, it goes on reading and queueing the
    // requests it has at hand before the flusher runs, so their records share one write and one
    // fdatasync (docs/audit.md, "Durability").
    if (!MakeCurrentThreadBatch()) FS_LOG(kWarn, "audit_flusher_sched_batch_refused");
    l->FlushLoop();
  });
  return log;
}

AuditLog::~AuditLog() {
  (void)Close();
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Status AuditLog::LockDirectory() {
  const std::string path = options_.directory + "/LOCK";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return ErrnoStatus("open", path);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return FailedPrecondition("audit log " + options_.directory +
                              " is in use by another process (another server on the same --state-dir?)");
  }
  return Status::Ok();
}

// Finds the head of the chain; truncates a torn tail of the last file.
Status AuditLog::Recover() {
  FS_ASSIGN_OR_RETURN(auto files, ListLogFiles(options_.directory));
  recovery_.head = std::string(kGenesisHash);
  bool found = false;
  for (size_t i = files.size(); i-- > 0 && !found;) {
    FS_RETURN_IF_ERROR(RecoverFile(files[i], i + 1 == files.size(), &found));
  }
  next_seq_ = recovery_.last_seq + 1;
  head_ = stored_head_ = recovery_.head;
  durable_seq_ = stored_seq_ = recovery_.last_seq;
  // Records after the last checkpoint of the previous run are closed by the checkpoint Open seals.
  since_checkpoint_ = stored_since_checkpoint_ = 0;
  return Status::Ok();
}

Status AuditLog::RecoverFile(const LogFile& file, bool last, bool* found) {
  FS_ASSIGN_OR_RETURN(std::string contents, options_.env->ReadFile(file.path));
  const FileScan scan = ScanFile(contents);
  const uint64_t data_end = DataEnd(contents);
  if (scan.bad_line != 0 && (scan.good_after_bad || !last)) {
    return DataLoss("audit log " + file.path + " line " + std::to_string(scan.bad_line) + ": " + scan.problem +
                    (scan.good_after_bad ? ", and valid records follow it" : ", and later files exist") +
                    ": this is not a torn write; run `finserve audit verify " + options_.directory + "`");
  }
  if (scan.bad_line != 0) {
    const std::string_view torn = std::string_view(contents).substr(scan.valid_bytes, data_end - scan.valid_bytes);
    FS_RETURN_IF_ERROR(SaveTornTail(file, scan.valid_bytes, torn, "line " + std::to_string(scan.bad_line) + ": " + scan.problem));
  }
  const uint64_t keep = scan.bad_line != 0 ? scan.valid_bytes : data_end;
  if (contents.size() > keep) FS_RETURN_IF_ERROR(TruncateFile(file.path, keep));
  if (contents.size() > data_end) {
    recovery_.reserved_trimmed_bytes += contents.size() - data_end;
    FS_LOG(kInfo, "audit_reserved_tail_trimmed")
        .With("file", file.path)
        .With("offset", static_cast<int64_t>(data_end))
        .With("bytes", static_cast<int64_t>(contents.size() - data_end));
  }
  if (scan.last_seq != 0) {
    recovery_.last_seq = scan.last_seq;
    recovery_.head = scan.last_hash;
    *found = true;
  }
  return Status::Ok();
}

Status AuditLog::SaveTornTail(const LogFile& file, uint64_t offset, std::string_view torn, std::string problem) {
  recovery_.torn_file = file.path;
  recovery_.torn_offset = offset;
  recovery_.torn_bytes = torn.size();
  recovery_.torn_problem = std::move(problem);
  const std::string torn_dir = options_.directory + "/torn";
  FS_RETURN_IF_ERROR(options_.env->CreateDirectories(torn_dir, 0700));
  recovery_.torn_saved_to = torn_dir + "/" + file.name + "." + std::to_string(offset);
  FS_RETURN_IF_ERROR(options_.env->WriteFileAtomic(recovery_.torn_saved_to, torn));
  FS_LOG(kWarn, "audit_torn_tail_truncated")
      .With("file", file.path)
      .With("offset", static_cast<int64_t>(offset))
      .With("bytes", static_cast<int64_t>(torn.size()))
      .With("problem", recovery_.torn_problem)
      .With("saved_to", recovery_.torn_saved_to);
  return Status::Ok();
}

Status AuditLog::Enqueue(std::string_view fields, OnStored* on_stored) {
  if (fields.size() < 3 || fields.front() != '{' || fields.back() != '}') {
    return InvalidArgument("an audit record must be a non-empty JSON object");
  }
  std::lock_guard lock(mu_);
  if (closing_) return Unavailable("audit log " + options_.directory + " is closed");
  if (queued_records_.empty()) {
    queued_since_us_ = options_.env->NowMicros();
    work_cv_.notify_one();
  }
  queued_.append(fields);
  queued_records_.push_back({fields.size(), on_stored ? std::move(*on_stored) : OnStored()});
  return Status::Ok();
}

Status AuditLog::Append(std::string_view fields) { return Enqueue(fields, nullptr); }

void AuditLog::CommitAsync(std::string_view fields, OnStored on_stored) {
  Status queued = Enqueue(fields, &on_stored);
  if (!queued.ok()) on_stored(std::move(queued));
}

Result<uint64_t> AuditLog::Commit(std::string_view fields) {
  std::promise<Result<uint64_t>> stored;
  auto future = stored.get_future();
  CommitAsync(fields, [&stored](Result<uint64_t> seq) { stored.set_value(std::move(seq)); });
  return future.get();
}

uint64_t AuditLog::durable_seq() const {
  std::lock_guard lock(mu_);
  return durable_seq_;
}

void AuditLog::FlushLoop() {
  const bool sync = options_.fsync != FsyncPolicy::kInterval;
  const int64_t group_us = options_.group_commit_ms * 1000;
  Batch batch;
  if (checkpoint_at_start_) {
    batch.first_seq = next_seq_;
    batch.since_us = options_.env->NowMicros();
    SealCheckpoint(&batch);
    Store(&batch, sync);
  }
  std::unique_lock lock(mu_);
  while (WaitForWork(lock, batch)) {
    // The queue's buffers swap with the batch's emptied ones: no allocation once warm.
    // A batch of checkpoints alone (no record queued) starts now.
    if (batch.lines.empty()) batch.since_us = queued_records_.empty() ? options_.env->NowMicros() : queued_since_us_;
    batch.fields.swap(queued_);
    batch.records.swap(queued_records_);
    const bool closing = closing_;
    lock.unlock();
    // Records are sealed as they come; kGroup stores them once the first has waited its window.
    Seal(&batch, closing);
    const bool window_over = options_.fsync != FsyncPolicy::kGroup || closing ||
                             options_.env->NowMicros() - batch.since_us >= group_us;
    if (!batch.lines.empty() && window_over) Store(&batch, sync);
    if (unsynced_ && (closing || options_.env->NowMicros() - last_sync_us_ >= group_us)) SyncNow();
    lock.lock();
  }
}

bool AuditLog::WaitForWork(std::unique_lock<std::mutex>& lock, const Batch& batch) {
  const int64_t group_us = options_.group_commit_ms * 1000;
  const int64_t checkpoint_us = options_.checkpoint_interval_ms * 1000;
  for (;;) {
    if (closing_) {
      // One last round seals what is queued and the final checkpoint, stores, and syncs.
      if (drained_) return false;
      drained_ = true;
      return true;
    }
    if (!queued_records_.empty()) return true;
    const int64_t now = options_.env->NowMicros();
    const bool unsigned_tail = options_.signing_key && since_checkpoint_ > 0;
    if (unsigned_tail && now - last_checkpoint_us_ >= checkpoint_us) return true;
    if (!batch.lines.empty()) {  // kGroup: sealed records wait for the end of their window
      if (now - batch.since_us >= group_us) return true;
      work_cv_.wait_for(lock, std::chrono::microseconds(batch.since_us + group_us - now),
                        [&] { return closing_ || !queued_records_.empty(); });
      continue;
    }
    if (unsynced_ && now - last_sync_us_ >= group_us) return true;
    int64_t wait_us = unsigned_tail ? last_checkpoint_us_ + checkpoint_us - now : checkpoint_us;
    if (unsynced_) wait_us = std::min(wait_us, last_sync_us_ + group_us - now);
    work_cv_.wait_for(lock, std::chrono::microseconds(std::max<int64_t>(wait_us, 0)),
                      [&] { return closing_ || !queued_records_.empty(); });
  }
}

void AuditLog::Seal(Batch* batch, bool closing) {
  const bool signing = options_.signing_key != nullptr;
  if (batch->lines.empty()) batch->first_seq = next_seq_;
  if (signing && since_checkpoint_ > 0 &&
      options_.env->NowMicros() - last_checkpoint_us_ >= options_.checkpoint_interval_ms * 1000) {
    SealCheckpoint(batch);
  }
  size_t offset = 0;
  for (Queued& record : batch->records) {
    if (record.on_stored) batch->waiters.emplace_back(next_seq_, std::move(record.on_stored));
    SealOne(std::string_view(batch->fields).substr(offset, record.size), false, batch);
    offset += record.size;
    if (signing && static_cast<int64_t>(since_checkpoint_) >= options_.checkpoint_every_records) {
      SealCheckpoint(batch);
    }
  }
  if (closing && signing && since_checkpoint_ > 0) SealCheckpoint(batch);
  batch->fields.clear();
  batch->records.clear();
}

void AuditLog::SealOne(std::string_view fields, bool checkpoint, Batch* batch) {
  std::string hash;
  AppendSealedRecord(next_seq_, head_, fields, &batch->lines, &hash);
  head_ = std::move(hash);
  ++next_seq_;
  since_checkpoint_ = checkpoint ? 0 : since_checkpoint_ + 1;
}

void AuditLog::SealCheckpoint(Batch* batch) {
  // A failed signature is retried at the next interval, not in a loop.
  last_checkpoint_us_ = options_.env->NowMicros();
  auto signature = options_.signing_key->Sign(CheckpointMessage(next_seq_, head_));
  if (!signature.ok()) {
    FS_LOG(kError, "audit_checkpoint_failed").With("status", signature.status().ToString());
    return;
  }
  JsonWriter w;
  w.BeginObject()
      .Field("type", "checkpoint")
      .Field("time", FormatUtcMicros(options_.env->NowUnixMicros()))
      .Field("records", static_cast<int64_t>(since_checkpoint_))
      .Field("every_records", options_.checkpoint_every_records)
      .Field("key_id", options_.signing_key->key_id())
      .Field("signature", Base64Encode(*signature))
      .EndObject();
  SealOne(w.str(), true, batch);
  ++batch->checkpoints;
}

Preallocator::Counters AuditLog::preallocation() const {
  return prealloc_ ? prealloc_->counters() : Preallocator::Counters{};
}

void AuditLog::Store(Batch* batch, bool sync) {
  const Status written = WriteBatch(batch->lines, batch->first_seq, sync);
  const uint64_t records = next_seq_ - batch->first_seq;
  if (written.ok()) {
    if (records > 0) {
      const double waited_s = static_cast<double>(options_.env->NowMicros() - batch->since_us) * 1e-6;
      metrics_.BatchStored(records, batch->checkpoints, batch->lines.size(), waited_s, next_seq_ - 1);
    }
    stored_seq_ = next_seq_ - 1;
    stored_head_ = head_;
    stored_since_checkpoint_ = since_checkpoint_;
    if (!sync) unsynced_ = true;
  } else {
    // The batch's records (checkpoints included) leave no trace: the chain goes on from the last
    // stored record.
    FS_LOG(kError, "audit_write_failed").With("status", written.ToString()).With("durable_seq", static_cast<int64_t>(stored_seq_));
    metrics_.BatchFailed(records);
    next_seq_ = stored_seq_ + 1;
    head_ = stored_head_;
    since_checkpoint_ = stored_since_checkpoint_;
  }
  {
    std::lock_guard lock(mu_);
    durable_seq_ = stored_seq_;
    if (!written.ok()) last_error_ = written;
    if (closing_) close_status_ = written;
  }
  for (auto& [seq, on_stored] : batch->waiters) {
    if (written.ok()) {
      on_stored(seq);
    } else {
      on_stored(written);
    }
  }
  batch->lines.clear();
  batch->waiters.clear();
  batch->checkpoints = 0;
}

void AuditLog::SyncNow() {
  unsynced_ = false;
  last_sync_us_ = options_.env->NowMicros();
  if (fd_ >= 0 && !SyncFile()) {
    unsynced_ = true;
    last_sync_us_ += kSyncRetryBackoffUs;  // retry later, not in a tight loop
    FS_LOG(kError, "audit_sync_failed").With("file", file_path_).With("error", std::strerror(errno));
    metrics_.SyncFailed();
  }
}

bool AuditLog::SyncFile() {
  const int64_t start = options_.env->NowMicros();
  const bool ok = ::fdatasync(fd_) == 0;
  const int saved_errno = errno;
  metrics_.Synced(static_cast<double>(options_.env->NowMicros() - start) * 1e-6);
  errno = saved_errno;
  return ok;
}

Status AuditLog::LeaveFile() {
  if (fd_ < 0) return Status::Ok();
  // kInterval leaves the last batches unsynced; a file is complete on disk before the next one.
  Status st = SyncFile() ? Status::Ok() : ErrnoStatus("fdatasync", file_path_);
  if (prealloc_) prealloc_->Detach();
  if (st.ok()) st = TrimReservedTail(fd_, file_path_, file_bytes_);
  ::close(fd_);
  fd_ = -1;
  return st;
}

void AuditLog::UseFile(int fd, std::string path, uint64_t size, int64_t day) {
  fd_ = fd;
  file_path_ = std::move(path);
  file_bytes_ = size;
  file_day_ = day;
  if (prealloc_) prealloc_->Attach(fd_, file_path_, file_bytes_);
}

Status AuditLog::OpenFileFor(uint64_t first_seq) {
  FS_RETURN_IF_ERROR(LeaveFile());
  const int64_t now = options_.env->NowUnixMicros();
  const std::string path = options_.directory + "/" + LogFileName(now, first_seq);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    file_path_ = path;
    return ErrnoStatus("open", path);
  }
  // Recovery trimmed any reserved tail of an existing file of this name: its size is its data end.
  const off_t size = ::lseek(fd, 0, SEEK_END);
  UseFile(fd, path, size > 0 ? static_cast<uint64_t>(size) : 0, UtcDay(now));
  return SyncDirectory(options_.directory);
}

void AuditLog::ContinueLastFile(uint64_t batch_bytes) {
  auto files = ListLogFiles(options_.directory);
  if (!files.ok() || files->empty()) return;
  const LogFile& last = files->back();
  const bool today = last.name.find("-" + std::to_string(UtcDay(options_.env->NowUnixMicros())) + "-") != std::string::npos;
  const int fd = today ? ::open(last.path.c_str(), O_WRONLY | O_CLOEXEC) : -1;
  if (fd < 0) return;
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0 || static_cast<uint64_t>(size) + batch_bytes > static_cast<uint64_t>(options_.max_file_bytes)) {
    ::close(fd);
    return;
  }
  UseFile(fd, last.path, static_cast<uint64_t>(size), UtcDay(options_.env->NowUnixMicros()));
}

Status AuditLog::WriteBatch(const std::string& batch, uint64_t first_seq, bool sync) {
  if (fd_ < 0 && file_path_.empty()) ContinueLastFile(batch.size());
  const bool new_day = file_day_ != UtcDay(options_.env->NowUnixMicros());
  const bool full = file_bytes_ > 0 && file_bytes_ + batch.size() > static_cast<uint64_t>(options_.max_file_bytes);
  if (fd_ < 0 || new_day || full) FS_RETURN_IF_ERROR(OpenFileFor(first_seq));
  if (prealloc_) prealloc_->Claim(file_bytes_, batch.size());
  Status st = WriteAt(fd_, file_bytes_, batch, file_path_);
  if (st.ok() && sync && !SyncFile()) st = ErrnoStatus("fdatasync", file_path_);
  if (!st.ok()) {
    // Leave no partial record behind (nor reserved space); the next batch opens a file anew.
    if (prealloc_) prealloc_->Detach();
    if (::ftruncate(fd_, static_cast<off_t>(file_bytes_)) != 0) {
      FS_LOG(kError, "audit_truncate_failed").With("file", file_path_).With("error", std::strerror(errno));
    }
    ::close(fd_);
    fd_ = -1;
    return st;
  }
  file_bytes_ += batch.size();
  return Status::Ok();
}

Status AuditLog::Close() {
  {
    std::lock_guard lock(mu_);
    if (closing_) return close_status_;
    closing_ = true;
    work_cv_.notify_all();
  }
  if (flusher_.joinable()) flusher_.join();
  const Status left = LeaveFile();
  if (!left.ok()) FS_LOG(kError, "audit_close_failed").With("file", file_path_).With("status", left.ToString());
  std::lock_guard lock(mu_);
  return close_status_.ok() ? left : close_status_;
}

}  // namespace finserve::audit
