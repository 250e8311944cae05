#include "cli/state_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace finserve::cli {
namespace {

namespace fs = std::filesystem;

Result<std::string> ExpandHome(const std::string& path) {
  if (path.empty() || path[0] != '~') return path;
  if (path.size() > 1 && path[1] != '/') return InvalidArgument("--state-dir '" + path + "': only '~/' is expanded");
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] == '\0') {
    return InvalidArgument("--state-dir '" + path + "' needs $HOME, which is not set; give an absolute path");
  }
  return std::string(home) + path.substr(1);
}

bool IsInside(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

Result<std::string> PrepareStateDir(const std::string& configured, const std::string& model_repository, Env* env) {
  FS_ASSIGN_OR_RETURN(std::string expanded, ExpandHome(configured));
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(fs::absolute(expanded, ec), ec);
  if (ec) return InvalidArgument("--state-dir '" + configured + "': " + ec.message());
  if (!model_repository.empty()) {
    const fs::path repository = fs::weakly_canonical(fs::absolute(model_repository, ec), ec);
    if (!ec && IsInside(dir, repository)) {
      return InvalidArgument("--state-dir '" + dir.string() + "' is inside the model repository '" +
                             repository.string() + "'; keep server state (keys, audit log) outside it");
    }
  }
  if (!env->IsDirectory(dir.string())) FS_RETURN_IF_ERROR(env->CreateDirectories(dir.string(), 0700));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return Internal("cannot stat state directory '" + dir.string() + "'");
  if (st.st_uid != ::geteuid()) {
    return FailedPrecondition("state directory '" + dir.string() + "' belongs to another user (uid " +
                              std::to_string(st.st_uid) + "); it holds the key store");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return FailedPrecondition("state directory '" + dir.string() + "' has mode " + mode +
                              "; it holds the key store, so only its owner may use it: chmod 700 '" + dir.string() + "'");
  }
  return dir.string();
}

}  // namespace finserve::cli
