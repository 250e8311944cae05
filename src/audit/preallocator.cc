#include "audit/preallocator.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "core/log.h"
#include "core/thread_pool.h"

namespace finserve::audit {
namespace {

bool WriteZeros(int fd, uint64_t offset, uint64_t bytes) {
  static const std::vector<char> zeros(Preallocator::kChunkBytes, '\0');
  while (bytes > 0) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(bytes, zeros.size()));
    const ssize_t written = ::pwrite(fd, zeros.data(), n, static_cast<off_t>(offset));
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    offset += static_cast<uint64_t>(written);
    bytes -= static_cast<uint64_t>(written);
  }
  return true;
}

// Writes the chunk's pages back and waits, then syncs what that allocated (the size, the block
// mappings): afterwards the writer's fdatasync has nothing of the chunk left to write.
bool SyncChunk(int fd, uint64_t offset, uint64_t bytes) {
  constexpr unsigned kFlags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
  if (::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(bytes), kFlags) != 0) return false;
  return ::fdatasync(fd) == 0;
}

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Unavailable("audit log " + path + ": " + what + " failed: " + std::strerror(errno));
}

}  // namespace

Preallocator::Preallocator(uint64_t margin_bytes, uint64_t limit_bytes)
    : margin_bytes_(margin_bytes), limit_bytes_(limit_bytes) {
  filler_ = std::thread([this] {
    NameCurrentThread("audit-prealloc");
    (void)MakeCurrentThreadBatch();  // background filling yields to request threads
    FillLoop();
  });
}

Preallocator::~Preallocator() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  filler_.join();
}

void Preallocator::Attach(int fd, const std::string& path, uint64_t data_end) {
  Detach();
  const int dup = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) {
    FS_LOG(kError, "audit_preallocate_failed").With("file", path).With("step", "dup").With("error", std::strerror(errno));
    return;
  }
  std::lock_guard lock(mu_);
  fd_ = std::shared_ptr<const int>(new int(dup), [](const int* p) {
    ::close(*p);
    delete p;
  });
  path_ = path;
  ++generation_;
  failed_ = false;
  claimed_end_ = filled_end_ = ready_begin_ = ready_end_ = data_end;
  cv_.notify_all();
}

void Preallocator::Detach() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !writing_; });
  fd_.reset();
  ++generation_;
}

bool Preallocator::Claim(uint64_t offset, uint64_t bytes) {
  std::unique_lock lock(mu_);
  const uint64_t end = offset + bytes;
  // Claimed before waiting, so the filler's next chunk starts past this range.
  claimed_end_ = std::max(claimed_end_, end);
  if (HasWorkLocked()) cv_.notify_all();  // most claims leave the margin full: no wake-up
  if (writing_ && end > writing_begin_) {
    ++counters_.claim_waits;
    cv_.wait(lock, [&] { return !writing_ || end <= writing_begin_; });
  }
  const bool ready = fd_ != nullptr && offset >= ready_begin_ && end <= ready_end_;
  ++(ready ? counters_.ready_writes : counters_.unready_writes);
  return ready;
}

Preallocator::Counters Preallocator::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void Preallocator::FillLoop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    Chunk chunk;
    if (NextChunkLocked(&chunk)) {
      FillChunk(chunk, lock);
    } else {
      cv_.wait(lock);
    }
  }
}

bool Preallocator::HasWorkLocked() const {
  if (fd_ == nullptr || failed_) return false;
  const uint64_t begin = std::max(filled_end_, claimed_end_);
  return begin < limit_bytes_ && begin - claimed_end_ < margin_bytes_;
}

bool Preallocator::NextChunkLocked(Chunk* chunk) {
  if (!HasWorkLocked()) return false;
  const uint64_t begin = std::max(filled_end_, claimed_end_);
  const uint64_t size = std::min(kChunkBytes, margin_bytes_);
  *chunk = Chunk{fd_, path_, generation_, begin, std::min(begin + size, limit_bytes_)};
  filled_end_ = chunk->end;
  writing_ = true;
  writing_begin_ = begin;
  return true;
}

void Preallocator::FillChunk(const Chunk& chunk, std::unique_lock<std::mutex>& lock) {
  lock.unlock();
  const bool written = WriteZeros(*chunk.fd, chunk.begin, chunk.end - chunk.begin);
  const int write_error = errno;
  lock.lock();
  writing_ = false;
  cv_.notify_all();
  if (chunk.generation != generation_) return;  // detached meanwhile: the file is no longer ours
  if (!written) return FailLocked(chunk, "write", write_error);
  lock.unlock();
  const bool synced = SyncChunk(*chunk.fd, chunk.begin, chunk.end - chunk.begin);
  const int sync_error = errno;
  lock.lock();
  if (chunk.generation != generation_) return;
  if (!synced) return FailLocked(chunk, "sync", sync_error);
  // A new run when the writer went past the last one (the filler was behind).
  if (ready_end_ != chunk.begin) ready_begin_ = chunk.begin;
  ready_end_ = chunk.end;
  ++counters_.chunks;
}

void Preallocator::FailLocked(const Chunk& chunk, const char* step, int error) {
  FS_LOG(kError, "audit_preallocate_failed")
      .With("file", chunk.path)
      .With("step", step)
      .With("offset", static_cast<int64_t>(chunk.begin))
      .With("error", std::strerror(error))
      .With("effect", "records go on as plain appends to this file");
  failed_ = true;
}

Status TrimReservedTail(int fd, const std::string& path, uint64_t data_end) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus("fstat", path);
  if (static_cast<uint64_t>(st.st_size) <= data_end) return Status::Ok();
  if (::ftruncate(fd, static_cast<off_t>(data_end)) != 0) return ErrnoStatus("truncate", path);
  return ::fsync(fd) == 0 ? Status::Ok() : ErrnoStatus("fsync", path);
}

Status TruncateFile(const std::string& path, uint64_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open", path);
  Status st = ::ftruncate(fd, static_cast<off_t>(size)) == 0 ? Status::Ok() : ErrnoStatus("truncate", path);
  if (st.ok() && ::fsync(fd) != 0) st = ErrnoStatus("fsync", path);
  ::close(fd);
  return st;
}

}  // namespace finserve::audit
