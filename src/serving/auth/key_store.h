// KeyStore: the API keys and client-certificate grants of one server, in an SQLite database
// (<state-dir>/keys.db, mode 0600). A key is stored only as SHA-256 of its text; the text exists
// once, in the return value of Create(). A grant for a TLS client-certificate subject has no key:
// the verified certificate is the credential. Records are never deleted: revoking one stamps it,
// so names stay unique and the audit trail of who could do what stays readable.
//
// `finserve keys` writes through one KeyStore; the server reads through its own and notices
// changes by DataVersion() (SQLite's PRAGMA data_version, which changes when another connection
// commits). Thread-safe (one connection behind a mutex); separate processes may share the file.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "serving/auth/api_key.h"
#include "serving/auth/principal.h"

struct sqlite3;

namespace finserve::serving::auth {

inline constexpr char kKeyStoreFileName[] = "keys.db";

struct KeyRecord {
  enum class Kind { kApiKey, kClientSubject };
  std::string name;
  Kind kind = Kind::kApiKey;
  KeyHash hash{};       // kApiKey
  std::string subject;  // kClientSubject: the certificate subject, RFC 2253 ("CN=app,O=Bank")
  ScopeSet scopes;
  std::vector<std::string> model_globs;  // empty = every model
  RateLimit rate;
  std::optional<int64_t> expires_unix_s;
  int64_t created_unix_s = 0;
  std::optional<int64_t> revoked_unix_s;

  bool expired(int64_t now_unix_s) const { return expires_unix_s && now_unix_s >= *expires_unix_s; }
};

struct NewKey {
  std::string name;
  ScopeSet scopes;
  std::vector<std::string> model_globs;
  RateLimit rate;
  std::optional<int64_t> expires_unix_s;
  std::string subject;  // non-empty: a client-certificate grant instead of a key
};

class KeyStore {
 public:
  // Opens `path`, creating the database (mode 0600) and its schema when absent.
  static Result<std::unique_ptr<KeyStore>> Open(const std::string& path, Env* env = Env::Default());
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  // Adds a key and returns its text, or adds a subject grant and returns "". AlreadyExists when
  // the name was ever used, or an active grant has the same subject.
  Result<std::string> Create(const NewKey& spec);
  // Stamps the record revoked. NotFound for an unknown name; FailedPrecondition if already revoked.
  Status Revoke(const std::string& name);
  // Every record, revoked ones included, by creation time.
  Result<std::vector<KeyRecord>> List();
  // Changes whenever another connection has committed since the last call.
  Result<int64_t> DataVersion();

  const std::string& path() const { return path_; }

 private:
  KeyStore(std::string path, Env* env, sqlite3* db) : path_(std::move(path)), env_(env), db_(db) {}
  Status Exec(const char* sql);

  std::string path_;
  Env* env_;
  std::mutex mu_;
  sqlite3* db_;
};

// Checks a key name: 1 to 64 characters of A-Z a-z 0-9 _ - .
Status ValidateKeyName(std::string_view name);
// "2027-01-01" (midnight UTC) or "2027-01-01T12:30:00Z" -> Unix seconds.
Result<int64_t> ParseUtcTime(std::string_view text);
// Unix seconds -> "2027-01-01T00:00:00Z".
std::string FormatUtcSeconds(int64_t unix_s);

}  // namespace finserve::serving::auth
