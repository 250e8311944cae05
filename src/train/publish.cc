#include "train/publish.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

namespace finserve::train {
namespace {

namespace fs = std::filesystem;

bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name[0] == '.') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  }
  return true;
}

Status WriteSynced(const fs::path& path, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Internal("cannot create " + path.string() + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Internal("cannot write " + path.string() + ": " + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced) return Internal("cannot fsync " + path.string());
  return Status::Ok();
}

void SyncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

int64_t HighestVersion(const fs::path& model_dir) {
  int64_t highest = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(model_dir, ec)) {
    const std::string name = entry.path().filename().string();
    int64_t v = 0;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), v);
    if (err == std::errc() && end == name.data() + name.size() && v > highest) highest = v;
  }
  return highest;
}

// Removes the temporary directory unless released.
class TempDirGuard {
 public:
  explicit TempDirGuard(fs::path path) : path_(std::move(path)) {}
  ~TempDirGuard() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  void Release() { path_.clear(); }

 private:
  fs::path path_;
};

}  // namespace

Result<int64_t> PublishVersion(const std::string& repository, const std::string& model,
                               const std::vector<std::pair<std::string, std::string>>& files) {
  if (!ValidName(model)) return InvalidArgument("'" + model + "' is not a valid model name ([A-Za-z0-9_.-], not starting with '.')");
  const fs::path model_dir = fs::path(repository) / model;
  std::error_code ec;
  fs::create_directories(model_dir, ec);
  if (ec) return Internal("cannot create " + model_dir.string() + ": " + ec.message());
  static std::atomic<uint64_t> counter{0};
  const fs::path temp = model_dir / (".tmp-train-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::create_directory(temp, ec);
  if (ec) return Internal("cannot create " + temp.string() + ": " + ec.message());
  TempDirGuard guard(temp);
  for (const auto& [name, contents] : files) FS_RETURN_IF_ERROR(WriteSynced(temp / name, contents));
  SyncDirectory(temp);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int64_t version = HighestVersion(model_dir) + 1;
    const fs::path target = model_dir / std::to_string(version);
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) == 0) {
      guard.Release();
      SyncDirectory(model_dir);
      return version;
    }
    if (errno != EEXIST && errno != ENOTEMPTY) {
      return Internal("cannot rename " + temp.string() + " to " + target.string() + ": " + std::strerror(errno));
    }
  }
  return Status(StatusCode::kAborted, "could not find a free version number for '" + model + "'");
}

}  // namespace finserve::train
