#include "http/lazy_deadline.h"

#include <algorithm>

#include <boost/system/error_code.hpp>

namespace finserve::http {

void LazyDeadline::Bind(std::weak_ptr<void> owner, std::function<void()> on_expired) {
  owner_ = std::move(owner);
  on_expired_ = std::move(on_expired);
}

void LazyDeadline::Set(std::chrono::milliseconds timeout, std::chrono::milliseconds tick) {
  const auto now = Clock::now();
  deadline_ = now + timeout;
  if (!armed_ || deadline_ < armed_at_) Arm(std::min(deadline_, now + tick), tick);
}

void LazyDeadline::Arm(Clock::time_point at, std::chrono::milliseconds tick) {
  armed_ = true;
  armed_at_ = at;
  const uint64_t generation = ++generation_;
  timer_.expires_at(at);  // cancels a pending wait (its handler sees a stale generation)
  timer_.async_wait([this, generation, tick, owner = owner_](boost::system::error_code) {
    const auto alive = owner.lock();
    if (!alive || generation != generation_) return;  // the connection is gone, or re-armed since
    armed_ = false;
    if (deadline_ == Clock::time_point::max()) return;  // no phase running: the next Set arms
    const auto now = Clock::now();
    if (now >= deadline_) return on_expired_();
    Arm(std::min(deadline_, now + tick), tick);
  });
}

}  // namespace finserve::http
