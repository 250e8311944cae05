#include "repository/poller.h"

#include <chrono>

#include "core/log.h"
#include "core/thread_pool.h"

namespace finserve::repository {

RepositoryPoller::RepositoryPoller(ModelManager* manager, int64_t interval_ms)
    : manager_(manager), interval_ms_(interval_ms) {}

RepositoryPoller::~RepositoryPoller() { Stop(); }

void RepositoryPoller::Start() {
  Status s = manager_->ReconcileAll();
  if (!s.ok()) FS_LOG(kWarn, "repository_scan").With("status", s.ToString());
  thread_ = std::thread([this] {
    NameCurrentThread("repo-poller");
    Loop();
  });
}

void RepositoryPoller::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RepositoryPoller::Loop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stop_; })) {
    lock.unlock();
    // Errors are already logged per model, with reasons, by the manager.
    (void)manager_->ReconcileAll();
    lock.lock();
  }
}

}  // namespace finserve::repository
