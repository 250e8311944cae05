// RepositoryPoller: --model-control poll. Reconciles the whole repository now and then every
// `interval_ms` on its own thread until Stop() (or destruction). Stop() returns promptly: the
// wait is on a condition variable, not a sleep. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "repository/manager.h"

namespace finserve::repository {

class RepositoryPoller {
 public:
  RepositoryPoller(ModelManager* manager, int64_t interval_ms);
  ~RepositoryPoller();
  RepositoryPoller(const RepositoryPoller&) = delete;
  RepositoryPoller& operator=(const RepositoryPoller&) = delete;

  void Start();  // the first scan happens on the calling thread, so Start() returns once it is done
  void Stop();

 private:
  void Loop();

  ModelManager* manager_;
  int64_t interval_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace finserve::repository
