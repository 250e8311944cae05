// Preallocator: keeps zero-filled, allocated and durable space ahead of the data end of the audit
// log file being written, so that a batch of records lands in blocks that already exist and
// already hold zeros, and its fdatasync writes only the data: not the file's size, not new block
// mappings (on ext4 this roughly halves the kernel time and the wait of each fdatasync; see
// docs/performance.md, "Audit log overhead per decision").
//
// A background thread extends the attached file in chunks of zeros (kChunkBytes, or the margin when
// smaller) written through the page cache, then writes each chunk back (sync_file_range) and
// fdatasyncs it itself, so the writer's fdatasync finds no dirty zero pages and no changed size. The zero pages stay in the
// page cache, clean, so a record that covers part of a page needs no read from disk. It keeps up
// to `margin_bytes` ahead of the highest offset the writer has claimed, and stops at `limit_bytes`
// (the file's rotation size). The file therefore ends with a run of NUL bytes (its reserved tail);
// the writer trims it (TrimReservedTail) when it leaves the file, and readers ignore it
// (log_files.h).
//
// The writer calls Claim(offset, bytes) before each write. The answer says whether the range lies
// in ready space (zeros already durable); either way, once Claim returns, the filler never writes
// into that range. Claim waits only while a chunk's pwrite(2) of zeros overlapping the range is in
// progress (a memory copy of one chunk; never a write-back or an fdatasync). When the filler falls
// behind (a batch larger than the margin, a slow disk), the writer writes past the ready space as
// a plain append would and the filler resumes beyond it. Filling never fails a record: an error
// (ENOSPC, EIO) is logged once (audit_preallocate_failed) and filling stops for that file.
//
// Ownership: Attach takes its own duplicate of the descriptor; the caller keeps and closes its own.
// Thread-safety: Attach, Claim and Detach come from one writer thread (the log's flusher) or with
// the writer stopped; counters() from any thread; the filler thread is internal.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"

namespace finserve::audit {

class Preallocator {
 public:
  static constexpr uint64_t kChunkBytes = 256 << 10;

  struct Counters {
    uint64_t ready_writes = 0;    // batches written entirely into ready (durable zero) space
    uint64_t unready_writes = 0;  // batches that went past it (the filler was behind)
    uint64_t chunks = 0;          // chunks of zeros made durable
    uint64_t claim_waits = 0;     // claims that waited for a chunk's pwrite in progress
  };

  Preallocator(uint64_t margin_bytes, uint64_t limit_bytes);
  ~Preallocator();
  Preallocator(const Preallocator&) = delete;
  Preallocator& operator=(const Preallocator&) = delete;

  // Starts filling the file open as `fd` (writable) from `data_end`, which must be its size.
  void Attach(int fd, const std::string& path, uint64_t data_end);
  // The writer is about to write [offset, offset + bytes). True when that range is ready space.
  bool Claim(uint64_t offset, uint64_t bytes);
  // Stops filling the attached file (waits for a pwrite in progress); the file is the caller's alone.
  void Detach();
  Counters counters() const;

 private:
  struct Chunk {
    std::shared_ptr<const int> fd;  // the filler's duplicate; closed when the last user lets go
    std::string path;
    uint64_t generation = 0;
    uint64_t begin = 0;
    uint64_t end = 0;
  };

  void FillLoop();
  // Whether the margin ahead of the claimed end has room for a chunk (the filler has work).
  bool HasWorkLocked() const;
  // The next chunk to fill, or false when there is nothing to do.
  bool NextChunkLocked(Chunk* chunk);
  // Writes, writes back and syncs one chunk; publishes it as ready if its file is still attached.
  void FillChunk(const Chunk& chunk, std::unique_lock<std::mutex>& lock);
  void FailLocked(const Chunk& chunk, const char* step, int error);

  const uint64_t margin_bytes_;
  const uint64_t limit_bytes_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const int> fd_;  // null when detached
  std::string path_;
  uint64_t generation_ = 0;        // bumped by Attach and Detach
  bool failed_ = false;            // filling stopped for the attached file
  uint64_t claimed_end_ = 0;       // highest end the writer has claimed
  uint64_t filled_end_ = 0;        // end of the zeros written so far (ready or not)
  uint64_t ready_begin_ = 0;       // [ready_begin_, ready_end_): durable zeros
  uint64_t ready_end_ = 0;
  bool writing_ = false;           // a chunk's pwrite of zeros is in progress from writing_begin_
  uint64_t writing_begin_ = 0;
  Counters counters_;
  bool stop_ = false;
  std::thread filler_;
};

// Cuts the file open as `fd` back to `data_end` when it is longer (its reserved tail), and fsyncs.
Status TrimReservedTail(int fd, const std::string& path, uint64_t data_end);
// The same for a file by name (recovery); also for cutting a torn record.
Status TruncateFile(const std::string& path, uint64_t size);

}  // namespace finserve::audit
