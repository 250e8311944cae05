// AccessController: authentication (who is calling) and authorization (may they do this, now).
//
//   Authenticate: "Authorization: Bearer <key>" -> the key's Principal; else a verified TLS client
//                 certificate subject -> the grant's Principal. Unauthenticated (401) for a missing,
//                 malformed, unknown, revoked or expired key; PermissionDenied (403) for a verified
//                 certificate without an active grant. With authentication off, the anonymous
//                 principal (every scope and model).
//   Authorize:    PermissionDenied (403) when the principal lacks the route's scope or the model
//                 matches none of its globs; ResourceExhausted (429) with a Retry-After when its
//                 token bucket is empty.
//
// Keys live in the KeyStore; the controller serves from an in-memory snapshot and never reads
// the disk on a request. A background thread checks every `refresh_interval_ms` whether another
// process committed to the store (SQLite's data_version, or a replaced file) and swaps in a new
// snapshot, so a revoked key stops working within a second without a restart. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "serving/auth/key_store.h"
#include "serving/auth/principal.h"
#include "serving/auth/rate_limiter.h"

namespace finserve::serving::auth {

struct AccessOptions {
  bool enabled = true;
  std::string key_store_path;        // required when enabled
  int64_t refresh_interval_ms = 200;
  Env* env = Env::Default();
};

struct Credentials {
  std::string_view authorization;   // the Authorization header's value; "" when absent
  std::string_view client_subject;  // a verified TLS client certificate's subject; "" when none
};

// What a reload changed, by key name (for the log).
struct KeyChanges {
  std::vector<std::string> added, revoked, changed;
  size_t active = 0;
  bool empty() const { return added.empty() && revoked.empty() && changed.empty(); }
};

class AccessController {
 public:
  static Result<std::unique_ptr<AccessController>> Create(AccessOptions options);
  ~AccessController();

  bool enabled() const { return options_.enabled; }
  Result<std::shared_ptr<const Principal>> Authenticate(const Credentials& credentials) const;
  Status Authorize(const Principal& principal, Scope scope, std::string_view model, int64_t* retry_after_s) const;

  // Re-reads the key store now (SIGHUP, tests); the background refresh calls it on change.
  Result<KeyChanges> Reload();
  size_t active_keys() const;

  struct Table;

 private:
  explicit AccessController(AccessOptions options);
  void RefreshLoop();
  Result<KeyChanges> RefreshIfChanged();
  // These run under reload_mu_.
  Result<bool> StoreChangedLocked();
  Result<KeyChanges> ReloadLocked();

  AccessOptions options_;
  std::unique_ptr<KeyStore> store_;
  mutable std::mutex table_mu_;
  std::shared_ptr<const Table> table_;
  mutable RateLimiter limiter_;
  std::mutex reload_mu_;  // one reload at a time; guards store_, data_version_, file_identity_
  int64_t data_version_ = -1;
  uint64_t file_identity_ = 0;
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread refresher_;
};

// One "keys_reloaded" log line listing what changed.
void LogKeyChanges(const KeyChanges& changes, std::string_view reason);

// "key 'app'" or "client certificate 'CN=app'" (for messages).
std::string DescribePrincipal(const Principal& principal);

}  // namespace finserve::serving::auth
