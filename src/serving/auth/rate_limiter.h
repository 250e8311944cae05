// RateLimiter: one token bucket per principal name. A bucket holds at most `burst` tokens and
// refills at `per_second`; a request takes one token or is refused with the whole seconds until
// one will be there (HTTP's Retry-After). The limit is read from the principal on every call, so a
// changed key takes effect at once and keeps the tokens it had (capped at the new burst).
// Time comes from the caller (microseconds, monotonic). Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "serving/auth/principal.h"

namespace finserve::serving::auth {

class RateLimiter {
 public:
  // True and one token taken, or false with *retry_after_s >= 1.
  bool TryAcquire(std::string_view principal, const RateLimit& limit, int64_t now_micros, int64_t* retry_after_s);
  // Forgets buckets of principals not in use any more (after the key table changes).
  template <typename Keep>
  void RetainIf(Keep keep) {
    std::lock_guard lock(mu_);
    std::erase_if(buckets_, [&](const auto& entry) { return !keep(entry.first); });
  }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_micros = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace finserve::serving::auth
