#include "audit/spool.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <random>

#include <nlohmann/json.hpp>

#include "audit/record.h"
#include "core/env.h"
#include "core/log.h"

namespace finserve::audit {
namespace {

constexpr std::string_view kSuffix = ".json";

std::string UniqueName(Env* env) {
  std::random_device rd;
  char name[96];
  std::snprintf(name, sizeof(name), "%020lld-%d-%08x.json", static_cast<long long>(env->NowUnixMicros()),
                static_cast<int>(::getpid()), rd());
  return name;
}

}  // namespace

Status WriteSpoolEntry(const std::string& audit_dir, std::string_view fields) {
  Env* env = Env::Default();
  const std::string dir = audit_dir + "/spool";
  FS_RETURN_IF_ERROR(env->CreateDirectories(dir, 0700));
  return env->WriteFileAtomic(dir + "/" + UniqueName(env), fields);
}

Result<int> IngestSpool(const std::string& audit_dir, AuditLog* log) {
  Env* env = Env::Default();
  const std::string dir = audit_dir + "/spool";
  if (!env->IsDirectory(dir)) return 0;
  FS_ASSIGN_OR_RETURN(auto names, env->ListDirectory(dir));
  int recorded = 0;
  for (const auto& name : names) {
    if (name.size() <= kSuffix.size() || name.substr(name.size() - kSuffix.size()) != kSuffix) continue;
    const std::string path = dir + "/" + name;
    FS_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
    nlohmann::json fields;
    try {
      fields = nlohmann::json::parse(text);
    } catch (const std::exception&) {
      fields = nullptr;
    }
    if (!fields.is_object() || StringMember(fields, "type") != "admin" || fields.contains("seq") ||
        fields.contains("prev") || fields.contains("hash")) {
      FS_RETURN_IF_ERROR(env->CreateDirectories(dir + "/rejected", 0700));
      std::rename(path.c_str(), (dir + "/rejected/" + name).c_str());
      FS_LOG(kError, "audit_spool_rejected").With("file", path).With("reason", "not an admin record object");
      continue;
    }
    fields["spool_file"] = name;
    FS_RETURN_IF_ERROR(log->Commit(fields.dump()).status());
    if (::unlink(path.c_str()) != 0) FS_LOG(kWarn, "audit_spool_unlink_failed").With("file", path);
    ++recorded;
  }
  return recorded;
}

}  // namespace finserve::audit
