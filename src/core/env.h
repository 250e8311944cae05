// Env: the world as seen by finserve (files, clocks). Code takes an Env* instead of calling the
// OS directly, so tests can substitute time or a failing disk. Env::Default() is the real OS and
// lives for the whole process. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace finserve {

class Env {
 public:
  virtual ~Env() = default;
  static Env* Default();

  // Whole file as bytes. NotFound if it does not exist; the message names the path.
  virtual Result<std::string> ReadFile(const std::string& path) const;
  // Writes to "<path>.tmp-<pid>", fsyncs, then renames over `path`: readers see old or new, never half.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view contents) const;
  // Entry names (not paths) in `path`, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& path) const;
  virtual bool FileExists(const std::string& path) const;
  virtual bool IsDirectory(const std::string& path) const;
  // Creates `path` and missing parents with `mode` (for new directories only).
  virtual Status CreateDirectories(const std::string& path, unsigned mode = 0755) const;

  // Monotonic time (for durations and deadlines).
  virtual int64_t NowMicros() const;
  // Wall-clock time since the Unix epoch (for records and logs).
  virtual int64_t NowUnixMicros() const;
};

// "2026-11-22T10:00:00.123456Z"
std::string FormatUtcMicros(int64_t unix_micros);

}  // namespace finserve
