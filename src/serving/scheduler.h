// Scheduler: runs validated inference requests on their model version, with a queue per version,
// dynamic batching, a bounded worker pool, backpressure and queue deadlines.
//
//  - Each version has a ModelQueue (owned by its ModelState, so it lives exactly as long as the
//    version) configured by the version's `batching:` section (batching_config.h).
//  - Batching off: a request runs at once on the caller's thread when a compute slot is free and
//    nobody is queued ahead of it (no thread hop, no delay); otherwise it waits in the queue for a
//    worker.
//  - Batching on: requests wait until max_batch_size rows (or a preferred size) are queued or the
//    oldest has waited max_queue_delay_us; a worker then joins compatible requests (same trailing
//    dims and outputs) along the first dimension, runs the model once and splits the outputs by
//    rows. The answers are the same as one by one: bit for bit for tree and linear models, within
//    a documented tolerance where GEMM blocking changes summation order (docs/performance.md).
//  - Backpressure: a full queue (max_queue_size requests) answers Unavailable (503) at once.
//  - Deadlines: a request whose deadline passes while queued is answered DeadlineExceeded (504)
//    and never computed.
//
// Workers: `threads` of them (0 = one per hardware thread); compute slots = threads, shared by
// workers and callers running inline. The destructor answers everything still queued with
// Unavailable and joins the workers. Thread-safe; callbacks run on a worker or the caller's thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "repository/loaded_model.h"
#include "runtime/model.h"
#include "serving/batching_config.h"
#include "serving/explanation.h"
#include "serving/request.h"
#include "serving/serving_metrics.h"

namespace finserve::serving {

using SchedulerClock = std::chrono::steady_clock;

// One request on its way to the model, already routed and validated.
struct ScheduledRequest {
  std::shared_ptr<const repository::LoadedModel> model;  // pins the version
  InferRequest request;                                  // owns the tensors `inputs` views
  std::vector<TensorView> inputs;                        // one per native model input
  std::vector<size_t> output_bindings;                   // answer order (indices into model->outputs())
  runtime::OutputSelection selection;
  ExplainRequestOptions explain;  // explanations are computed per request after the (batched) run
  int64_t rows = 1;
  SchedulerClock::time_point arrived;
  SchedulerClock::time_point deadline = SchedulerClock::time_point::max();
  std::function<void(Result<InferResponse>)> done;
};

class Scheduler;

// A version's queue. Built at load with the version's config; the scheduler's mutex guards it.
class ModelQueue {
 public:
  explicit ModelQueue(BatchingConfig config) : config_(std::move(config)) {}
  const BatchingConfig& config() const { return config_; }

 private:
  friend class Scheduler;
  // When the queue should be served (now if due; max() when empty).
  SchedulerClock::time_point DueTime(SchedulerClock::time_point now) const;

  BatchingConfig config_;
  std::deque<std::unique_ptr<ScheduledRequest>> pending_;
  int64_t pending_rows_ = 0;
  std::atomic<int64_t> size_{0};  // pending_.size(), readable without the lock
  std::once_flag metrics_once_;
  VersionMetrics metrics_;
  bool in_ready_list_ = false;
};

class Scheduler {
 public:
  Scheduler(int threads, ServingMetrics* metrics);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `request` (inline or later); calls request->done exactly once. `queue` may be null
  // (a version loaded without serving state): the request then runs inline.
  void Submit(std::unique_ptr<ScheduledRequest> request, ModelQueue* queue);

  int threads() const { return threads_; }

 private:
  void WorkerLoop();
  ModelQueue* PickDue(SchedulerClock::time_point now, SchedulerClock::time_point* wake);
  std::vector<std::unique_ptr<ScheduledRequest>> TakeBatch(ModelQueue* queue, SchedulerClock::time_point now,
                                                           std::vector<std::unique_ptr<ScheduledRequest>>* expired);
  void RunBatch(ModelQueue* queue, std::vector<std::unique_ptr<ScheduledRequest>> batch);
  void RunOne(ModelQueue* queue, ScheduledRequest& request);
  const VersionMetrics& MetricsOf(ModelQueue* queue, const repository::LoadedModel& model);

  const int threads_;
  ServingMetrics* metrics_;
  std::atomic<int> busy_{0};  // compute slots in use (workers and inline callers)
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ModelQueue*> ready_;  // queues with pending requests, oldest first
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

// The answer for `request` from the model's native outputs (moved out of `native_outputs`), with
// its explanations when it asked for them.
Result<InferResponse> BuildResponse(const ScheduledRequest& request, std::vector<Tensor>* native_outputs);

}  // namespace finserve::serving
