#include "serving/auth/access_controller.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>

#include "core/log.h"
#include "core/thread_pool.h"
#include "serving/auth/glob.h"

namespace finserve::serving::auth {

struct AccessController::Table {
  struct Entry {
    KeyRecord record;
    std::shared_ptr<const Principal> principal;
  };
  // API keys by the first 8 bytes of their hash; the whole hash is then compared in constant time.
  // (A lookup's timing can reveal only a prefix of the hash of what the caller sent, not a key.)
  std::unordered_map<uint64_t, std::vector<Entry>> keys;
  std::unordered_map<std::string, Entry> subjects;  // the active grant, else the latest revoked one
  std::map<std::string, KeyRecord> by_name;         // for change reports
  size_t active = 0;
};

namespace {

uint64_t HashPrefix(const KeyHash& hash) {
  uint64_t prefix = 0;
  std::memcpy(&prefix, hash.data(), sizeof prefix);
  return prefix;
}

std::shared_ptr<const Principal> MakePrincipal(const KeyRecord& r) {
  auto p = std::make_shared<Principal>();
  p->name = r.kind == KeyRecord::Kind::kApiKey ? r.name : r.subject;
  p->source = r.kind == KeyRecord::Kind::kApiKey ? PrincipalSource::kKey : PrincipalSource::kClientCert;
  p->scopes = r.scopes;
  p->model_globs = r.model_globs;
  p->rate = r.rate;
  return p;
}

std::shared_ptr<const AccessController::Table> BuildTable(std::vector<KeyRecord> records) {
  auto table = std::make_shared<AccessController::Table>();
  for (KeyRecord& r : records) {
    AccessController::Table::Entry entry{r, MakePrincipal(r)};
    if (!r.revoked_unix_s) ++table->active;
    if (r.kind == KeyRecord::Kind::kApiKey) {
      table->keys[HashPrefix(r.hash)].push_back(entry);
    } else {
      auto it = table->subjects.find(r.subject);
      if (it == table->subjects.end() || !r.revoked_unix_s) table->subjects.insert_or_assign(r.subject, entry);
    }
    table->by_name.emplace(r.name, std::move(r));
  }
  return table;
}

bool SameGrant(const KeyRecord& a, const KeyRecord& b) {
  return a.scopes == b.scopes && a.model_globs == b.model_globs && a.rate == b.rate &&
         a.expires_unix_s == b.expires_unix_s;
}

KeyChanges Compare(const AccessController::Table* before, const AccessController::Table& after) {
  KeyChanges c;
  c.active = after.active;
  for (const auto& [name, r] : after.by_name) {
    const KeyRecord* old = nullptr;
    if (before) {
      auto it = before->by_name.find(name);
      if (it != before->by_name.end()) old = &it->second;
    }
    const bool active = !r.revoked_unix_s;
    const bool was_active = old && !old->revoked_unix_s;
    if (active && !was_active) c.added.push_back(name);
    else if (!active && was_active) c.revoked.push_back(name);
    else if (active && !SameGrant(*old, r)) c.changed.push_back(name);
  }
  if (before) {
    for (const auto& [name, r] : before->by_name) {
      if (!r.revoked_unix_s && !after.by_name.count(name)) c.revoked.push_back(name);
    }
  }
  return c;
}

Status CheckUsable(const KeyRecord& r, const std::string& what, int64_t now_s, bool cert) {
  auto fail = [cert](std::string message) { return cert ? PermissionDenied(std::move(message)) : Unauthenticated(std::move(message)); };
  if (r.revoked_unix_s) return fail(what + " was revoked at " + FormatUtcSeconds(*r.revoked_unix_s));
  if (r.expired(now_s)) return fail(what + " expired at " + FormatUtcSeconds(*r.expires_unix_s));
  return Status::Ok();
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void LogKeyChanges(const KeyChanges& c, std::string_view reason) {
  FS_LOG(kInfo, "keys_reloaded")
      .With("reason", reason)
      .With("active", static_cast<int64_t>(c.active))
      .With("added", JoinNames(c.added))
      .With("revoked", JoinNames(c.revoked))
      .With("changed", JoinNames(c.changed));
}

std::string DescribePrincipal(const Principal& p) {
  switch (p.source) {
    case PrincipalSource::kKey: return "key '" + p.name + "'";
    case PrincipalSource::kClientCert: return "client certificate '" + p.name + "'";
    case PrincipalSource::kAnonymous: return "anonymous caller";
  }
  return p.name;
}

AccessController::AccessController(AccessOptions options) : options_(std::move(options)) {}

Result<std::unique_ptr<AccessController>> AccessController::Create(AccessOptions options) {
  std::unique_ptr<AccessController> c(new AccessController(std::move(options)));
  if (!c->options_.enabled) return c;
  FS_ASSIGN_OR_RETURN(c->store_, KeyStore::Open(c->options_.key_store_path, c->options_.env));
  {
    std::lock_guard reload(c->reload_mu_);
    FS_ASSIGN_OR_RETURN(bool changed, c->StoreChangedLocked());
    (void)changed;
    FS_ASSIGN_OR_RETURN(KeyChanges initial, c->ReloadLocked());
    (void)initial;
  }
  c->refresher_ = std::thread([raw = c.get()] {
    NameCurrentThread("keys-refresher");
    raw->RefreshLoop();
  });
  return c;
}

AccessController::~AccessController() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

size_t AccessController::active_keys() const {
  std::lock_guard lock(table_mu_);
  return table_ ? table_->active : 0;
}

Result<KeyChanges> AccessController::Reload() {
  if (!options_.enabled) return KeyChanges{};
  std::lock_guard reload(reload_mu_);
  return ReloadLocked();
}

Result<KeyChanges> AccessController::ReloadLocked() {
  FS_ASSIGN_OR_RETURN(std::vector<KeyRecord> records, store_->List());
  std::shared_ptr<const Table> fresh = BuildTable(std::move(records));
  std::shared_ptr<const Table> before;
  {
    std::lock_guard lock(table_mu_);
    before = std::exchange(table_, fresh);
  }
  limiter_.RetainIf([&](const std::string& name) {
    return fresh->by_name.count(name) > 0 || fresh->subjects.count(name) > 0;
  });
  return Compare(before.get(), *fresh);
}

// True when another process committed to the store, or the file was replaced (restored backup).
Result<bool> AccessController::StoreChangedLocked() {
  struct stat st {};
  uint64_t identity = 0;
  if (::stat(options_.key_store_path.c_str(), &st) == 0) {
    identity = (static_cast<uint64_t>(st.st_dev) << 32) ^ static_cast<uint64_t>(st.st_ino);
  }
  if (identity != file_identity_ && identity != 0) {
    // A replaced file: reopen it (on failure the last good keys stay and the next check retries).
    FS_ASSIGN_OR_RETURN(store_, KeyStore::Open(options_.key_store_path, options_.env));
    file_identity_ = identity;
    FS_ASSIGN_OR_RETURN(data_version_, store_->DataVersion());
    return true;
  }
  FS_ASSIGN_OR_RETURN(int64_t version, store_->DataVersion());
  const bool changed = version != data_version_;
  data_version_ = version;
  return changed;
}

Result<KeyChanges> AccessController::RefreshIfChanged() {
  std::lock_guard reload(reload_mu_);
  FS_ASSIGN_OR_RETURN(bool changed, StoreChangedLocked());
  if (!changed) return KeyChanges{};
  return ReloadLocked();
}

void AccessController::RefreshLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.refresh_interval_ms), [this] { return stop_; })) {
    lock.unlock();
    Result<KeyChanges> c = RefreshIfChanged();
    if (!c.ok()) {
      FS_LOG(kError, "key_reload_failed").With("path", options_.key_store_path).With("status", c.status().ToString());
    } else if (!c->empty()) {
      LogKeyChanges(*c, "key store changed");
    }
    lock.lock();
  }
}

Result<std::shared_ptr<const Principal>> AccessController::Authenticate(const Credentials& credentials) const {
  if (!options_.enabled) return Principal::Anonymous();
  std::shared_ptr<const Table> table;
  {
    std::lock_guard lock(table_mu_);
    table = table_;
  }
  const int64_t now_s = options_.env->NowUnixMicros() / 1'000'000;
  if (!credentials.authorization.empty()) {
    FS_ASSIGN_OR_RETURN(std::string_view token, ParseBearerToken(credentials.authorization));
    if (!LooksLikeApiKey(token)) return Unauthenticated("the bearer token is not a finserve API key (fsk_...)");
    const KeyHash hash = HashApiKey(token);
    auto it = table->keys.find(HashPrefix(hash));
    if (it != table->keys.end()) {
      for (const auto& entry : it->second) {
        if (!HashesEqual(entry.record.hash, hash)) continue;
        FS_RETURN_IF_ERROR(CheckUsable(entry.record, "API key '" + entry.record.name + "'", now_s, false));
        return entry.principal;
      }
    }
    return Unauthenticated("unknown API key");
  }
  if (!credentials.client_subject.empty()) {
    const std::string subject(credentials.client_subject);
    auto it = table->subjects.find(subject);
    if (it == table->subjects.end()) {
      return PermissionDenied("client certificate '" + subject +
                              "' has no grant (an operator adds one with: finserve keys create --subject ...)");
    }
    FS_RETURN_IF_ERROR(CheckUsable(it->second.record, "the grant for client certificate '" + subject + "'", now_s, true));
    return it->second.principal;
  }
  return Unauthenticated("no API key: send the header 'Authorization: Bearer <key>' (an operator creates keys "
                         "with 'finserve keys create')");
}

Status AccessController::Authorize(const Principal& p, Scope scope, std::string_view model,
                                   int64_t* retry_after_s) const {
  if (!p.scopes.Has(scope)) {
    return PermissionDenied(DescribePrincipal(p) + " does not have the scope '" + std::string(ScopeName(scope)) +
                            "' (it has: " + p.scopes.ToString() + ")");
  }
  if (!model.empty() && !AnyGlobMatches(p.model_globs, model)) {
    return PermissionDenied(DescribePrincipal(p) + " may not use model '" + std::string(model) +
                            "' (its models: " + JoinNames(p.model_globs) + ")");
  }
  int64_t wait_s = 0;
  if (!limiter_.TryAcquire(p.name, p.rate, options_.env->NowMicros(), &wait_s)) {
    if (retry_after_s) *retry_after_s = wait_s;
    char rate[32];
    std::snprintf(rate, sizeof rate, "%g", p.rate.per_second);
    return ResourceExhausted(DescribePrincipal(p) + " is over its rate limit of " + rate + " requests per second (burst " +
                             std::to_string(p.rate.burst) + "); retry after " + std::to_string(wait_s) + " s");
  }
  return Status::Ok();
}

}  // namespace finserve::serving::auth
