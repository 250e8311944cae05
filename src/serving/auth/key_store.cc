#include "serving/auth/key_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "serving/auth/glob.h"

namespace finserve::serving::auth {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS keys (
  name TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('key', 'subject')),
  key_sha256 BLOB UNIQUE,
  subject TEXT,
  scopes TEXT NOT NULL,
  models TEXT NOT NULL DEFAULT '',
  rate_per_s REAL NOT NULL DEFAULT 0,
  burst INTEGER NOT NULL DEFAULT 0,
  expires_unix_s INTEGER,
  created_unix_s INTEGER NOT NULL,
  revoked_unix_s INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS active_subjects ON keys(subject)
  WHERE subject IS NOT NULL AND revoked_unix_s IS NULL;
)sql";

// One prepared statement; finalized on scope exit.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  sqlite3_stmt* get() { return stmt_; }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t value) { sqlite3_bind_int64(stmt_, i, value); }
  void Bind(int i, double value) { sqlite3_bind_double(stmt_, i, value); }
  void BindBlob(int i, const uint8_t* data, size_t size) {
    sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT);
  }
  void BindNull(int i) { sqlite3_bind_null(stmt_, i); }
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::optional<int64_t> OptionalInt(int col) {
    if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
    return sqlite3_column_int64(stmt_, col);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_ERROR;
};

Status SqliteError(sqlite3* db, const std::string& path, std::string_view what) {
  return Internal("key store '" + path + "': " + std::string(what) + ": " + sqlite3_errmsg(db));
}

// SQLite creates files with 0644; the key store is created 0600 before SQLite opens it.
Status CreatePrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    ::close(fd);
    return Status::Ok();
  }
  if (errno == EEXIST) return Status::Ok();
  return PermissionDenied("cannot create key store '" + path + "': " + std::strerror(errno));
}

std::string JoinGlobs(const std::vector<std::string>& globs) {
  std::string out;
  for (const auto& g : globs) out += (out.empty() ? "" : ",") + g;
  return out;
}

Result<KeyRecord> ReadRecord(Statement& s, const std::string& path) {
  KeyRecord r;
  r.name = s.Text(0);
  r.kind = s.Text(1) == "subject" ? KeyRecord::Kind::kClientSubject : KeyRecord::Kind::kApiKey;
  if (r.kind == KeyRecord::Kind::kApiKey) {
    if (sqlite3_column_bytes(s.get(), 2) != static_cast<int>(r.hash.size())) {
      return DataLoss("key store '" + path + "': key '" + r.name + "' has a damaged hash");
    }
    std::memcpy(r.hash.data(), sqlite3_column_blob(s.get(), 2), r.hash.size());
  }
  r.subject = s.Text(3);
  auto scopes = ScopeSet::Parse(s.Text(4));
  if (!scopes.ok()) return DataLoss("key store '" + path + "': key '" + r.name + "': " + scopes.status().message());
  r.scopes = *scopes;
  auto globs = ParseGlobList(s.Text(5));
  if (!globs.ok()) return DataLoss("key store '" + path + "': key '" + r.name + "': " + globs.status().message());
  r.model_globs = std::move(*globs);
  r.rate.per_second = sqlite3_column_double(s.get(), 6);
  r.rate.burst = sqlite3_column_int64(s.get(), 7);
  r.expires_unix_s = s.OptionalInt(8);
  r.created_unix_s = sqlite3_column_int64(s.get(), 9);
  r.revoked_unix_s = s.OptionalInt(10);
  return r;
}

Status ValidateNewKey(const NewKey& k, int64_t now_s) {
  FS_RETURN_IF_ERROR(ValidateKeyName(k.name));
  if (k.scopes.empty()) return InvalidArgument("a key needs at least one scope");
  for (const auto& g : k.model_globs) FS_RETURN_IF_ERROR(ValidateGlob(g));
  if (k.rate.per_second < 0 || k.rate.burst < 0) return InvalidArgument("rate and burst must not be negative");
  if (k.rate.per_second > 0 && k.rate.burst < 1) return InvalidArgument("a rate limit needs a burst of at least 1");
  if (k.rate.per_second == 0 && k.rate.burst > 0) return InvalidArgument("a burst needs a rate (--rate)");
  if (k.expires_unix_s && *k.expires_unix_s <= now_s) {
    return InvalidArgument("the expiry " + FormatUtcSeconds(*k.expires_unix_s) + " is already in the past");
  }
  if (k.subject.size() > 1024) return InvalidArgument("a certificate subject longer than 1024 characters");
  return Status::Ok();
}

}  // namespace

Status ValidateKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) return InvalidArgument("a key name must have 1 to 64 characters");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || c == '.';
    if (!ok) {
      return InvalidArgument("key name '" + std::string(name) + "' may only use A-Z a-z 0-9 _ - .");
    }
  }
  return Status::Ok();
}

Result<int64_t> ParseUtcTime(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  const char* end = nullptr;
  if (s.size() == 10) {
    end = strptime(s.c_str(), "%Y-%m-%d", &tm);
  } else if (s.size() == 20 && s.back() == 'Z') {
    end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  if (end == nullptr || *end != '\0') {
    return InvalidArgument("'" + s + "' is not a UTC date (2027-01-01) or time (2027-01-01T12:00:00Z)");
  }
  return static_cast<int64_t>(timegm(&tm));
}

std::string FormatUtcSeconds(int64_t unix_s) {
  const std::time_t t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& path, Env* env) {
  FS_RETURN_IF_ERROR(CreatePrivateFile(path));
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<KeyStore> store(new KeyStore(path, env, db));
  if (rc != SQLITE_OK) return SqliteError(db, path, "cannot open");
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  Statement version(db, "PRAGMA user_version");
  if (!version.ok() || version.Step() != SQLITE_ROW) {
    return InvalidArgument("'" + path + "' is not a finserve key store (not an SQLite database)");
  }
  const int64_t user_version = sqlite3_column_int64(version.get(), 0);
  if (user_version > kSchemaVersion) {
    return FailedPrecondition("key store '" + path + "' has schema version " + std::to_string(user_version) +
                              ", newer than this finserve understands (" + std::to_string(kSchemaVersion) + ")");
  }
  if (user_version < kSchemaVersion) {
    FS_RETURN_IF_ERROR(store->Exec(kSchema));
    FS_RETURN_IF_ERROR(store->Exec("PRAGMA user_version = 1"));
  }
  return store;
}

KeyStore::~KeyStore() { sqlite3_close_v2(db_); }

Status KeyStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return Internal("key store '" + path_ + "': " + message);
  }
  return Status::Ok();
}

Result<std::string> KeyStore::Create(const NewKey& k) {
  const int64_t now_s = env_->NowUnixMicros() / 1'000'000;
  FS_RETURN_IF_ERROR(ValidateNewKey(k, now_s));
  std::string key;
  if (k.subject.empty()) {
    FS_ASSIGN_OR_RETURN(key, GenerateApiKey());
  }
  std::lock_guard lock(mu_);
  Statement s(db_,
              "INSERT INTO keys (name, kind, key_sha256, subject, scopes, models, rate_per_s, burst, "
              "expires_unix_s, created_unix_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!s.ok()) return SqliteError(db_, path_, "cannot prepare insert");
  s.Bind(1, k.name);
  s.Bind(2, std::string_view(k.subject.empty() ? "key" : "subject"));
  if (k.subject.empty()) {
    const KeyHash hash = HashApiKey(key);
    s.BindBlob(3, hash.data(), hash.size());
    s.BindNull(4);
  } else {
    s.BindNull(3);
    s.Bind(4, k.subject);
  }
  s.Bind(5, k.scopes.ToString());
  s.Bind(6, JoinGlobs(k.model_globs));
  s.Bind(7, k.rate.per_second);
  s.Bind(8, k.rate.burst);
  if (k.expires_unix_s) s.Bind(9, *k.expires_unix_s);
  else s.BindNull(9);
  s.Bind(10, now_s);
  const int rc = s.Step();
  if (rc == SQLITE_CONSTRAINT) {
    return AlreadyExists(k.subject.empty() ? "a key named '" + k.name + "' already exists (names are never reused, "
                                             "even after revocation; pick another)"
                                           : "a key named '" + k.name + "' or an active grant for subject '" +
                                                 k.subject + "' already exists");
  }
  if (rc != SQLITE_DONE) return SqliteError(db_, path_, "cannot add key '" + k.name + "'");
  return key;
}

Status KeyStore::Revoke(const std::string& name) {
  std::lock_guard lock(mu_);
  Statement find(db_, "SELECT revoked_unix_s FROM keys WHERE name = ?1");
  if (!find.ok()) return SqliteError(db_, path_, "cannot prepare lookup");
  find.Bind(1, name);
  if (find.Step() != SQLITE_ROW) return NotFound("no key named '" + name + "' in " + path_);
  if (auto revoked = find.OptionalInt(0)) {
    return FailedPrecondition("key '" + name + "' was already revoked at " + FormatUtcSeconds(*revoked));
  }
  Statement s(db_, "UPDATE keys SET revoked_unix_s = ?1 WHERE name = ?2 AND revoked_unix_s IS NULL");
  if (!s.ok()) return SqliteError(db_, path_, "cannot prepare revoke");
  s.Bind(1, env_->NowUnixMicros() / 1'000'000);
  s.Bind(2, name);
  if (s.Step() != SQLITE_DONE) return SqliteError(db_, path_, "cannot revoke '" + name + "'");
  return Status::Ok();
}

Result<std::vector<KeyRecord>> KeyStore::List() {
  std::lock_guard lock(mu_);
  Statement s(db_,
              "SELECT name, kind, key_sha256, subject, scopes, models, rate_per_s, burst, expires_unix_s, "
              "created_unix_s, revoked_unix_s FROM keys ORDER BY created_unix_s, name");
  if (!s.ok()) return SqliteError(db_, path_, "cannot prepare listing");
  std::vector<KeyRecord> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    FS_ASSIGN_OR_RETURN(KeyRecord r, ReadRecord(s, path_));
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return SqliteError(db_, path_, "cannot read keys");
  return out;
}

Result<int64_t> KeyStore::DataVersion() {
  std::lock_guard lock(mu_);
  Statement s(db_, "PRAGMA data_version");
  if (!s.ok() || s.Step() != SQLITE_ROW) return SqliteError(db_, path_, "cannot read data_version");
  return sqlite3_column_int64(s.get(), 0);
}

}  // namespace finserve::serving::auth
