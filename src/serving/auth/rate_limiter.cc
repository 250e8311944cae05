#include "serving/auth/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace finserve::serving::auth {

bool RateLimiter::TryAcquire(std::string_view principal, const RateLimit& limit, int64_t now_micros,
                             int64_t* retry_after_s) {
  if (!limit.limited()) return true;
  const double burst = static_cast<double>(std::max<int64_t>(limit.burst, 1));
  std::lock_guard lock(mu_);
  auto [it, fresh] = buckets_.try_emplace(std::string(principal));
  Bucket& b = it->second;
  if (fresh) {
    b.tokens = burst;
  } else {
    const double elapsed_s = static_cast<double>(std::max<int64_t>(now_micros - b.updated_micros, 0)) / 1e6;
    b.tokens = std::min(burst, b.tokens + elapsed_s * limit.per_second);
  }
  b.updated_micros = now_micros;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  constexpr double kMaxWaitS = 86400.0 * 366;  // keeps the cast below defined for tiny rates
  const double wait_s = std::min(kMaxWaitS, (1.0 - b.tokens) / limit.per_second);
  *retry_after_s = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_s)));
  return false;
}

}  // namespace finserve::serving::auth
