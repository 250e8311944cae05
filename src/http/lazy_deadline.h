// LazyDeadline: a connection's timeouts without a timer operation per request. The connection only
// stores when its current phase must end (Set) or that none runs (Clear); one steady_timer, armed
// only while no wait is pending, wakes at most every `tick` (the shortest timeout in force),
// re-arms for what is left, or calls `on_expired` once the deadline has passed. Every deadline set
// later is at least `tick` away, so a pending wait never wakes too late; a shorter one (a TLS
// shutdown's, or limits lowered by SIGHUP) re-arms at once. Private to the server (finserve_http);
// used only on the connection's own thread (not thread-safe).
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable needs std::exchange

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace finserve::http {

class LazyDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LazyDeadline(const boost::asio::any_io_executor& executor) : timer_(executor) {}

  // Once, before Set: `on_expired` runs on the connection's thread when a deadline passes, while
  // `owner` (the connection) still exists; a pending wait does not keep it alive.
  void Bind(std::weak_ptr<void> owner, std::function<void()> on_expired);
  // The current phase must end within `timeout`; `tick` is the shortest timeout in force.
  void Set(std::chrono::milliseconds timeout, std::chrono::milliseconds tick);
  void Clear() { deadline_ = Clock::time_point::max(); }

 private:
  void Arm(Clock::time_point at, std::chrono::milliseconds tick);

  boost::asio::steady_timer timer_;
  std::weak_ptr<void> owner_;
  std::function<void()> on_expired_;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point armed_at_;
  uint64_t generation_ = 0;
  bool armed_ = false;
};

}  // namespace finserve::http
