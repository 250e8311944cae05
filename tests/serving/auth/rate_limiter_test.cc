#include <gtest/gtest.h>

#include "serving/auth/rate_limiter.h"

namespace finserve::serving::auth {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(RateLimiterTest, UnlimitedNeverRefuses) {
  RateLimiter limiter;
  int64_t retry = 0;
  for (int i = 0; i < 10000; ++i) ASSERT_TRUE(limiter.TryAcquire("a", RateLimit{}, 0, &retry));
}

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter limiter;
  const RateLimit limit{2.0, 3};  // 2 per second, bucket of 3
  int64_t retry = 0;
  int64_t now = 5 * kSecond;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TryAcquire("a", limit, now, &retry)) << i;
  EXPECT_FALSE(limiter.TryAcquire("a", limit, now, &retry));
  EXPECT_EQ(retry, 1);  // 0.5 s to the next token, rounded up to whole seconds
  now += kSecond / 2;
  EXPECT_TRUE(limiter.TryAcquire("a", limit, now, &retry));
  EXPECT_FALSE(limiter.TryAcquire("a", limit, now, &retry));
  // A long pause refills only up to the burst.
  now += 100 * kSecond;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.TryAcquire("a", limit, now, &retry)) << i;
  EXPECT_FALSE(limiter.TryAcquire("a", limit, now, &retry));
}

TEST(RateLimiterTest, BucketsArePerPrincipal) {
  RateLimiter limiter;
  const RateLimit limit{1.0, 1};
  int64_t retry = 0;
  EXPECT_TRUE(limiter.TryAcquire("a", limit, 0, &retry));
  EXPECT_FALSE(limiter.TryAcquire("a", limit, 0, &retry));
  EXPECT_TRUE(limiter.TryAcquire("b", limit, 0, &retry));
}

TEST(RateLimiterTest, RetryAfterCountsWholeSecondsForSlowRates) {
  RateLimiter limiter;
  const RateLimit limit{0.1, 1};  // one request per 10 s
  int64_t retry = 0;
  EXPECT_TRUE(limiter.TryAcquire("a", limit, 0, &retry));
  EXPECT_FALSE(limiter.TryAcquire("a", limit, 2 * kSecond, &retry));
  EXPECT_EQ(retry, 8);
  const RateLimit tiny{1e-300, 1};
  EXPECT_TRUE(limiter.TryAcquire("t", tiny, 0, &retry));
  EXPECT_FALSE(limiter.TryAcquire("t", tiny, 0, &retry));
  EXPECT_GT(retry, 0);
}

TEST(RateLimiterTest, ChangedLimitKeepsTokensCappedAtTheNewBurst) {
  RateLimiter limiter;
  int64_t retry = 0;
  EXPECT_TRUE(limiter.TryAcquire("a", RateLimit{1.0, 10}, 0, &retry));  // 9 left
  // The key is changed to burst 2: at most 2 tokens remain.
  EXPECT_TRUE(limiter.TryAcquire("a", RateLimit{1.0, 2}, 0, &retry));
  EXPECT_TRUE(limiter.TryAcquire("a", RateLimit{1.0, 2}, 0, &retry));
  EXPECT_FALSE(limiter.TryAcquire("a", RateLimit{1.0, 2}, 0, &retry));
}

}  // namespace
}  // namespace finserve::serving::auth
