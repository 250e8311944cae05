// The files of one audit log directory: `audit-YYYYMMDD-<first seq, 12 digits>.jsonl`, one per
// UTC day and size limit, in chain order. Files are read whole and split into lines with their
// byte offsets, so every reader (writer recovery, verifier, show) reports the same positions.
// A file may end with a run of NUL bytes: space the writer reserved ahead of its records
// (preallocator.h), trimmed when it leaves the file. SplitLines ignores that trailing run; a NUL
// byte anywhere before the file's last non-NUL byte is part of a line and makes it unreadable.
// Pure functions over the file system; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace finserve::audit {

struct LogFile {
  std::string name;  // "audit-20261122-000000000001.jsonl"
  std::string path;
  uint64_t first_seq = 0;
};

// Log files in `directory`, ordered by first seq. Other entries are ignored.
Result<std::vector<LogFile>> ListLogFiles(const std::string& directory);

std::string LogFileName(int64_t unix_micros, uint64_t first_seq);
// 20261122 for a time.
int64_t UtcDay(int64_t unix_micros);

struct Line {
  std::string_view text;  // without the newline
  uint64_t offset = 0;    // of its first byte in the file
  int64_t number = 0;     // 1-based
  bool complete = false;  // ended by a newline
};
// The lines of `contents` up to its reserved tail (see above).
std::vector<Line> SplitLines(std::string_view contents);
// Where a file's data ends: after its last non-NUL byte (0 when it holds only NUL bytes).
uint64_t DataEnd(std::string_view contents);

}  // namespace finserve::audit
