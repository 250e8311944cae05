// ThreadPool: a fixed set of worker threads draining one FIFO queue.
//
// Schedule() never blocks; the destructor finishes queued tasks, then joins. ParallelFor() splits
// a range into chunks, runs them on the workers and the calling thread, and returns when all are
// done (so it must not be called from a pool worker of the same pool with all workers busy).
// Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace finserve {

// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it (Linux keeps 15 bytes).
void NameCurrentThread(std::string_view name);
// Makes the calling thread one that does not preempt others when it wakes up (Linux SCHED_BATCH,
// same priority otherwise): for a background thread that serves many requests at once, so that a
// request thread that wakes it finishes the work it has at hand first. False if the OS refused.
bool MakeCurrentThreadBatch();

class ThreadPool {
 public:
  ThreadPool(int num_threads, std::string name);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Schedule(std::function<void()> task);

  // Calls fn(begin, end) on disjoint chunks covering [0, n), each at least `min_chunk` long
  // (except the last), using at most num_threads() + 1 threads. Blocks until all chunks ran.
  void ParallelFor(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn);

  int num_threads() const { return static_cast<int>(workers_.size()); }
  const std::string& name() const { return name_; }

  // Default size for pools that share the machine: hardware threads, at least 1.
  static int DefaultThreadCount();

 private:
  void WorkerLoop();

  std::string name_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace finserve
