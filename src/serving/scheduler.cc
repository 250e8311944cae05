#include "serving/scheduler.h"

#include <algorithm>
#include <cstring>

#include "core/log.h"
#include "core/thread_pool.h"

namespace finserve::serving {
namespace {

using Clock = SchedulerClock;
using Batch = std::vector<std::unique_ptr<ScheduledRequest>>;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Whether `r` can join a batch led by `first`: same outputs, same dtypes and trailing dims.
bool Compatible(const ScheduledRequest& first, const ScheduledRequest& r) {
  if (r.output_bindings != first.output_bindings || r.inputs.size() != first.inputs.size()) return false;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    const TensorView& a = first.inputs[i];
    const TensorView& b = r.inputs[i];
    if (a.dtype != b.dtype || a.shape.size() != b.shape.size() || a.shape.empty()) return false;
    if (!std::equal(a.shape.begin() + 1, a.shape.end(), b.shape.begin() + 1)) return false;
  }
  return true;
}

// Joins input `index` of every request along the first dimension.
Tensor JoinInput(const Batch& batch, size_t index, int64_t total_rows) {
  const TensorView& first = batch.front()->inputs[index];
  std::vector<int64_t> dims(first.shape.begin(), first.shape.end());
  dims[0] = total_rows;
  Tensor joined = Tensor::Uninitialized(first.dtype, Shape(std::move(dims)));
  auto* out = static_cast<std::byte*>(joined.raw_data());
  for (const auto& r : batch) {
    const TensorView& v = r->inputs[index];
    if (v.byte_size > 0) std::memcpy(out, v.data, v.byte_size);
    out += v.byte_size;
  }
  return joined;
}

// Splits the batch's outputs by rows into per-request outputs; false if an output is not
// batch-major (first dimension != total rows) or not fixed-size, and must be run one by one.
bool SplitOutputs(const Batch& batch, int64_t total_rows, const std::vector<Tensor>& joined,
                  std::vector<std::vector<Tensor>>* per_request) {
  for (const Tensor& t : joined) {
    if (!t.valid()) continue;
    if (t.dtype() == DataType::kBytes || t.shape().dims().empty() || t.shape().dims()[0] != total_rows) return false;
  }
  per_request->assign(batch.size(), std::vector<Tensor>(joined.size()));
  for (size_t o = 0; o < joined.size(); ++o) {
    const Tensor& t = joined[o];
    if (!t.valid()) continue;
    const size_t row_bytes = total_rows == 0 ? 0 : t.byte_size() / static_cast<size_t>(total_rows);
    const auto* in = static_cast<const std::byte*>(t.raw_data());
    for (size_t j = 0; j < batch.size(); ++j) {
      Shape dims = t.shape();
      dims[0] = batch[j]->rows;
      Tensor piece = Tensor::Uninitialized(t.dtype(), std::move(dims));
      const size_t bytes = row_bytes * static_cast<size_t>(batch[j]->rows);
      if (bytes > 0) std::memcpy(piece.raw_data(), in, bytes);
      in += bytes;
      (*per_request)[j][o] = std::move(piece);
    }
  }
  return true;
}

Status ModelError(const Status& s, const repository::LoadedModel& model) {
  return s.WithContext("model '" + model.id().name + "' version " + std::to_string(model.id().version));
}

}  // namespace

Result<InferResponse> BuildResponse(const ScheduledRequest& r, std::vector<Tensor>* native_outputs) {
  const repository::LoadedModel& model = *r.model;
  InferResponse response;
  response.model_name = model.id().name;
  response.model_version = model.id().version;
  response.id = r.request.id;
  response.model_sha256 = model.model_sha256();
  response.config_sha256 = model.config_sha256();
  response.outputs.reserve(r.output_bindings.size());
  for (size_t index : r.output_bindings) {
    const auto& binding = model.outputs()[index];
    if (binding.native_index >= native_outputs->size() || !(*native_outputs)[binding.native_index].valid()) {
      return Internal("model '" + model.id().ToString() + "' did not produce output '" + binding.spec.name + "'");
    }
    response.outputs.push_back({binding.spec.name, std::move((*native_outputs)[binding.native_index])});
  }
  if (r.explain.explain) FS_RETURN_IF_ERROR(AddExplanationOutputs(model, r.inputs, r.explain, &response));
  return response;
}

Clock::time_point ModelQueue::DueTime(Clock::time_point now) const {
  if (pending_.empty()) return Clock::time_point::max();
  Clock::time_point earliest_deadline = Clock::time_point::max();
  for (const auto& r : pending_) earliest_deadline = std::min(earliest_deadline, r->deadline);
  if (earliest_deadline <= now || !config_.enabled() || pending_rows_ >= config_.max_batch_size) return now;
  const auto& preferred = config_.preferred_batch_sizes;
  if (std::find(preferred.begin(), preferred.end(), pending_rows_) != preferred.end()) return now;
  const auto flush = pending_.front()->arrived + std::chrono::microseconds(config_.max_queue_delay_us);
  return std::min(flush, earliest_deadline);
}

Scheduler::Scheduler(int threads, ServingMetrics* metrics)
    : threads_(threads > 0 ? threads : ThreadPool::DefaultThreadCount()), metrics_(metrics) {
  workers_.reserve(static_cast<size_t>(threads_));
  for (int i = 0; i < threads_; ++i) {
    workers_.emplace_back([this, i] {
      NameCurrentThread("infer-" + std::to_string(i));
      WorkerLoop();
    });
  }
}

Scheduler::~Scheduler() {
  Batch orphans;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (ModelQueue* q : ready_) {
      for (auto& r : q->pending_) orphans.push_back(std::move(r));
      q->pending_.clear();
      q->pending_rows_ = 0;
      q->size_.store(0, std::memory_order_relaxed);
      q->in_ready_list_ = false;
    }
    ready_.clear();
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
  for (auto& r : orphans) r->done(Unavailable("the server is shutting down; the request was not run"));
}

const VersionMetrics& Scheduler::MetricsOf(ModelQueue* queue, const repository::LoadedModel& model) {
  std::call_once(queue->metrics_once_, [&] {
    queue->metrics_ = metrics_->ForVersion(model.id().name, std::to_string(model.id().version));
  });
  return queue->metrics_;
}

void Scheduler::Submit(std::unique_ptr<ScheduledRequest> request, ModelQueue* queue) {
  const bool may_run_now = queue == nullptr || (!queue->config_.enabled() && queue->size_.load() == 0);
  if (may_run_now) {
    if (busy_.fetch_add(1, std::memory_order_acq_rel) < threads_ || queue == nullptr) {
      RunOne(queue, *request);
      busy_.fetch_sub(1, std::memory_order_acq_rel);
      return;
    }
    busy_.fetch_sub(1, std::memory_order_acq_rel);
  }
  const VersionMetrics& m = MetricsOf(queue, *request->model);
  {
    std::unique_lock lock(mu_);
    if (!stopping_ && static_cast<int64_t>(queue->pending_.size()) < queue->config_.max_queue_size) {
      queue->pending_rows_ += request->rows;
      queue->pending_.push_back(std::move(request));
      queue->size_.store(static_cast<int64_t>(queue->pending_.size()), std::memory_order_relaxed);
      if (!queue->in_ready_list_) {
        queue->in_ready_list_ = true;
        ready_.push_back(queue);
      }
      m.queue_depth->Add(1);
      lock.unlock();
      cv_.notify_one();
      return;
    }
  }
  m.queue_rejected->Increment();
  const auto& id = request->model->id();
  request->done(Unavailable("the queue of model '" + id.ToString() + "' is full (" +
                            std::to_string(queue->config_.max_queue_size) +
                            " requests waiting, batching.max_queue_size); retry shortly"));
}

ModelQueue* Scheduler::PickDue(Clock::time_point now, Clock::time_point* wake) {
  *wake = Clock::time_point::max();
  for (ModelQueue* q : ready_) {
    const Clock::time_point due = q->DueTime(now);
    if (due <= now) return q;
    *wake = std::min(*wake, due);
  }
  return nullptr;
}

Batch Scheduler::TakeBatch(ModelQueue* q, Clock::time_point now, Batch* expired) {
  std::deque<std::unique_ptr<ScheduledRequest>> keep;
  for (auto& r : q->pending_) {
    if (r->deadline <= now) {
      q->pending_rows_ -= r->rows;
      expired->push_back(std::move(r));
    } else {
      keep.push_back(std::move(r));
    }
  }
  q->pending_.swap(keep);
  Batch batch;
  int64_t rows = 0;
  const int64_t max_rows = q->config_.enabled() ? q->config_.max_batch_size : 1;
  while (!q->pending_.empty()) {
    ScheduledRequest& next = *q->pending_.front();
    if (!batch.empty() && (rows + next.rows > max_rows || !Compatible(*batch.front(), next))) break;
    rows += next.rows;
    q->pending_rows_ -= next.rows;
    batch.push_back(std::move(q->pending_.front()));
    q->pending_.pop_front();
    if (!q->config_.enabled()) break;
  }
  q->size_.store(static_cast<int64_t>(q->pending_.size()), std::memory_order_relaxed);
  ready_.erase(std::find(ready_.begin(), ready_.end(), q));
  if (q->pending_.empty()) {
    q->in_ready_list_ = false;
  } else {
    ready_.push_back(q);  // to the back: other models get their turn
  }
  return batch;
}

void Scheduler::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    Clock::time_point wake;
    ModelQueue* q = PickDue(Clock::now(), &wake);
    if (q == nullptr || busy_.load(std::memory_order_acquire) >= threads_) {
      if (wake == Clock::time_point::max() || q != nullptr) {
        cv_.wait_for(lock, std::chrono::milliseconds(q ? 1 : 100));
      } else {
        cv_.wait_until(lock, wake);
      }
      continue;
    }
    Batch expired;
    Batch batch = TakeBatch(q, Clock::now(), &expired);
    const VersionMetrics& m = MetricsOf(q, batch.empty() ? *expired.front()->model : *batch.front()->model);
    m.queue_depth->Add(-static_cast<double>(batch.size() + expired.size()));
    busy_.fetch_add(1, std::memory_order_acq_rel);
    lock.unlock();
    for (auto& r : expired) {
      m.deadline_expired->Increment();
      const auto waited = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - r->arrived);
      r->done(DeadlineExceeded("request waited " + std::to_string(waited.count()) + " µs in the queue of model '" +
                               r->model->id().ToString() + "' and its timeout passed; it was not run"));
    }
    expired.clear();
    if (!batch.empty()) RunBatch(q, std::move(batch));
    busy_.fetch_sub(1, std::memory_order_acq_rel);
    lock.lock();
    cv_.notify_one();  // a slot is free: a waiting worker may take the next due queue
  }
}

void Scheduler::RunOne(ModelQueue* queue, ScheduledRequest& r) {
  const Clock::time_point start = Clock::now();
  std::vector<Tensor> outputs;
  Status run = r.model->model().Run(r.inputs, r.selection, &outputs);
  if (queue != nullptr) {
    const VersionMetrics& m = MetricsOf(queue, *r.model);
    m.queue_seconds->Observe(Seconds(start - r.arrived));
    m.compute_seconds->Observe(Seconds(Clock::now() - start));
    m.batch_rows->Observe(static_cast<double>(r.rows));
  }
  if (!run.ok()) return r.done(ModelError(run, *r.model));
  r.done(BuildResponse(r, &outputs));
}

void Scheduler::RunBatch(ModelQueue* queue, Batch batch) {
  if (batch.size() == 1) return RunOne(queue, *batch.front());
  const ScheduledRequest& first = *batch.front();
  int64_t total_rows = 0;
  for (const auto& r : batch) total_rows += r->rows;
  const Clock::time_point start = Clock::now();
  std::vector<Tensor> joined_inputs;
  std::vector<TensorView> views;
  for (size_t i = 0; i < first.inputs.size(); ++i) joined_inputs.push_back(JoinInput(batch, i, total_rows));
  for (const Tensor& t : joined_inputs) views.push_back(t.view());
  std::vector<Tensor> joined_outputs;
  Status run = first.model->model().Run(views, first.selection, &joined_outputs);
  std::vector<std::vector<Tensor>> outputs;
  if (!run.ok() || !SplitOutputs(batch, total_rows, joined_outputs, &outputs)) {
    // One request's bad value fails the whole batch (or the model's outputs are not batch-major):
    // run each alone so every request gets its own answer.
    for (auto& r : batch) RunOne(queue, *r);
    return;
  }
  const VersionMetrics& m = MetricsOf(queue, *first.model);
  m.compute_seconds->Observe(Seconds(Clock::now() - start));
  m.batch_rows->Observe(static_cast<double>(total_rows));
  for (size_t j = 0; j < batch.size(); ++j) {
    m.queue_seconds->Observe(Seconds(start - batch[j]->arrived));
    batch[j]->done(BuildResponse(*batch[j], &outputs[j]));
  }
}

}  // namespace finserve::serving
