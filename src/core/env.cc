#include "core/env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace finserve {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string message = what + " '" + path + "': " + std::strerror(err);
  if (err == ENOENT) return NotFound(std::move(message));
  if (err == EACCES || err == EPERM) return PermissionDenied(std::move(message));
  return Internal(std::move(message));
}

}  // namespace

Env* Env::Default() {
  static Env* env = new Env();
  return env;
}

Result<std::string> Env::ReadFile(const std::string& path) const {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path, errno);
  std::string data;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidArgument("'" + path + "' is a directory, not a file");
  }
  if (st.st_size > 0) data.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return ErrnoStatus("cannot read", path, err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return data;
}

Status Env::WriteFileAtomic(const std::string& path, std::string_view contents) const {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create", tmp, errno);
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return ErrnoStatus("cannot write", tmp, err);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("cannot flush", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return ErrnoStatus("cannot rename onto", path, err);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> Env::ListDirectory(const std::string& path) const {
  std::error_code ec;
  std::filesystem::directory_iterator it(path, ec);
  if (ec) return ErrnoStatus("cannot list directory", path, ec.value());
  std::vector<std::string> names;
  for (const auto& entry : it) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool Env::FileExists(const std::string& path) const {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

bool Env::IsDirectory(const std::string& path) const {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status Env::CreateDirectories(const std::string& path, unsigned mode) const {
  std::error_code ec;
  std::filesystem::path p(path);
  std::filesystem::path current;
  for (const auto& part : p) {
    current /= part;
    if (current.empty() || IsDirectory(current.string())) continue;
    if (::mkdir(current.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create directory", current.string(), errno);
    }
  }
  return Status::Ok();
}

int64_t Env::NowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t Env::NowUnixMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Pure arithmetic (std::chrono calendar types, fixed-width digits): every decision record carries
// a time, and glibc's gmtime_r takes a process-wide lock and snprintf parses its format each call.
std::string FormatUtcMicros(int64_t unix_micros) {
  using namespace std::chrono;
  const sys_time<microseconds> t{microseconds(unix_micros)};
  const sys_days day = floor<days>(t);
  const year_month_day ymd(day);
  const hh_mm_ss<microseconds> clock(t - day);
  std::string out = "0000-00-00T00:00:00.000000Z";
  auto put = [&out](size_t at, int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  const int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) return std::to_string(unix_micros) + "us";  // outside what the format can say
  put(0, year, 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, clock.hours().count(), 2);
  put(14, clock.minutes().count(), 2);
  put(17, clock.seconds().count(), 2);
  put(20, clock.subseconds().count(), 6);
  return out;
}

}  // namespace finserve
