// TrainingService: the server's training jobs. A job trains one model from CSV data (an upload,
// or a file name under the configured data directory: never an arbitrary path) and publishes it
// as a new version of the model repository, which the running server then loads (at once in
// poll mode; in explicit mode the load API decides).
//
// Jobs run on a small fixed pool of their own (`concurrent_jobs` workers at lowered CPU priority,
// each job with `threads_per_job` threads for XGBoost), so training never takes the serving
// threads; at most `max_queued_jobs` wait beyond those (429 after that). Cancel() stops a queued
// job at once and a running one at its next step; a failed or cancelled job publishes nothing.
// Finished jobs are kept (the most recent `keep_finished`) so their status can be read.
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "core/thread_pool.h"
#include "repository/manager.h"
#include "serving/auth/principal.h"

namespace finserve::serving {

struct TrainingOptions {
  std::string repository;
  std::string data_directory;              // empty: only uploads
  int64_t max_upload_bytes = 64ll << 20;   // CSV text in a request
  int64_t max_memory_bytes = 1ll << 30;    // per job, for the parsed data
  int concurrent_jobs = 1;
  int threads_per_job = 1;
  int max_queued_jobs = 8;                 // waiting beyond the running ones
  int keep_finished = 100;
  bool reload_after_publish = true;        // poll mode: load the new version at once
};

struct TrainingJobRequest {
  std::string model;
  std::string target;
  std::string positive;
  std::string algorithm;
  std::optional<uint64_t> seed;
  nlohmann::json params;     // the parameters-file document (split, columns, algorithm settings)
  std::string data_file;     // a file name under data_directory, or
  std::string data_csv;      // the CSV text itself
};

enum class JobState { kQueued, kRunning, kSucceeded, kFailed, kCancelled };
std::string_view JobStateName(JobState state);

struct TrainingJobStatus {
  std::string id;
  JobState state = JobState::kQueued;
  std::string model;
  std::string algorithm;
  double progress = 0;
  std::string stage;
  int64_t version = 0;  // once published
  std::string error;
  nlohmann::json metrics;  // validation metrics once succeeded
  int64_t created_unix_micros = 0, started_unix_micros = 0, finished_unix_micros = 0;

  nlohmann::json ToJson() const;
};

class TrainingService {
 public:
  TrainingService(repository::ModelManager* manager, TrainingOptions options);
  ~TrainingService();  // cancels running jobs and waits for them

  // Every call takes the caller (null = anyone): a key limited to some models may only train,
  // see and cancel jobs of those models (PermissionDenied otherwise; List() leaves the others out).
  //
  // Validates the request (InvalidArgument, NotFound for a missing data file, ResourceExhausted
  // when the queue is full or the upload too large) and queues the job.
  Result<TrainingJobStatus> Submit(TrainingJobRequest request, const auth::Principal* caller);
  Result<TrainingJobStatus> Get(const std::string& id, const auth::Principal* caller) const;
  std::vector<TrainingJobStatus> List(const auth::Principal* caller) const;
  // Cancels a queued or running job; a finished job is returned unchanged.
  Result<TrainingJobStatus> Cancel(const std::string& id, const auth::Principal* caller);

 private:
  struct Job;
  void Run(const std::shared_ptr<Job>& job);
  void Finish(const std::shared_ptr<Job>& job, JobState state, std::string error);
  void ForgetOldJobs();  // requires mu_
  // The job's CSV text; with `check_only`, only checks that it exists and fits (returns "").
  Result<std::string> ReadData(const TrainingJobRequest& request, bool check_only) const;

  repository::ModelManager* manager_;
  TrainingOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::string> finished_order_;
  int active_ = 0;  // queued or running
  uint64_t next_id_ = 1;
  std::unique_ptr<ThreadPool> pool_;  // last: destroyed (joined) first
};

}  // namespace finserve::serving
