#include "core/thread_pool.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <latch>

namespace finserve {

void NameCurrentThread(std::string_view name) {
  const std::string truncated(name.substr(0, 15));
  pthread_setname_np(pthread_self(), truncated.c_str());
}

bool MakeCurrentThreadBatch() {
  const sched_param param{};
  return pthread_setschedparam(pthread_self(), SCHED_BATCH, &param) == 0;
}

ThreadPool::ThreadPool(int num_threads, std::string name) : name_(std::move(name)) {
  workers_.reserve(static_cast<size_t>(std::max(0, num_threads)));
  for (int i = 0; i < num_threads; ++i) {
    workers_.emplace_back([this, i] {
      NameCurrentThread(name_ + "-" + std::to_string(i));
      WorkerLoop();
    });
  }
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

int ThreadPool::DefaultThreadCount() {
  return std::max(1u, std::thread::hardware_concurrency());
}

void ThreadPool::Schedule(std::function<void()> task) {
  if (workers_.empty()) {  // a zero-thread pool runs inline
    task();
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

void ThreadPool::ParallelFor(int64_t n, int64_t min_chunk,
                             const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  min_chunk = std::max<int64_t>(1, min_chunk);
  const int64_t max_chunks = std::min<int64_t>(num_threads() + 1, (n + min_chunk - 1) / min_chunk);
  if (max_chunks <= 1) {
    fn(0, n);
    return;
  }
  const int64_t chunk = (n + max_chunks - 1) / max_chunks;
  const int64_t chunks = (n + chunk - 1) / chunk;
  std::latch done(chunks - 1);
  for (int64_t c = 1; c < chunks; ++c) {
    const int64_t begin = c * chunk;
    const int64_t end = std::min(n, begin + chunk);
    Schedule([&fn, &done, begin, end] {
      fn(begin, end);
      done.count_down();
    });
  }
  fn(0, std::min(n, chunk));
  done.wait();
}

}  // namespace finserve
