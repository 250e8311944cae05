#include "audit/log_files.h"

#include <algorithm>
#include <charconv>
#include <ctime>

#include "core/env.h"

namespace finserve::audit {
namespace {

constexpr std::string_view kPrefix = "audit-";
constexpr std::string_view kSuffix = ".jsonl";

bool ParseName(std::string_view name, uint64_t* first_seq) {
  // audit-YYYYMMDD-NNNNNNNNNNNN.jsonl
  if (name.size() < kPrefix.size() + 9 + 1 + kSuffix.size() || name.substr(0, kPrefix.size()) != kPrefix ||
      name.substr(name.size() - kSuffix.size()) != kSuffix || name[kPrefix.size() + 8] != '-') {
    return false;
  }
  const std::string_view seq = name.substr(kPrefix.size() + 9, name.size() - kPrefix.size() - 9 - kSuffix.size());
  auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), *first_seq);
  return ec == std::errc() && end == seq.data() + seq.size();
}

}  // namespace

Result<std::vector<LogFile>> ListLogFiles(const std::string& directory) {
  Env* env = Env::Default();
  if (!env->IsDirectory(directory)) return NotFound("audit log directory " + directory + " does not exist");
  FS_ASSIGN_OR_RETURN(auto names, env->ListDirectory(directory));
  std::vector<LogFile> files;
  for (const auto& name : names) {
    LogFile f;
    if (!ParseName(name, &f.first_seq)) continue;
    f.name = name;
    f.path = directory + "/" + name;
    files.push_back(std::move(f));
  }
  std::stable_sort(files.begin(), files.end(), [](const LogFile& a, const LogFile& b) { return a.first_seq < b.first_seq; });
  return files;
}

int64_t UtcDay(int64_t unix_micros) {
  const time_t seconds = static_cast<time_t>(unix_micros / 1'000'000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  return (utc.tm_year + 1900) * 10000 + (utc.tm_mon + 1) * 100 + utc.tm_mday;
}

std::string LogFileName(int64_t unix_micros, uint64_t first_seq) {
  std::string seq = std::to_string(first_seq);
  if (seq.size() < 12) seq.insert(0, 12 - seq.size(), '0');
  return std::string(kPrefix) + std::to_string(UtcDay(unix_micros)) + "-" + seq + std::string(kSuffix);
}

uint64_t DataEnd(std::string_view contents) {
  const size_t last = contents.find_last_not_of('\0');
  return last == std::string_view::npos ? 0 : last + 1;
}

std::vector<Line> SplitLines(std::string_view contents) {
  contents = contents.substr(0, DataEnd(contents));
  std::vector<Line> lines;
  size_t start = 0;
  int64_t number = 0;
  while (start < contents.size()) {
    const size_t nl = contents.find('\n', start);
    Line line;
    line.offset = start;
    line.number = ++number;
    line.complete = nl != std::string_view::npos;
    const size_t end = line.complete ? nl : contents.size();
    line.text = contents.substr(start, end - start);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

}  // namespace finserve::audit
