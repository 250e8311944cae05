// LazyDeadline on a real io_context: a deadline left to pass closes (calls on_expired, never early),
// one kept moving by a busy connection never does, a shorter deadline than the pending wait takes
// effect, and a gone connection is never called. Waits are bounded by run_for; only lower bounds of
// time are asserted.
#include "http/lazy_deadline.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace finserve::http {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace net = boost::asio;

struct Fixture {
  net::io_context ioc{1};
  std::shared_ptr<int> owner = std::make_shared<int>(0);
  LazyDeadline deadline{ioc.get_executor()};
  int expired = 0;
  Clock::time_point expired_at;

  Fixture() {
    deadline.Bind(owner, [this] {
      ++expired;
      expired_at = Clock::now();
      ioc.stop();
    });
  }
};

TEST(LazyDeadlineTest, ExpiresOnceTheDeadlinePassesNotBefore) {
  Fixture f;
  const auto start = Clock::now();
  f.deadline.Set(milliseconds(200), milliseconds(50));  // several ticks before the deadline
  f.ioc.run_for(std::chrono::seconds(20));
  ASSERT_EQ(f.expired, 1);
  EXPECT_GE(f.expired_at - start, milliseconds(200));
}

TEST(LazyDeadlineTest, ADeadlineKeptMovingNeverExpiresAndClearStopsIt) {
  Fixture f;
  const milliseconds timeout(500);
  f.deadline.Set(timeout, timeout);
  // A busy connection: a new phase every 30 ms for four timeouts, then no phase at all.
  net::steady_timer pace(f.ioc);
  const auto start = Clock::now();
  std::function<void()> step = [&] {
    if (Clock::now() - start > 4 * timeout) {
      f.deadline.Clear();
      return;
    }
    f.deadline.Set(timeout, timeout);
    pace.expires_after(milliseconds(30));
    pace.async_wait([&](boost::system::error_code) { step(); });
  };
  step();
  f.ioc.run_for(8 * timeout);  // the busy phase, then idle timer wake-ups with nothing to expire
  EXPECT_EQ(f.expired, 0);
}

TEST(LazyDeadlineTest, AShorterDeadlineThanThePendingWaitTakesEffect) {
  Fixture f;
  f.deadline.Set(std::chrono::hours(1), std::chrono::hours(1));
  f.deadline.Set(milliseconds(50), std::chrono::hours(1));  // e.g. a TLS shutdown's bound
  f.ioc.run_for(std::chrono::seconds(20));
  EXPECT_EQ(f.expired, 1) << "the hour-long wait was not re-armed for the shorter deadline";
}

TEST(LazyDeadlineTest, AConnectionThatIsGoneIsNeverCalled) {
  Fixture f;
  f.deadline.Set(milliseconds(50), milliseconds(50));
  f.owner.reset();
  f.ioc.run_for(milliseconds(500));
  EXPECT_EQ(f.expired, 0);
}

TEST(LazyDeadlineTest, ExpiresAgainAfterBeingClearedAndSetAnew) {
  Fixture f;
  f.deadline.Set(milliseconds(50), milliseconds(50));
  f.deadline.Clear();
  f.ioc.run_for(milliseconds(300));  // the pending wait wakes, finds no phase, stays unarmed
  EXPECT_EQ(f.expired, 0);
  f.ioc.restart();
  f.deadline.Set(milliseconds(50), milliseconds(50));
  f.ioc.run_for(std::chrono::seconds(20));
  EXPECT_EQ(f.expired, 1);
}

}  // namespace
}  // namespace finserve::http
